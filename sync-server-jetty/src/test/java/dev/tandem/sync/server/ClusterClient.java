package dev.tandem.sync.server;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.IntFunction;

/**
 * A light sync-protocol client for the cluster tests, which behaves like tldraw's: on any close it reconnects,
 * to the next node in its list, with its {@code lastServerClock}. It keeps a view of the room's document from
 * the connect diff, patches and its own committed pushes, and writes only its own records ({@code
 * note:<name>-<k>}, each a whole-record put whose {@code n} only grows), so no push ever conflicts. Pushes in
 * flight when a connection ends are forgotten (their result is unknown). Thread-safe.
 */
final class ClusterClient {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(2);

    private final String name;
    private final String room;
    private final IntFunction<String> nodeUri;
    private final int nodeCount;
    private final HttpClient http = HttpClient.newHttpClient();
    private final Map<String, Map<String, Object>> view = new ConcurrentHashMap<>();
    /** clientClock → {record id, n} of the pushes in flight on the current connection. */
    private final Map<Integer, Object[]> pending = new ConcurrentHashMap<>();

    private final Map<String, List<Long>> sent = new ConcurrentHashMap<>();
    private final Map<String, Long> acked = new ConcurrentHashMap<>();
    private final AtomicInteger ackCount = new AtomicInteger();
    private final AtomicInteger connects = new AtomicInteger();
    private volatile Conn current;
    private volatile int node;
    private volatile boolean stopped;
    private volatile long lastServerClock = -1;
    private volatile long lastConnectedNanos;
    /** When the last working connection ended, or 0 while connected. */
    private volatile long lostAtNanos;

    private volatile long longestGapNanos;
    private final AtomicInteger wipeAllAfterFirstConnect = new AtomicInteger();
    private final AtomicInteger unexpectedResults = new AtomicInteger();
    private final Map<Integer, Integer> closeCodes = new ConcurrentHashMap<>();
    private int clientClock;
    private long n;

    /** A client of {@code room} that starts on node {@code firstNode}; {@code nodeUri} gives node i's ws base. */
    ClusterClient(String name, String room, IntFunction<String> nodeUri, int nodeCount, int firstNode) {
        this.name = name;
        this.room = room;
        this.nodeUri = nodeUri;
        this.nodeCount = nodeCount;
        this.node = firstNode;
    }

    /** Connects, trying each node in turn until one answers the handshake; runs in a thread of its own. */
    void start() {
        Thread t = new Thread(this::connectLoop, "client-" + name);
        t.setDaemon(true);
        t.start();
    }

