package dev.tandem.sync.server;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-connection WebSocket limits. Immutable and thread-safe.
 *
 * <pre>{@code
 * ConnectionSettings settings = ConnectionSettings.defaults().withMaxQueuedChars(4 << 20);
 * }</pre>
 *
 * @param idleTimeout how long Jetty keeps a connection with no traffic at all; the room's own idle timeout
 *     (client pings) is shorter and normally acts first; must be > 0
 * @param maxMessageBytes the largest WebSocket message (one frame or chunk of the sync protocol) a client may
 *     send, in bytes; at least {@link #MIN_MAX_MESSAGE_BYTES}, because tldraw clients send chunks of up to
 *     262,144 UTF-16 code units (about 786 KB in UTF-8)
 * @param maxQueuedChars how much of outgoing frames may wait for a slow client, counted in characters (UTF-16
 *     code units: a byte each for ASCII, so the memory held is at most about twice this); when a frame does not
 *     fit, the send fails and the connection closes (a single frame larger than this is still sent when
 *     nothing else waits); must be > 0
 */
public record ConnectionSettings(Duration idleTimeout, long maxMessageBytes, long maxQueuedChars) {
    /** Jetty's idle timeout for WebSocket connections by default. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** The smallest allowed message limit: a tldraw chunk in the worst case fits. */
    public static final long MIN_MAX_MESSAGE_BYTES = 1024 * 1024;
    /** The message limit by default. */
    public static final long DEFAULT_MAX_MESSAGE_BYTES = MIN_MAX_MESSAGE_BYTES;
    /** The outgoing queue limit by default, in characters: 16 Mi. */
    public static final long DEFAULT_MAX_QUEUED_CHARS = 16L * 1024 * 1024;
    /**
     * The outgoing queue limit by default, which counts characters.
     *
     * @deprecated use {@link #DEFAULT_MAX_QUEUED_CHARS}
     */
    @Deprecated
    public static final long DEFAULT_MAX_QUEUED_BYTES = DEFAULT_MAX_QUEUED_CHARS;

    private static final ConnectionSettings DEFAULTS =
            new ConnectionSettings(DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_QUEUED_CHARS);

    public ConnectionSettings {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be > 0 but was " + idleTimeout);
        }
        if (maxMessageBytes < MIN_MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException(
                    "maxMessageBytes must be >= " + MIN_MAX_MESSAGE_BYTES + " but was " + maxMessageBytes);
        }
        if (maxQueuedChars <= 0) {
            throw new IllegalArgumentException("maxQueuedChars must be > 0 but was " + maxQueuedChars);
        }
    }

    /** Returns the defaults: 60 s idle, 1 MiB messages, 16 Mi characters of outgoing queue. */
    public static ConnectionSettings defaults() {
        return DEFAULTS;
    }

    public ConnectionSettings withIdleTimeout(Duration idleTimeout) {
        return new ConnectionSettings(idleTimeout, maxMessageBytes, maxQueuedChars);
    }

    public ConnectionSettings withMaxMessageBytes(long maxMessageBytes) {
        return new ConnectionSettings(idleTimeout, maxMessageBytes, maxQueuedChars);
    }

    public ConnectionSettings withMaxQueuedChars(long maxQueuedChars) {
        return new ConnectionSettings(idleTimeout, maxMessageBytes, maxQueuedChars);
    }

    /**
     * Returns the outgoing queue limit, which counts characters.
     *
     * @deprecated use {@link #maxQueuedChars()}, which names what is counted
     */
    @Deprecated
    public long maxQueuedBytes() {
        return maxQueuedChars;
    }

    /**
     * Returns these settings with another outgoing queue limit, in characters.
     *
     * @deprecated use {@link #withMaxQueuedChars(long)}, which names what is counted
     */
    @Deprecated
    public ConnectionSettings withMaxQueuedBytes(long maxQueuedChars) {
        return withMaxQueuedChars(maxQueuedChars);
    }
}
