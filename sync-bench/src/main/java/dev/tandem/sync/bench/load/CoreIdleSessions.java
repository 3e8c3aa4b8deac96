package dev.tandem.sync.bench.load;

import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomManager;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SessionSocket;
import dev.tandem.sync.core.SocketHandler;
import dev.tandem.sync.core.TldrawSchema;
import java.time.Duration;
import java.util.Locale;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

/**
 * Measures sync-core's heap per idle connected session without sockets, at counts one process cannot hold
 * sockets for: N sessions on an in-process {@link RoomManager} (rooms of {@code per-room}, in-memory store,
 * tldraw's schema, the standalone server's room defaults), each attached with {@code Room.connect} as a
 * transport does and connected through the real handshake: tldraw 5.4.2's {@code connect} message handed to
 * its {@link SocketHandler}, the connect reply received. Every session pings every 5 s, so none idles out.
 *
 * <p>The socket is {@link CountingSocket}: it keeps a frame count and whether a connect reply came, nothing
 * else, so the figure is the core's own cost: rooms, sessions, their presence and the {@link SocketHandler}
 * (plus the 16-byte socket and the benchmark's two array slots per session). Live heap is measured as in
 * {@link IdleSessions}, on this process: {@code jcmd <self> GC.class_histogram} before the first session and 2 s
 * ({@code --settle-seconds}) after the last connect reply, the difference over the session count. A settle time
 * past the idle timeout (20 s) shows the pings keep every session.
 *
 * <pre>
 * java -Xmx2g -cp sync-bench/target/benchmarks.jar dev.tandem.sync.bench.load.CoreIdleSessions \
 *     --sessions 50000 --per-room 20
 * </pre>
 *
 * Prints one JSON line.
 */
public final class CoreIdleSessions {
    private static final String PING = "{\"type\":\"ping\"}";

    private CoreIdleSessions() {}

    public static void main(String[] args) throws Exception {
        System.out.println(run(args));
        System.exit(0);
    }

    /** Runs the measurement and returns its JSON line. */
    static String run(String... args) throws Exception {
        int sessions = 50_000;
        int perRoom = 20;
        Duration settle = Duration.ofSeconds(2);
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--sessions" -> sessions = Integer.parseInt(args[i + 1]);
                case "--per-room" -> perRoom = Integer.parseInt(args[i + 1]);
                case "--settle-seconds" -> settle = Duration.ofSeconds(Long.parseLong(args[i + 1]));
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        long pid = ProcessHandle.current().pid();
        String connect = IdleSessions.connectMessage();
        RoomOptions options = RoomOptions.builder()
                .schema(TldrawSchema.defaults())
                .store(RoomStore.inMemory())
                .build();
        RoomManager rooms = RoomManager.create(id -> options);
        CountingSocket[] sockets = new CountingSocket[sessions];
        SocketHandler[] handlers = new SocketHandler[sessions];
        // warm the path once so that classes loaded on first use are not counted as per-session heap
        warmUp(connect);
        long before = IdleSessions.liveHeap(pid);
        long rssBefore = ProcStats.rssBytes(pid);
        long started = System.nanoTime();

        ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "idle-ping");
            t.setDaemon(true);
            return t;
        });
        int[] opened = new int[1];
        pinger.scheduleAtFixedRate(
                () -> {
                    int n;
                    synchronized (opened) {
                        n = opened[0];
                    }
                    for (int i = 0; i < n; i++) {
                        synchronized (handlers[i]) {
                            handlers[i].onText(PING);
                        }
                    }
                },
                5,
                5,
                TimeUnit.SECONDS);
        for (int i = 0; i < sessions; i++) {
            CountingSocket socket = new CountingSocket();
            SocketHandler handler =
                    rooms.room("core-idle-" + i / perRoom).connect(socket, SessionOptions.of("core-idle-s" + i));
            sockets[i] = socket;
            handlers[i] = handler;
            synchronized (handler) {
                handler.onText(connect);
            }
            synchronized (opened) {
                opened[0] = i + 1;
            }
        }
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(120);
        int connected = countConnected(sockets);
        while (connected < sessions && System.nanoTime() < deadline) {
            Thread.sleep(50);
            connected = countConnected(sockets);
        }
        double connectSeconds = (System.nanoTime() - started) / 1e9;
        Thread.sleep(settle.toMillis());
        long after = IdleSessions.liveHeap(pid);
        long rssAfter = ProcStats.rssBytes(pid);
        int inRooms = 0;
        for (Room room : rooms.rooms()) {
            inRooms += room.sessionCount();
        }
        int open = 0;
        for (CountingSocket s : sockets) {
            if (s.isOpen()) {
                open++;
            }
        }
        pinger.shutdownNow();
        rooms.close(Duration.ofSeconds(30));
        return String.format(
                Locale.ROOT,
                "{\"sessions\":%d,\"connected\":%d,\"openAtMeasure\":%d,\"sessionsInRooms\":%d,\"rooms\":%d,\"connectSeconds\":%.1f,"
                        + "\"liveHeapBeforeMb\":%.1f,\"liveHeapAfterMb\":%.1f,\"heapBytesPerSession\":%d,"
                        + "\"rssBeforeMb\":%.1f,\"rssAfterMb\":%.1f,\"maxHeapMb\":%d}",
                sessions,
                connected,
                open,
                inRooms,
                (sessions + perRoom - 1) / perRoom,
                connectSeconds,
                before / 1048576.0,
                after / 1048576.0,
                connected == 0 ? -1 : (after - before) / connected,
                rssBefore / 1048576.0,
                rssAfter / 1048576.0,
                Runtime.getRuntime().maxMemory() / 1048576);
    }

    /** Connects and closes a few sessions in a room of their own, which then unloads. */
    private static void warmUp(String connect) throws InterruptedException {
        RoomOptions options = RoomOptions.builder()
                .schema(TldrawSchema.defaults())
                .store(RoomStore.inMemory())
                .unloadDelay(Duration.ofMillis(1))
                .build();
        try (RoomManager warm = RoomManager.create(id -> options)) {
            CountingSocket[] sockets = new CountingSocket[3];
            for (int i = 0; i < sockets.length; i++) {
                sockets[i] = new CountingSocket();
                SocketHandler h = warm.room("warm").connect(sockets[i], SessionOptions.of("warm-" + i));
                h.onText(connect);
                h.onText(PING);
            }
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (countConnected(sockets) < sockets.length && System.nanoTime() < deadline) {
                Thread.sleep(10);
            }
        }
    }

    private static int countConnected(CountingSocket[] sockets) {
        int n = 0;
        for (CountingSocket s : sockets) {
            if (s != null && s.connectReplied() && s.isOpen()) {
                n++;
            }
        }
        return n;
    }

    /**
     * A socket that keeps a frame count and whether a connect reply arrived: the least a transport can hold.
     * The room calls it from its lane; the benchmark reads it from its own thread, hence volatile.
     */
    private static final class CountingSocket implements SessionSocket {
        private volatile int frames;
        private volatile boolean open = true;

        @Override
        public boolean send(String text) {
            // the first frame of a session is its connect reply, or the close that refuses it
            if (frames == 0 && !text.startsWith("{\"type\":\"connect\"")) {
                open = false;
            }
            frames++;
            return open;
        }

        @Override
        public void close(int code, String reason) {
            open = false;
        }

        @Override
        public void close() {
            open = false;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        boolean connectReplied() {
            return frames > 0;
        }
    }
}
