package dev.tandem.sync.core;

import java.util.Map;
import java.util.Objects;

/**
 * How a new connection joins a room: its session id (stable per browser tab, so a reconnect resumes the
 * same session), whether it may only read, and host metadata (user id, store id…) reported in events.
 *
 * @param sessionId the client's session id; a second connection with the same id replaces the first
 * @param readOnly whether the session's document changes are discarded (its presence still goes through)
 * @param meta host metadata, never interpreted by the room
 * @param principal who the session acts for, as authenticated by the transport
 */
public record SessionOptions(String sessionId, boolean readOnly, Map<String, Object> meta, Principal principal) {

    public SessionOptions {
        Objects.requireNonNull(sessionId, "sessionId");
        if (sessionId.isEmpty()) {
            throw new IllegalArgumentException("sessionId must not be empty");
        }
        meta = Map.copyOf(Objects.requireNonNull(meta, "meta"));
        Objects.requireNonNull(principal, "principal");
    }

    /** A session of the anonymous principal. */
    public SessionOptions(String sessionId, boolean readOnly, Map<String, Object> meta) {
        this(sessionId, readOnly, meta, Principal.ANONYMOUS);
    }

    /** A read-write session with no metadata. */
    public static SessionOptions of(String sessionId) {
        return new SessionOptions(sessionId, false, Map.of());
    }

    /** Returns a copy with the read-only flag set as given. */
    public SessionOptions withReadOnly(boolean readOnly) {
        return new SessionOptions(sessionId, readOnly, meta, principal);
    }

    /** Returns a copy acting for the given principal. */
    public SessionOptions withPrincipal(Principal principal) {
        return new SessionOptions(sessionId, readOnly, meta, principal);
    }
}
