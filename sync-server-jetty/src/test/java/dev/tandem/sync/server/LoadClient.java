package dev.tandem.sync.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A light sync-protocol client for load: connects, then pushes puts and patches of its own records ({@code
 * note:<client>-<i>}, each with a field {@code n} that only grows) with increasing client clocks, several in
 * flight, and records every push whose {@code push_result} arrived. Thread-safe.
 */
final class LoadClient implements WebSocket.Listener {
    static final Map<String, Object> SCHEMA = Map.of("schemaVersion", 2, "sequences", Map.of("com.example.note", 1));

    private final String name;
    private final int recordsPerClient;
    private final Semaphore inFlight;
    private final StringBuilder partial = new StringBuilder();
    private final CompletableFuture<Map<String, Object>> connected = new CompletableFuture<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    /** clientClock → the push: record id and n. */
    private final Map<Integer, Object[]> pending = new ConcurrentHashMap<>();
    /** record id → every n pushed, in order. */
    private final Map<String, List<Long>> sent = new ConcurrentHashMap<>();
    /** record id → the n of the last acknowledged push. */
    private final Map<String, Long> acked = new ConcurrentHashMap<>();

    private final java.util.concurrent.atomic.AtomicInteger ackCount = new java.util.concurrent.atomic.AtomicInteger();
    /** Nanoseconds from sending each acknowledged push to its {@code push_result}, in arrival order. */
    private final java.util.Queue<Long> latencies = new java.util.concurrent.ConcurrentLinkedQueue<>();

    private volatile WebSocket socket;
    private int clientClock;
    private long n;

    private LoadClient(String name, int recordsPerClient, int maxInFlight) {
        this.name = name;
        this.recordsPerClient = recordsPerClient;
        this.inFlight = new Semaphore(maxInFlight);
    }

    /** Opens a socket and completes the handshake with {@code lastServerClock}; returns the client. */
    static LoadClient connect(String wsUri, String name, long lastServerClock) {
        LoadClient c = new LoadClient(name, 4, 8);
        c.socket = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create(wsUri), c)
                .orTimeout(5, TimeUnit.SECONDS)
                .join();
        Map<String, Object> connect = new LinkedHashMap<>();
        connect.put("type", "connect");
        connect.put("connectRequestId", name + "-connect");
        connect.put("lastServerClock", lastServerClock);
        connect.put("protocolVersion", 8);
        connect.put("schema", SCHEMA);
        c.sendJson(connect);
        c.connected.orTimeout(10, TimeUnit.SECONDS).join();
        return c;
    }

    /** Returns the server's connect reply. */
    Map<String, Object> connectReply() {
        return connected.join();
    }

    /**
     * Sends the next push (a put the first time a record is written, a patch later), waiting while too many
     * pushes are in flight. Returns false if the socket closed.
     */
    boolean pushNext() throws InterruptedException {
        while (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            if (closed.isDone()) {
                return false;
            }
        }
        int clock;
        long value;
        String id;
        Map<String, Object> op;
        synchronized (this) {
            clock = clientClock++;
            value = ++n;
            id = "note:" + name + "-" + (value % recordsPerClient);
            boolean first = !sent.containsKey(id);
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("id", id);
            record.put("typeName", "note");
            record.put("owner", name);
            record.put("n", value);
            op = first
                    ? Map.of(id, List.of("put", record))
                    : Map.of(id, List.of("patch", Map.of("n", List.of("put", value))));
            sent.computeIfAbsent(id, k -> new ArrayList<>()).add(value);
            pending.put(clock, new Object[] {id, value, System.nanoTime()});
        }
        try {
            sendJson(Map.of("type", "push", "clientClock", clock, "diff", op));
        } catch (RuntimeException e) {
            return false;
        }
        return !closed.isDone();
    }

    private void sendJson(Map<String, Object> message) {
        // sends are serialized: java.net.http allows one outstanding send per socket
        synchronized (socket) {
            socket.sendText(TestJson.stringify(message), true)
                    .orTimeout(5, TimeUnit.SECONDS)
                    .join();
        }
    }

    /** Returns every n pushed per record. */
    Map<String, List<Long>> sent() {
        synchronized (this) {
            Map<String, List<Long>> copy = new LinkedHashMap<>();
            sent.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            return copy;
        }
    }

    /** Returns the n of the last acknowledged push per record. */
    Map<String, Long> acked() {
        return Map.copyOf(acked);
    }

    /** Returns how many pushes were acknowledged. */
    int ackedCount() {
        return ackCount.get();
    }

    /** Removes and returns the push-to-acknowledgement times recorded so far, in nanoseconds. */
    List<Long> drainLatencies() {
        List<Long> out = new ArrayList<>();
        for (Long l = latencies.poll(); l != null; l = latencies.poll()) {
            out.add(l);
        }
        return out;
    }

    CompletableFuture<Integer> closed() {
        return closed;
    }

    void abort() {
        socket.abort();
    }

    @Override
    public void onOpen(WebSocket webSocket) {
        webSocket.request(1);
    }

    @Override
    public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
        partial.append(data);
        if (last) {
            String text = partial.toString();
            partial.setLength(0);
            onMessage(text);
        }
        webSocket.request(1);
        return null;
    }

    @SuppressWarnings("unchecked")
    private void onMessage(String text) {
        Map<String, Object> m = (Map<String, Object>) TestJson.parse(text);
        switch (String.valueOf(m.get("type"))) {
            case "connect" -> connected.complete(m);
            case "data" -> {
                for (Object event : (List<Object>) m.get("data")) {
                    onEvent((Map<String, Object>) event);
                }
            }
            default -> onEvent(m);
        }
    }

    private void onEvent(Map<String, Object> event) {
        if (!"push_result".equals(event.get("type"))) {
            return;
        }
        int clock = ((Number) event.get("clientClock")).intValue();
        Object[] push = pending.remove(clock);
        if (push == null) {
            return;
        }
        if (!"commit".equals(event.get("action"))) {
            throw new AssertionError(name + ": push " + clock + " got " + event);
        }
        acked.merge((String) push[0], (Long) push[1], Math::max);
        latencies.add(System.nanoTime() - (Long) push[2]);
        ackCount.incrementAndGet();
        inFlight.release();
    }

    @Override
    public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
        closed.complete(statusCode);
        inFlight.release(1000);
        return null;
    }

    @Override
    public void onError(WebSocket webSocket, Throwable error) {
        closed.complete(-1);
        inFlight.release(1000);
    }
}
