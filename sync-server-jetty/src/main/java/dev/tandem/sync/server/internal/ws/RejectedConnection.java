package dev.tandem.sync.server.internal.ws;

import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;

/**
 * An endpoint that closes at once with a code and reason, for a request that upgraded but cannot join a room
 * (like tldraw's hosts, which accept the socket and then close it with 4099 and a reason the client shows).
 */
public final class RejectedConnection implements Session.Listener.AutoDemanding {
    private final int code;
    private final String reason;

    public RejectedConnection(int code, String reason) {
        this.code = code;
        this.reason = reason;
    }

    @Override
    public void onWebSocketOpen(Session session) {
        session.close(code, WebSocketConnection.truncateReason(reason), Callback.NOOP);
    }
}
