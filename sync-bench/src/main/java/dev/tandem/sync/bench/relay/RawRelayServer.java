package dev.tandem.sync.bench.relay;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.server.WebSocketUpgradeHandler;
import org.jspecify.annotations.Nullable;

/**
 * The physical floor for CPU per operation: a Jetty WebSocket server on {@code /connect/<room>} that speaks just
 * enough of the tldraw sync protocol v8 for the load generator and does no sync work. It answers {@code connect}
 * with an empty {@code wipe_all}, each {@code push} with a {@code commit} result at the room's next clock, and
 * forwards the pushed diff text, unparsed, as a {@code patch} to the room's other sessions. Batched like Tandem:
 * the first data message to a quiet session goes out at once and later ones are batched for 16 ms into one
 * {@code data} frame; a window that sent something opens the next at once (so a busy session gets one frame per
 * 16 ms); the patch text is built once per push.
 *
 * <pre>java -cp sync-bench/target/benchmarks.jar dev.tandem.sync.bench.relay.RawRelayServer 8789</pre>
 *
 * <p>Prints {@code listening <port>} once it accepts connections. Benchmark tool only: no validation, no
 * limits, no persistence.
 */
public final class RawRelayServer {
    static final long BATCH_NANOS = TimeUnit.MILLISECONDS.toNanos(16);

    private final ConcurrentHashMap<String, RelayRoom> rooms = new ConcurrentHashMap<>();
    private final ScheduledExecutorService timers = Executors.newSingleThreadScheduledExecutor(r -> {
        Thread t = new Thread(r, "relay-flush");
        t.setDaemon(true);
        return t;
    });
    private final Server server;
    private final ServerConnector connector;

    public RawRelayServer(String host, int port) {
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("relay-http");
        server = new Server(threads);
        connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(port);
        server.addConnector(connector);
        WebSocketUpgradeHandler ws = WebSocketUpgradeHandler.from(server, container -> {
            container.setMaxTextMessageSize(16L << 20);
            container.setIdleTimeout(Duration.ofMinutes(2));
            container.addMapping("/connect/*", (rq, rs, cb) -> {
                String path = rq.getHttpURI().getPath();
                String room = path.substring(path.lastIndexOf('/') + 1);
                return new RelaySession(rooms.computeIfAbsent(room, RelayRoom::new));
            });
        });
        server.setHandler(ws);
    }

    public static void main(String[] args) throws Exception {
        int port = args.length > 0 ? Integer.parseInt(args[0]) : 8789;
        RawRelayServer relay = new RawRelayServer("127.0.0.1", port);
        relay.start();
        System.out.println("listening " + relay.port());
        System.out.flush();
        Runtime.getRuntime().addShutdownHook(new Thread(relay::stop, "relay-shutdown"));
        relay.server.join();
    }

    public RawRelayServer start() throws Exception {
        server.start();
        return this;
    }

    public int port() {
        return connector.getLocalPort();
    }

    public void stop() {
        try {
            server.stop();
        } catch (Exception e) {
            // stopping anyway
        }
        timers.shutdownNow();
    }

    /** One room: its sessions and clock, guarded by the room's monitor. */
    final class RelayRoom {
        final String id;
        final List<RelaySession> sessions = new ArrayList<>();
        long clock;

        RelayRoom(String id) {
            this.id = id;
        }
    }

    /** One connection. Its outgoing batch is guarded by the room's monitor. */
    public final class RelaySession implements Session.Listener.AutoDemanding {
        private final RelayRoom room;
        private volatile @Nullable Session session;
        private final List<String> outgoing = new ArrayList<>();
        private @Nullable ScheduledFuture<?> flush;

        RelaySession(RelayRoom room) {
            this.room = room;
        }

        @Override
        public void onWebSocketOpen(Session s) {
            session = s;
            synchronized (room) {
                room.sessions.add(this);
            }
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, Callback callback) {
            leave();
            callback.succeed();
        }

        @Override
        public void onWebSocketError(Throwable cause) {
            leave();
        }

        private void leave() {
            synchronized (room) {
                room.sessions.remove(this);
                if (flush != null) {
                    flush.cancel(false);
                }
            }
        }

        @Override
        public void onWebSocketText(String text) {
            int head = Math.min(text.length(), 32);
            String start = text.substring(0, head);
            if (start.contains("\"push\"")) {
                onPush(text);
            } else if (start.contains("\"ping\"")) {
                send("{\"type\":\"pong\"}");
            } else if (start.contains("\"connect\"")) {
                onConnect(text);
            }
        }

        private void onConnect(String text) {
            String requestId = Json.valueSpan(text, "connectRequestId");
            String schema = Json.valueSpan(text, "schema");
            long clock;
            synchronized (room) {
                clock = room.clock;
            }
            send("{\"type\":\"connect\",\"connectRequestId\":" + (requestId == null ? "\"\"" : requestId)
                    + ",\"hydrationType\":\"wipe_all\",\"protocolVersion\":8,\"schema\":"
                    + (schema == null ? "{}" : schema) + ",\"diff\":{},\"serverClock\":" + clock
                    + ",\"isReadonly\":false}");
        }

        private void onPush(String text) {
            String clientClock = Json.valueSpan(text, "clientClock");
            String diff = Json.valueSpan(text, "diff");
            synchronized (room) {
                long clock = diff == null ? room.clock : ++room.clock;
                enqueue("{\"type\":\"push_result\",\"clientClock\":" + clientClock + ",\"serverClock\":" + clock
                        + ",\"action\":\"commit\"}");
                if (diff != null) {
                    String patch = "{\"type\":\"patch\",\"diff\":" + diff + ",\"serverClock\":" + clock + "}";
                    for (RelaySession other : room.sessions) {
                        if (other != this) {
                            other.enqueue(patch);
                        }
                    }
                }
            }
        }

        /** Sends a data message: at once if no batch window is open, else at the window's end. Holds the lock. */
        private void enqueue(String message) {
            if (flush == null) {
                send("{\"type\":\"data\",\"data\":[" + message + "]}");
                flush = timers.schedule(this::flush, BATCH_NANOS, TimeUnit.NANOSECONDS);
            } else {
                outgoing.add(message);
            }
        }

        private void flush() {
            synchronized (room) {
                flush = null;
                if (outgoing.isEmpty()) {
                    return;
                }
                flush = timers.schedule(this::flush, BATCH_NANOS, TimeUnit.NANOSECONDS);
                StringBuilder b = new StringBuilder("{\"type\":\"data\",\"data\":[");
                for (int i = 0; i < outgoing.size(); i++) {
                    if (i > 0) {
                        b.append(',');
                    }
                    b.append(outgoing.get(i));
                }
                b.append("]}");
                outgoing.clear();
                send(b.toString());
            }
        }

        private void send(String text) {
            Session s = session;
            if (s != null && s.isOpen()) {
                s.sendText(text, Callback.NOOP);
            }
        }
    }
}
