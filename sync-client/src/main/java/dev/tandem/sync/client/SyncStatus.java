package dev.tandem.sync.client;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The connection status of a {@link SyncClient}. {@link Kind#ERROR} is permanent and carries the server's
 * reason (a 4099 close, such as {@code SERVER_TOO_OLD} or {@code RATE_LIMITED}). Immutable and thread-safe.
 *
 * @param kind the status
 * @param reason the error reason for {@link Kind#ERROR}, null otherwise
 */
public record SyncStatus(Kind kind, @Nullable String reason) {
    /** Opening a socket, or waiting for the server's {@code connect} reply. */
    public static final SyncStatus CONNECTING = new SyncStatus(Kind.CONNECTING, null);
    /** Connected to the room: local changes are pushed and remote ones applied. */
    public static final SyncStatus ONLINE = new SyncStatus(Kind.ONLINE, null);
    /** Not connected; the client reconnects with backoff, or has been closed. */
    public static final SyncStatus OFFLINE = new SyncStatus(Kind.OFFLINE, null);

    /** The kinds of status. */
    public enum Kind {
        CONNECTING,
        ONLINE,
        OFFLINE,
        ERROR
    }

    public SyncStatus {
        Objects.requireNonNull(kind, "kind");
        if ((kind == Kind.ERROR) != (reason != null)) {
            throw new IllegalArgumentException(
                    "reason must be given exactly for ERROR but kind was " + kind + " and reason " + reason);
        }
    }

    /** Returns the permanent error status with the given reason. */
    public static SyncStatus error(String reason) {
        return new SyncStatus(Kind.ERROR, Objects.requireNonNull(reason, "reason"));
    }

    @Override
    public String toString() {
        return reason == null ? kind.name() : kind + "(" + reason + ")";
    }
}
