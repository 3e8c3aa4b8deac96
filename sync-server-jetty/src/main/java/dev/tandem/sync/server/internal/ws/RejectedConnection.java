package dev.tandem.sync.server.internal.ws;

import java.time.Duration;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.jspecify.annotations.Nullable;

/**
 * An endpoint that closes at once with a code and reason, for a request that upgraded but cannot join a room
 * (like tldraw's hosts, which accept the socket and then close it with 4099 and a reason the client shows). It
 * reads nothing the client sends, and a client that never answers the close is dropped after the idle timeout.
 */
public final class RejectedConnection implements Session.Listener.AutoDemanding {
    private final int code;
    private final String reason;
    private final @Nullable Duration idleTimeout;

    public RejectedConnection(int code, String reason) {
        this(code, reason, null);
    }

    public RejectedConnection(int code, String reason, @Nullable Duration idleTimeout) {
        this.code = code;
        this.reason = reason;
        this.idleTimeout = idleTimeout;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        if (idleTimeout != null) {
            session.setIdleTimeout(idleTimeout);
        }
        // nothing a refused client sends is worth buffering
        session.setMaxTextMessageSize(1024);
        session.setMaxBinaryMessageSize(1024);
        session.close(
                code, WebSocketConnection.truncateReason(WebSocketConnection.wireReason(code, reason)), Callback.NOOP);
    }
}
