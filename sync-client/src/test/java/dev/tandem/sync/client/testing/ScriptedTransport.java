package dev.tandem.sync.client.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.client.ClientTransport;
import java.net.URI;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;

/**
 * A {@link ClientTransport} where the test plays the server: it takes the frames the client sent one by one
 * and answers with raw frames or closes. Every connection opens at once. Thread-safe.
 */
public final class ScriptedTransport implements ClientTransport {
    private final List<Conn> connections = new ArrayList<>();

    /** One connection as the test sees it. */
    public final class Conn implements Connection {
        final Listener listener;
        private final ArrayDeque<String> frames = new ArrayDeque<>();
        private boolean open = true;
        private boolean closedByClient;

        Conn(Listener listener) {
            this.listener = listener;
        }

        @Override
        public synchronized boolean sendText(String text) {
            if (!open) {
                return false;
            }
            frames.add(text);
            return true;
        }

        @Override
        public synchronized void close() {
            open = false;
            closedByClient = true;
        }

        /** Returns and removes the oldest frame the client sent; fails if there is none. */
        public synchronized String take() {
            assertThat(frames).as("frames from the client").isNotEmpty();
            return frames.poll();
        }

        /** Returns and removes every frame the client sent. */
        public synchronized List<String> drain() {
            List<String> out = new ArrayList<>(frames);
            frames.clear();
            return out;
        }

        /** Sends a raw frame to the client. */
        public void reply(String frame) {
            listener.onText(frame);
        }

        /** Closes from the server side. */
        public void serverClose(int code, String reason) {
            synchronized (this) {
                open = false;
            }
            listener.onClosed(code, reason);
        }

        public synchronized boolean closedByClient() {
            return closedByClient;
        }
    }

    @Override
    public synchronized Connection connect(URI uri, Listener listener) {
        Conn c = new Conn(listener);
        connections.add(c);
        listener.onOpen();
        return c;
    }

    /** Returns the latest connection; fails if none was made. */
    public synchronized Conn last() {
        assertThat(connections).as("connections").isNotEmpty();
        return connections.get(connections.size() - 1);
    }

    public synchronized int count() {
        return connections.size();
    }

    /** Returns the {@code connectRequestId} in a client {@code connect} frame. */
    public static String connectRequestId(String frame) {
        int i = frame.indexOf("\"connectRequestId\":\"") + "\"connectRequestId\":\"".length();
        return frame.substring(i, frame.indexOf('"', i));
    }

    /** Returns a server {@code connect} reply. */
    public static String connectReply(String requestId, String hydration, long clock, String diff, boolean ro) {
        return "{\"type\":\"connect\",\"connectRequestId\":\"" + requestId + "\",\"hydrationType\":\"" + hydration
                + "\",\"protocolVersion\":8,\"schema\":{\"schemaVersion\":2,\"sequences\":{}},\"diff\":" + diff
                + ",\"serverClock\":" + clock + ",\"isReadonly\":" + ro + "}";
    }
}
