package dev.tandem.sync.client.internal.transport;

import dev.tandem.sync.client.ClientTransport;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicBoolean;
import org.jspecify.annotations.Nullable;

/**
 * {@link ClientTransport} over the JDK's {@link WebSocket}. Partial text frames are joined into whole
 * messages. The JDK allows one send in flight, so outgoing messages wait in a queue bounded by {@link
 * #MAX_QUEUED_CHARS}; a message that does not fit is refused and the connection aborted. Thread-safe.
 */
public final class JdkWebSocketTransport implements ClientTransport {
    /** The most UTF-16 units waiting to be sent on one connection. */
    public static final long MAX_QUEUED_CHARS = 64L * 1024 * 1024;

    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);

    private final HttpClient httpClient;

    public JdkWebSocketTransport(HttpClient httpClient) {
        this.httpClient = Objects.requireNonNull(httpClient, "httpClient");
    }

    @Override
    public Connection connect(URI uri, Listener listener) {
        Objects.requireNonNull(uri, "uri");
        Objects.requireNonNull(listener, "listener");
        JdkConnection connection = new JdkConnection(listener);
        httpClient
                .newWebSocketBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .buildAsync(uri, connection)
                .whenComplete((ws, error) -> {
                    if (error != null) {
                        connection.fail(
                                error instanceof java.util.concurrent.CompletionException && error.getCause() != null
                                        ? error.getCause()
                                        : error);
                    }
                });
        return connection;
    }

    /** One connection: the JDK listener and the outgoing queue. */
    static final class JdkConnection implements Connection, WebSocket.Listener {
        private final Listener listener;
        private final AtomicBoolean finished = new AtomicBoolean();
        private final StringBuilder partial = new StringBuilder();
        private final ArrayDeque<String> queue = new ArrayDeque<>();
        private long queuedChars;
        private boolean sending;
        private boolean closedByUs;
        private @Nullable WebSocket socket;

        JdkConnection(Listener listener) {
            this.listener = listener;
        }

        @Override
        public void onOpen(WebSocket webSocket) {
            synchronized (this) {
                socket = webSocket;
                if (closedByUs) {
                    webSocket.abort();
                    return;
                }
            }
            listener.onOpen();
            webSocket.request(1);
        }

        @Override
        public @Nullable CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            partial.append(data);
            if (last) {
                String text = partial.toString();
                partial.setLength(0);
                if (!isClosedByUs()) {
                    listener.onText(text);
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public @Nullable CompletionStage<?> onBinary(WebSocket webSocket, java.nio.ByteBuffer data, boolean last) {
            webSocket.request(1); // the protocol is text only; servers never send binary frames
            return null;
        }

        @Override
        public @Nullable CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            if (finished.compareAndSet(false, true) && !isClosedByUs()) {
                listener.onClosed(statusCode, reason);
            }
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            fail(error);
        }

        void fail(Throwable error) {
            if (finished.compareAndSet(false, true) && !isClosedByUs()) {
                listener.onFailure(error);
            }
        }

        private synchronized boolean isClosedByUs() {
            return closedByUs;
        }

        @Override
        public boolean sendText(String text) {
            Objects.requireNonNull(text, "text");
            WebSocket ws;
            synchronized (this) {
                ws = socket;
                if (ws == null || closedByUs || finished.get() || ws.isOutputClosed()) {
                    return false;
                }
                if (queuedChars + text.length() > MAX_QUEUED_CHARS) {
                    queue.clear();
                    queuedChars = 0;
                    ws.abort();
                    fail(new IllegalStateException("outgoing queue full"));
                    return false;
                }
                if (sending) {
                    queue.add(text);
                    queuedChars += text.length();
                    return true;
                }
                sending = true;
            }
            send(ws, text);
            return true;
        }

        private void send(WebSocket ws, String text) {
            CompletableFuture<WebSocket> sent = ws.sendText(text, true);
            sent.whenComplete((w, error) -> {
                if (error != null) {
                    ws.abort();
                    fail(error);
                    return;
                }
                String next;
                synchronized (this) {
                    next = queue.poll();
                    if (next == null) {
                        sending = false;
                        return;
                    }
                    queuedChars -= next.length();
                }
                send(ws, next);
            });
        }

        @Override
        public void close() {
            WebSocket ws;
            synchronized (this) {
                if (closedByUs) {
                    return;
                }
                closedByUs = true;
                ws = socket;
                queue.clear();
                queuedChars = 0;
            }
            if (ws == null) {
                return; // onOpen aborts a socket that opens later
            }
            if (ws.isOutputClosed()) {
                ws.abort();
                return;
            }
            ws.sendClose(WebSocket.NORMAL_CLOSURE, "")
                    .orTimeout(5, java.util.concurrent.TimeUnit.SECONDS)
                    .whenComplete((w, error) -> ws.abort());
        }
    }
}
