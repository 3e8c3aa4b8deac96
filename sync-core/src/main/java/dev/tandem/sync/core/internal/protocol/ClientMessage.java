package dev.tandem.sync.core.internal.protocol;

import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.RecordOp;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** A message from client to server (tldraw's {@code TLSocketClientSentEvent}). */
public sealed interface ClientMessage {

    /**
     * {@code connect}: the first message on every socket. {@code protocolVersion} and {@code schema} are
     * null when the client omitted them (the room rejects such clients as too old).
     */
    record Connect(
            String connectRequestId,
            long lastServerClock,
            @Nullable Integer protocolVersion,
            @Nullable Map<String, Object> schema)
            implements ClientMessage {}

    /**
     * {@code push}: document changes and/or presence. {@code presence} is a {@link RecordOp.Put} or {@link
     * RecordOp.Patch}; either part is null when omitted.
     */
    record Push(
            long clientClock,
            @Nullable NetworkDiff diff,
            @Nullable RecordOp presence) implements ClientMessage {}

    /** {@code ping}: keeps the session alive; answered with {@code pong}. */
    record Ping() implements ClientMessage {
        public static final Ping INSTANCE = new Ping();
    }
}
