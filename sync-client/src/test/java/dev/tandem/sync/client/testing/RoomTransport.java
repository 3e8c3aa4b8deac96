package dev.tandem.sync.client.testing;

import dev.tandem.sync.client.ClientTransport;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SessionSocket;
import dev.tandem.sync.core.SocketHandler;
import java.io.IOException;
import java.net.URI;
import java.net.URLDecoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.jspecify.annotations.Nullable;

/**
 * A {@link ClientTransport} wired straight to a sync-core {@link Room} in the same JVM: each connection is a
 * {@link SessionSocket} on the room side and a {@link ClientTransport.Connection} on the client side. Paths
 * {@code /connect/<room>} and {@code /ro/<room>} (read-only); the session id comes from the query. Frames are
 * handed over synchronously; the client queues them on its own lane. Thread-safe.
 */
public final class RoomTransport implements ClientTransport {
    private final Room room;
    private final List<Pipe> pipes = new CopyOnWriteArrayList<>();
    private volatile boolean refusing;

    public RoomTransport(Room room) {
        this.room = room;
    }

    /** Makes later connection attempts fail, as if the server were down. */
    public void refuse(boolean refusing) {
        this.refusing = refusing;
    }

    @Override
    public Connection connect(URI uri, Listener listener) {
        Pipe pipe = new Pipe(listener, sessionId(uri));
        if (refusing) {
            pipe.open = false;
            listener.onFailure(new IOException("connection refused"));
            return pipe;
        }
        pipes.add(pipe);
        pipe.handler = room.connect(
                pipe.server, new SessionOptions(pipe.sessionId, uri.getPath().startsWith("/ro/"), java.util.Map.of()));
        listener.onOpen();
        return pipe;
    }

    /** Drops every open connection of this session as a network failure would. */
    public void drop(String sessionId) {
        for (Pipe p : pipes) {
            if (p.sessionId.equals(sessionId)) {
                p.drop();
            }
        }
    }

    /** Returns every frame the clients of this session sent, in order. */
    public List<String> sent(String sessionId) {
        List<String> out = new ArrayList<>();
        for (Pipe p : pipes) {
            if (p.sessionId.equals(sessionId)) {
                out.addAll(p.sent);
            }
        }
        return out;
    }

    /** Returns how many connections this session opened. */
    public int connections(String sessionId) {
        return (int) pipes.stream().filter(p -> p.sessionId.equals(sessionId)).count();
    }

    private static String sessionId(URI uri) {
        for (String part : uri.getRawQuery().split("&")) {
            if (part.startsWith("sessionId=")) {
                return URLDecoder.decode(part.substring("sessionId=".length()), StandardCharsets.UTF_8);
            }
        }
        throw new IllegalArgumentException("no sessionId in " + uri);
    }

    /** One connection: the client's end; {@link #server} is the room's end. */
    private static final class Pipe implements Connection {
        final Listener listener;
        final String sessionId;
        final List<String> sent = new CopyOnWriteArrayList<>();
        final SessionSocket server = new ServerEnd();
        volatile boolean open = true;

        @Nullable
        SocketHandler handler;

        Pipe(Listener listener, String sessionId) {
            this.listener = listener;
            this.sessionId = sessionId;
        }

        @Override
        public boolean sendText(String text) {
            if (!open || handler == null) {
                return false;
            }
            sent.add(text);
            handler.onText(text);
            return true;
        }

        @Override
        public void close() {
            if (open) {
                open = false;
                if (handler != null) {
                    handler.onClose();
                }
            }
        }

        void drop() {
            if (open) {
                open = false;
                if (handler != null) {
                    handler.onClose();
                }
                listener.onFailure(new IOException("connection dropped"));
            }
        }

        private final class ServerEnd implements SessionSocket {
            @Override
            public boolean send(String text) {
                if (!open) {
                    return false;
                }
                listener.onText(text);
                return true;
            }

            @Override
            public void close(int code, String reason) {
                if (open) {
                    open = false;
                    listener.onClosed(code, reason);
                }
            }

            @Override
            public void close() {
                close(1000, "");
            }

            @Override
            public boolean isOpen() {
                return open;
            }
        }
    }
}