    private void connectLoop() {
        int attempt = 0;
        while (!stopped) {
            int target = node;
            try {
                Conn c = new Conn(target);
                c.socket = http.newWebSocketBuilder()
                        .connectTimeout(CONNECT_TIMEOUT)
                        .buildAsync(URI.create(nodeUri.apply(target) + "/connect/" + room + "?sessionId=" + name), c)
                        .get(CONNECT_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
                current = c;
                Map<String, Object> connect = new LinkedHashMap<>();
                connect.put("type", "connect");
                connect.put("connectRequestId", name + "-" + attempt);
                connect.put("lastServerClock", lastServerClock);
                connect.put("protocolVersion", 8);
                connect.put("schema", LoadClient.SCHEMA);
                c.send(TestJson.stringify(connect));
                if (c.connected.get(CONNECT_TIMEOUT.toMillis() * 2, TimeUnit.MILLISECONDS)) {
                    return;
                }
            } catch (Exception e) {
                // node down, paused or refusing: try the next one
            }
            Conn c = current;
            if (c != null && c.socket != null) {
                c.socket.abort();
            }
            node = (target + 1) % nodeCount;
            attempt++;
            // a client's own reconnect backoff, not a test wait
            java.util.concurrent.locks.LockSupport.parkNanos(
                    TimeUnit.MILLISECONDS.toNanos(Math.min(500, 50L * attempt)));
        }
    }

    /** Sends one push of the next value of one of its records if connected; returns whether it was sent. */
    boolean pushNext(int maxInFlight) {
        Conn c = current;
        if (c == null || !c.isConnected() || pending.size() >= maxInFlight) {
            return false;
        }
        String text;
        synchronized (this) {
            int clock = clientClock++;
            long value = ++n;
            String id = "note:" + name + "-" + (value % 4);
            Map<String, Object> record = new LinkedHashMap<>();
            record.put("id", id);
            record.put("typeName", "note");
            record.put("owner", name);
            record.put("n", value);
            sent.computeIfAbsent(id, k -> new ArrayList<>()).add(value);
            pending.put(clock, new Object[] {id, value, record});
            text = TestJson.stringify(
                    Map.of("type", "push", "clientClock", clock, "diff", Map.of(id, List.of("put", record))));
        }
        try {
            c.send(text);
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }

    boolean isConnected() {
        Conn c = current;
        return c != null && c.isConnected();
    }

    int inFlight() {
        return pending.size();
    }

    int connects() {
        return connects.get();
    }

    int ackedCount() {
        return ackCount.get();
    }

    int node() {
        return node;
    }

    long lastConnectedNanos() {
        return lastConnectedNanos;
    }

    /** Returns the longest time between losing a working connection and the next connect reply. */
    Duration longestGap() {
        return Duration.ofNanos(longestGapNanos);
    }

    /** Returns how many connects after the first one got the whole document ({@code wipe_all}). */
    int wipeAllAfterFirstConnect() {
        return wipeAllAfterFirstConnect.get();
    }

    /** Returns how many push results answered no push in flight (a push acknowledged twice, for instance). */
    int unexpectedResults() {
        return unexpectedResults.get();
    }

    /** Returns the close codes the server sent, with how often each. */
    Map<Integer, Integer> closeCodes() {
        return Map.copyOf(closeCodes);
    }

    /** Returns its document view: record id → n. */
    Map<String, Long> document() {
        Map<String, Long> out = new HashMap<>();
        view.forEach((id, r) -> out.put(id, ((Number) r.get("n")).longValue()));
        return out;
    }

    Map<String, Long> acked() {
        return Map.copyOf(acked);
    }

    Map<String, List<Long>> sent() {
        synchronized (this) {
            Map<String, List<Long>> copy = new HashMap<>();
            sent.forEach((k, v) -> copy.put(k, List.copyOf(v)));
            return copy;
        }
    }

    @Override
    public String toString() {
        return name + "{node=" + node + ", connected=" + isConnected() + ", connects=" + connects.get() + ", acked="
                + ackCount.get() + ", inFlight=" + pending.size() + ", clock=" + lastServerClock + ", records="
                + view.size() + "}";
    }

    void stop() {
        stopped = true;
        Conn c = current;
        if (c != null && c.socket != null) {
            c.socket.abort();
        }
    }

    /** A connection ended; one that had connected starts a new connect loop (one still connecting is retried by its loop). */
    private void lost(Conn c, boolean wasConnected) {
        if (current != c || stopped) {
            return;
        }
        current = null;
        pending.clear();
        if (wasConnected) {
            lostAtNanos = System.nanoTime();
            node = (c.node + 1) % nodeCount;
            start();
        }
    }

    @SuppressWarnings("unchecked")
    private synchronized void onMessage(Conn c, String text) {
        if (current != c) {
            return;
        }
        Map<String, Object> m = (Map<String, Object>) TestJson.parse(text);
        switch (String.valueOf(m.get("type"))) {
            case "connect" -> {
                if ("wipe_all".equals(m.get("hydrationType"))) {
                    view.clear();
                    if (connects.get() > 0) {
                        wipeAllAfterFirstConnect.incrementAndGet();
                    }
                }
                long lost = lostAtNanos;
                if (lost != 0) {
                    longestGapNanos = Math.max(longestGapNanos, System.nanoTime() - lost);
                    lostAtNanos = 0;
                }
                apply((Map<String, Object>) m.get("diff"));
                lastServerClock = ((Number) m.get("serverClock")).longValue();
                pending.clear();
                connects.incrementAndGet();
                lastConnectedNanos = System.nanoTime();
                c.connected.complete(true);
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
    private void onEvent(Map<String, Object> e) {
        String type = String.valueOf(e.get("type"));
        if ("patch".equals(type)) {
            apply((Map<String, Object>) e.get("diff"));
            lastServerClock = ((Number) e.get("serverClock")).longValue();
        } else if ("push_result".equals(type)) {
            Object[] push = pending.remove(((Number) e.get("clientClock")).intValue());
            lastServerClock = ((Number) e.get("serverClock")).longValue();
            if (push == null) {
                unexpectedResults.incrementAndGet();
                return;
            }
            Object action = e.get("action");
            if ("commit".equals(action)) {
                view.put((String) push[0], (Map<String, Object>) push[2]);
                acked.merge((String) push[0], (Long) push[1], Math::max);
                ackCount.incrementAndGet();
            } else if (action instanceof Map<?, ?> rebase) {
                // applied, in the form the server computed (a put of an existing record becomes a patch)
                apply((Map<String, Object>) rebase.get("rebaseWithDiff"));
                acked.merge((String) push[0], (Long) push[1], Math::max);
                ackCount.incrementAndGet();
            } else {
                throw new AssertionError(name + ": push got " + e);
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void apply(Map<String, Object> diff) {
        diff.forEach((id, opObject) -> {
            List<Object> op = (List<Object>) opObject;
            switch (String.valueOf(op.get(0))) {
                case "put" -> view.put(id, (Map<String, Object>) op.get(1));
                case "remove" -> view.remove(id);
                case "patch" -> {
                    Map<String, Object> r = new LinkedHashMap<>(view.getOrDefault(id, Map.of()));
                    ((Map<String, Object>) op.get(1)).forEach((field, fieldOp) -> {
                        List<Object> f = (List<Object>) fieldOp;
                        switch (String.valueOf(f.get(0))) {
                            case "put" -> r.put(field, f.get(1));
                            case "delete" -> r.remove(field);
                            default -> throw new AssertionError(name + ": unexpected field op " + f);
                        }
                    });
                    view.put(id, r);
                }
                default -> throw new AssertionError(name + ": unexpected op " + op);
            }
        });
    }

    /** One connection to one node. */
    private final class Conn implements WebSocket.Listener {
        final int node;
        final java.util.concurrent.CompletableFuture<Boolean> connected =
                new java.util.concurrent.CompletableFuture<>();
        private final StringBuilder partial = new StringBuilder();
        volatile WebSocket socket;
        private volatile boolean closed;

        Conn(int node) {
            this.node = node;
        }

        boolean isConnected() {
            return !closed && connected.isDone() && connected.getNow(false);
        }

        void send(String text) {
            // java.net.http allows one outstanding send per socket
            synchronized (this) {
                socket.sendText(text, true).orTimeout(5, TimeUnit.SECONDS).join();
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
                onMessage(this, text);
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            closeCodes.merge(statusCode, 1, Integer::sum);
            if (statusCode == 4099) {
                System.out.printf("client %s: closed with 4099 %s%n", name, reason);
            }
            end();
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            end();
        }

        private void end() {
            closed = true;
            boolean was = connected.isDone() && connected.getNow(false);
            connected.complete(false);
            lost(this, was);
        }
    }
}
