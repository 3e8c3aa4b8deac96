package dev.tandem.sync.core.internal.protocol;

import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.internal.json.Frozen;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A message from client to server (tldraw's {@code TLSocketClientSentEvent}). Immutable and thread-safe:
 * JSON parts are frozen on construction. Encoded and decoded by {@link ProtocolCodec}.
 */
public sealed interface ClientMessage {

    /**
     * {@code connect}: the first message on every socket. {@code protocolVersion} and {@code schema} are
     * null when the client omitted them (the room rejects such clients as too old). A fractional {@code
     * lastServerClock} on the wire is rounded down, and one beyond a long saturates.
     */
    record Connect(
            String connectRequestId,
            long lastServerClock,
            @Nullable Integer protocolVersion,
            @Nullable Map<String, Object> schema)
            implements ClientMessage {
        public Connect {
            Objects.requireNonNull(connectRequestId, "connectRequestId");
            schema = schema == null ? null : frozen(schema);
        }
    }

    /**
     * {@code push}: document changes and/or presence. {@code presence} is a {@link RecordOp.Put} or {@link
     * RecordOp.Patch}; either part is null when omitted.
     */
    record Push(
            long clientClock,
            @Nullable NetworkDiff diff,
            @Nullable RecordOp presence) implements ClientMessage {
        public Push {
            if (presence instanceof RecordOp.Remove) {
                throw new IllegalArgumentException("presence must be a put or a patch, not a remove");
            }
        }
    }

    /** {@code ping}: keeps the session alive; answered with {@code pong}. */
    record Ping() implements ClientMessage {
        public static final Ping INSTANCE = new Ping();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> frozen(Map<String, Object> object) {
        return (Map<String, Object>) (Map<String, ?>) Frozen.freezeMap(object);
    }
}
