package dev.tandem.sync.client;

import dev.tandem.sync.client.internal.transport.JdkWebSocketTransport;
import java.net.URI;
import java.net.http.HttpClient;

/**
 * How a {@link SyncClient} opens WebSocket connections: a small SPI so that another WebSocket library (or an
 * in-memory pipe in tests) can replace the default over {@link java.net.http.WebSocket}.
 *
 * <p>Implementations are thread-safe. They call the {@link Listener} of one connection serially (never
 * concurrently), from any thread, and deliver whole text messages (partial frames reassembled). The
 * client never blocks in a listener call: it hands each event to its own delivery thread.
 */
public interface ClientTransport {

    /**
     * Starts opening a connection to {@code uri} and returns at once. The listener then receives {@link
     * Listener#onOpen()} followed by messages, and finally exactly one of {@link Listener#onClosed} or
     * {@link Listener#onFailure} (also when opening fails).
     */
    Connection connect(URI uri, Listener listener);

    /** Returns the default transport over the JDK's {@link java.net.http.WebSocket}, with its own client. */
    static ClientTransport jdk() {
        return new JdkWebSocketTransport(HttpClient.newHttpClient());
    }

    /** Returns the default transport over the JDK's {@link java.net.http.WebSocket} on this HTTP client. */
    static ClientTransport jdk(HttpClient httpClient) {
        return new JdkWebSocketTransport(httpClient);
    }

    /** One connection. Thread-safe. */
    interface Connection {
        /**
         * Queues a text message; returns false (and sends nothing) if the connection is not open or its
         * outgoing queue is full, in which case the connection is being closed.
         */
        boolean sendText(String text);

        /** Closes the connection normally (code 1000). Idempotent; no listener call follows. */
        void close();
    }

    /** Receives one connection's events, serially. */
    interface Listener {
        /** The connection is open; messages may be sent. */
        void onOpen();

        /** A whole text message arrived. */
        void onText(String text);

        /** The peer closed the connection with this code and reason (empty if none). */
        void onClosed(int code, String reason);

        /** The connection failed or could not be opened. */
        void onFailure(Throwable cause);
    }
}
