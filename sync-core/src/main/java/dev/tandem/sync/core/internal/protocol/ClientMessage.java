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
     *
     * <p>{@code diffAsSent} is false when decoding left out or reshaped an op of the request that tldraw's
     * server ignores (an unknown op, an op that is not an array, an append it can never apply, an extra
     * element), or the request's {@code diff} was not an object: tldraw commits a push only when the diff it
     * applied equals the request as sent, so such a push is rebased or discarded, never committed.
     */
    record Push(
            long clientClock,
            @Nullable NetworkDiff diff,
            @Nullable RecordOp presence,
            boolean diffAsSent) implements ClientMessage {
        public Push {
            if (presence instanceof RecordOp.Remove) {
                throw new IllegalArgumentException("presence must be a put or a patch, not a remove");
            }
        }

        /** A push whose diff is exactly what was sent. */
        public Push(long clientClock, @Nullable NetworkDiff diff, @Nullable RecordOp presence) {
            this(clientClock, diff, presence, true);
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
