package dev.tandem.sync.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;

/**
 * A sync-protocol client that keeps the room's document as a client must: it applies the connect reply
 * ({@code wipe_all} first clears everything), every patch, and its own pushes once committed, and remembers the
 * last server clock to reconnect from. It pushes puts of its own flat records ({@code note:<name>-<i>} with a
 * growing {@code n}), several in flight. Thread-safe.
 */
final class MirrorClient implements WebSocket.Listener {
    private final String name;
    private final int recordsPerClient;
    private final Semaphore inFlight = new Semaphore(8);
    private final StringBuilder partial = new StringBuilder();
    private final CompletableFuture<Map<String, Object>> connected = new CompletableFuture<>();
    private final CompletableFuture<Integer> closed = new CompletableFuture<>();
    /** The document as this client holds it; guarded by this. */
    private final Map<String, Map<String, Object>> records = new HashMap<>();
    /** clientClock → the record pushed; guarded by this. */
    private final Map<Integer, Map<String, Object>> pending = new HashMap<>();

    private volatile WebSocket socket;
    private long lastServerClock;
    private int clientClock;
    private long n;
    private int acked;

    private MirrorClient(String name, int recordsPerClient) {
        this.name = name;
        this.recordsPerClient = recordsPerClient;
    }

    /** Connects with an empty document ({@code lastServerClock} -1). */
    static MirrorClient fresh(String wsUri, String name, int recordsPerClient) {
        MirrorClient c = new MirrorClient(name, recordsPerClient);
        c.lastServerClock = -1;
        c.open(wsUri);
        return c;
    }

    /**
     * Returns a new connection of the same client: same name, document, server clock and push counter, as a client
     * that reconnects after its socket closed.
     */
    MirrorClient reconnect(String wsUri) {
        MirrorClient c = new MirrorClient(name, recordsPerClient);
        synchronized (this) {
            c.records.putAll(records);
            c.lastServerClock = lastServerClock;
            c.n = n;
        }
        c.open(wsUri);
        return c;
    }

    private void open(String wsUri) {
        socket = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .connectTimeout(Duration.ofSeconds(5))
                .buildAsync(URI.create(wsUri), this)
                .orTimeout(10, TimeUnit.SECONDS)
                .join();
        Map<String, Object> connect = new LinkedHashMap<>();
        connect.put("type", "connect");
        connect.put("connectRequestId", name + "-connect");
        synchronized (this) {
            connect.put("lastServerClock", lastServerClock);
        }
        connect.put("protocolVersion", 8);
        connect.put("schema", LoadClient.SCHEMA);
        sendJson(connect);
        connected.orTimeout(20, TimeUnit.SECONDS).join();
    }

    Map<String, Object> connectReply() {
        return connected.join();
    }

    /**
     * Pushes a put of one of this client's records with the next {@code n} (or, with {@code newRecord}, of a
     * record never written before), waiting while too many pushes are in flight. Returns false if the socket
     * closed.
     */
    boolean pushNext(boolean newRecord) throws InterruptedException {
        while (!inFlight.tryAcquire(100, TimeUnit.MILLISECONDS)) {
            if (closed.isDone()) {
                return false;
            }
        }
        Map<String, Object> push;
        synchronized (this) {
            long value = ++n;
            String id =
                    newRecord ? "note:" + name + "-new-" + value : "note:" + name + "-" + (value % recordsPerClient);
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("id", id);
            record.put("typeName", "note");
            record.put("owner", name);
            record.put("n", value);
            int clock = clientClock++;
            pending.put(clock, record);
            Object op = records.containsKey(id)
                    ? List.of("patch", Map.of("n", List.of("put", value)))
                    : List.of("put", record);
            push = Map.of("type", "push", "clientClock", clock, "diff", Map.of(id, op));
        }
        try {
            sendJson(push);
        } catch (RuntimeException e) {
            return false;
        }
        return !closed.isDone();
    }

    /** Returns a copy of the document as this client holds it. */
    synchronized Map<String, Map<String, Object>> records() {
        Map<String, Map<String, Object>> copy = new HashMap<>();
        records.forEach((id, r) -> copy.put(id, Map.copyOf(r)));
        return copy;
    }

    String name() {
        return name;
    }

    synchronized long lastServerClock() {
        return lastServerClock;
    }

    synchronized int ackedCount() {
        return acked;
    }

    synchronized boolean hasPending() {
        return !pending.isEmpty();
    }

    CompletableFuture<Integer> closed() {
        return closed;
    }

    void close() {
        if (!closed.isDone()) {
            socket.sendClose(1000, "done").orTimeout(5, TimeUnit.SECONDS).exceptionally(e -> null);
            socket.abort();
        }
    }

    private void sendJson(Map<String, Object> message) {
        synchronized (socket) {
            socket.sendText(TestJson.stringify(message), true)
                    .orTimeout(5, TimeUnit.SECONDS)
                    .join();
        }
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
            case "connect" -> {
                synchronized (this) {
                    if ("wipe_all".equals(m.get("hydrationType"))) {
                        records.clear();
                    }
                    apply((Map<String, Object>) m.get("diff"));
                    lastServerClock = ((Number) m.get("serverClock")).longValue();
                }
                connected.complete(m);
            }
            case "data" -> {
                for (Object event : (List<Object>) m.get("data")) {
                    onEvent((Map<String, Object>) event);
                }
            }
            default -> onEvent(m);
        }
    }

    @SuppressWarnings("unchecked")
    private synchronized void onEvent(Map<String, Object> event) {
        String type = String.valueOf(event.get("type"));
        if ("patch".equals(type)) {
            apply((Map<String, Object>) event.get("diff"));
            lastServerClock = ((Number) event.get("serverClock")).longValue();
        } else if ("push_result".equals(type)) {
            Map<String, Object> record = pending.remove(((Number) event.get("clientClock")).intValue());
            Object action = event.get("action");
            if ("commit".equals(action) && record != null) {
                records.put((String) record.get("id"), record);
            } else if (action instanceof Map<?, ?> rebase) {
                apply((Map<String, Object>) rebase.get("rebaseWithDiff"));
            }
            lastServerClock = ((Number) event.get("serverClock")).longValue();
            acked++;
            inFlight.release();
        }
    }

    /** Applies a network diff of flat records: puts, removes, and patches that put or delete fields. */
    @SuppressWarnings("unchecked")
    private void apply(Map<String, Object> diff) {
        for (Map.Entry<String, Object> e : diff.entrySet()) {
            List<Object> op = (List<Object>) e.getValue();
            switch (String.valueOf(op.get(0))) {
                case "put" -> records.put(e.getKey(), new HashMap<>((Map<String, Object>) op.get(1)));
                case "remove" -> records.remove(e.getKey());
                case "patch" -> {
                    Map<String, Object> r = new HashMap<>(records.getOrDefault(e.getKey(), Map.of()));
                    for (Map.Entry<String, Object> f : ((Map<String, Object>) op.get(1)).entrySet()) {
                        List<Object> fieldOp = (List<Object>) f.getValue();
                        switch (String.valueOf(fieldOp.get(0))) {
                            case "put" -> r.put(f.getKey(), fieldOp.get(1));
                            case "delete" -> r.remove(f.getKey());
                            default -> throw new AssertionError(name + ": unexpected field op " + fieldOp);
                        }
                    }
                    records.put(e.getKey(), r);
                }
                default -> throw new AssertionError(name + ": unexpected op " + op);
            }
        }
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
