package dev.tandem.sync.server;

import java.time.Duration;
import java.util.Objects;

/**
 * Per-connection WebSocket limits. Immutable and thread-safe.
 *
 * <pre>{@code
 * ConnectionSettings settings = ConnectionSettings.defaults().withMaxQueuedBytes(4 << 20);
 * }</pre>
 *
 * @param idleTimeout how long Jetty keeps a connection with no traffic at all; the room's own idle timeout
 *     (client pings) is shorter and normally acts first; must be > 0
 * @param maxMessageBytes the largest WebSocket message (one frame or chunk of the sync protocol) a client may
 *     send, in bytes; at least {@link #MIN_MAX_MESSAGE_BYTES}, because tldraw clients send chunks of up to
 *     262,144 UTF-16 code units (about 786 KB in UTF-8)
 * @param maxQueuedBytes how much of outgoing frames may wait for a slow client, counted in characters (UTF-16
 *     code units: a byte each for ASCII, so the memory held is at most about twice this); when a frame does not
 *     fit, the send fails and the connection closes (a single frame larger than this is still sent when
 *     nothing else waits); must be > 0
 */
public record ConnectionSettings(Duration idleTimeout, long maxMessageBytes, long maxQueuedBytes) {
    /** Jetty's idle timeout for WebSocket connections by default. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(60);
    /** The smallest allowed message limit: a tldraw chunk in the worst case fits. */
    public static final long MIN_MAX_MESSAGE_BYTES = 1024 * 1024;
    /** The message limit by default. */
    public static final long DEFAULT_MAX_MESSAGE_BYTES = MIN_MAX_MESSAGE_BYTES;
    /** The outgoing queue limit by default. */
    public static final long DEFAULT_MAX_QUEUED_BYTES = 16L * 1024 * 1024;

    private static final ConnectionSettings DEFAULTS =
            new ConnectionSettings(DEFAULT_IDLE_TIMEOUT, DEFAULT_MAX_MESSAGE_BYTES, DEFAULT_MAX_QUEUED_BYTES);

    public ConnectionSettings {
        Objects.requireNonNull(idleTimeout, "idleTimeout");
        if (idleTimeout.isNegative() || idleTimeout.isZero()) {
            throw new IllegalArgumentException("idleTimeout must be > 0 but was " + idleTimeout);
        }
        if (maxMessageBytes < MIN_MAX_MESSAGE_BYTES) {
            throw new IllegalArgumentException(
                    "maxMessageBytes must be >= " + MIN_MAX_MESSAGE_BYTES + " but was " + maxMessageBytes);
        }
        if (maxQueuedBytes <= 0) {
            throw new IllegalArgumentException("maxQueuedBytes must be > 0 but was " + maxQueuedBytes);
        }
    }

    /** Returns the defaults: 60 s idle, 1 MiB messages, 16 MiB outgoing queue. */
    public static ConnectionSettings defaults() {
        return DEFAULTS;
    }

    public ConnectionSettings withIdleTimeout(Duration idleTimeout) {
        return new ConnectionSettings(idleTimeout, maxMessageBytes, maxQueuedBytes);
    }

    public ConnectionSettings withMaxMessageBytes(long maxMessageBytes) {
        return new ConnectionSettings(idleTimeout, maxMessageBytes, maxQueuedBytes);
    }

    public ConnectionSettings withMaxQueuedBytes(long maxQueuedBytes) {
        return new ConnectionSettings(idleTimeout, maxMessageBytes, maxQueuedBytes);
    }
}
