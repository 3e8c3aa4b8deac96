package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

/**
 * A WebSocket client that records every frame the server sends (like OkHttp's {@code WebSocketRecorder}): tests
 * take frames in order and finally assert that none is left unexpected.
 */
final class WebSocketRecorder implements WebSocket.Listener {
    static final Duration TIMEOUT = Duration.ofSeconds(5);
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final BlockingQueue<Object> events = new LinkedBlockingQueue<>();
    private final CompletableFuture<Closed> closed = new CompletableFuture<>();
    private final StringBuilder partial = new StringBuilder();
    private final boolean autoRead;
    private volatile WebSocket socket;

    /** A close frame from the server. */
    record Closed(int code, String reason) {}

    private WebSocketRecorder(boolean autoRead) {
        this.autoRead = autoRead;
    }

    /** Connects and waits for the handshake. */
    static WebSocketRecorder connect(URI uri) {
        return connect(uri, true);
    }

    /** Connects; with {@code autoRead} false the client reads nothing until {@link #readAll()}. */
    static WebSocketRecorder connect(URI uri, boolean autoRead) {
        return connect(uri, autoRead, Map.of());
    }

    /** Connects with extra request headers. */
    static WebSocketRecorder connect(URI uri, boolean autoRead, Map<String, String> headers) {
        WebSocketRecorder recorder = new WebSocketRecorder(autoRead);
        WebSocket.Builder builder = HTTP.newWebSocketBuilder().connectTimeout(TIMEOUT);
        headers.forEach(builder::header);
        recorder.socket = builder.buildAsync(uri, recorder)
                .orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .join();
        return recorder;
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        this.socket = webSocket;
        if (autoRead) {
            webSocket.request(1);
        }
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            events.add(partial.toString());
            partial.setLength(0);
        }
        webSocket.request(1);
        return null;
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(new Closed(statusCode, reason));
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.completeExceptionally(error);
    }

    /** Starts reading everything the server sends. */
    void readAll() {
        socket.request(Long.MAX_VALUE);
    }

    WebSocketRecorder send(String text) {
        socket.sendText(text, true)
                .orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .join();
        return this;
    }

    WebSocketRecorder send(Map<String, Object> message) {
        return send(TestJson.stringify(message));
    }

    /**
     * Sends a frame unless the server has closed the socket meanwhile; returns false when the frame could not
     * go out because of that close (a flooding test races the server's close).
     */
    boolean trySend(Map<String, Object> message) {
        try {
            send(message);
            return true;
        } catch (java.util.concurrent.CompletionException e) {
            if (e.getCause() instanceof java.io.IOException) {
                return false;
            }
            throw e;
        }
    }

    WebSocketRecorder sendBinary(byte[] bytes) {
        socket.sendBinary(ByteBuffer.wrap(bytes), true)
                .orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)
                .join();
        return this;
    }

    /** Returns the next text frame, failing after the timeout. */
    String nextText() {
        try {
            Object event = events.poll(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            assertThat(event).as("next frame within %s", TIMEOUT).isNotNull();
            return (String) event;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError(e);
        }
    }

    /** Returns the next frame parsed as a JSON object. */
    @SuppressWarnings("unchecked")
    Map<String, Object> nextMessage() {
        return (Map<String, Object>) TestJson.parse(nextText());
    }

    /** Skips frames until one matches, returning it; fails on timeout. */
    Map<String, Object> nextMessageMatching(Predicate<Map<String, Object>> predicate) {
        List<Map<String, Object>> skipped = new ArrayList<>();
        for (; ; ) {
            Map<String, Object> m = nextMessage();
            if (predicate.test(m)) {
                return m;
            }
            skipped.add(m);
            assertThat(skipped).as("frames skipped while waiting").hasSizeLessThan(1000);
        }
    }

    /** Waits for the server's close frame. */
    Closed awaitClose() {
        return closed.orTimeout(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS).join();
    }

    boolean isClosed() {
        return closed.isDone();
    }

    /** Asserts that no frame is waiting. */
    void assertNoMoreFrames() {
        assertThat(events).as("unexpected frames").isEmpty();
    }

    void close() {
        if (!socket.isOutputClosed()) {
            socket.sendClose(WebSocket.NORMAL_CLOSURE, "");
        }
    }

    void abort() {
        socket.abort();
    }
}
