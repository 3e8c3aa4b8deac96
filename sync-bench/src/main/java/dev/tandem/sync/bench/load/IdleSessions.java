package dev.tandem.sync.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * Measures server heap per idle connected session: live heap after a full GC ({@code jcmd <pid>
 * GC.class_histogram}, which collects first and sums every live object) with no session, then with N sessions
 * connected (handshake done, pinging every 5 s so none idles out), divided by N. Room objects count too,
 * amortized over their sessions.
 *
 * <pre>
 * java -cp sync-bench/target/benchmarks.jar dev.tandem.sync.bench.load.IdleSessions \
 *     --url http://127.0.0.1:8787/ --server-pid 1234 --sessions 10000 --per-room 20
 * </pre>
 *
 * Prints one JSON line. Run the server with the heap it is judged at, e.g. {@code -Xmx1g}.
 */
public final class IdleSessions {
    private static final Pattern TOTAL = Pattern.compile("Total\\s+(\\d+)\\s+(\\d+)");

    private IdleSessions() {}

    public static void main(String[] args) throws Exception {
        URI url = URI.create("http://127.0.0.1:8787/");
        long pid = 0;
        int sessions = 10_000;
        int perRoom = 20;
        for (int i = 0; i + 1 < args.length; i += 2) {
            switch (args[i]) {
                case "--url" -> url = URI.create(args[i + 1].endsWith("/") ? args[i + 1] : args[i + 1] + "/");
                case "--server-pid" -> pid = Long.parseLong(args[i + 1]);
                case "--sessions" -> sessions = Integer.parseInt(args[i + 1]);
                case "--per-room" -> perRoom = Integer.parseInt(args[i + 1]);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        long before = liveHeap(pid);
        long rssBefore = ProcStats.rssBytes(pid);

        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("idle-client");
        threads.setDaemon(true);
        HttpClient http = new HttpClient();
        http.setExecutor(threads);
        WebSocketClient ws = new WebSocketClient(http);
        ws.setIdleTimeout(java.time.Duration.ofMinutes(10));
        ws.start();
        LoadMetrics metrics = new LoadMetrics();
        String connect = connectMessage();
        String prefix = "idle-" + Long.toString(System.nanoTime() % 100000, 36);
        List<LoadClient> clients = new CopyOnWriteArrayList<>();
        Semaphore permits = new Semaphore(64);
        long started = System.nanoTime();
        ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "idle-ping");
            t.setDaemon(true);
            return t;
        });
        pinger.scheduleAtFixedRate(
                () -> {
                    for (LoadClient c : List.copyOf(clients)) {
                        c.ping();
                    }
                },
                5,
                5,
                TimeUnit.SECONDS);
        for (int i = 0; i < sessions; i++) {
            LoadClient c = new LoadClient(i % 4096, i / perRoom, "page:x", connect, metrics, 1);
            clients.add(c);
            permits.acquire();
            c.connected.whenComplete((v, e) -> permits.release());
            c.connecting();
            URI uri = URI.create(url.toString().replaceFirst("^http", "ws") + "connect/" + prefix + "-" + c.room
                    + "?sessionId=" + prefix + "-s" + i);
            try {
                ws.connect(c, uri).whenComplete((s, e) -> {
                    if (e != null) {
                        c.connected.completeExceptionally(e);
                    }
                });
            } catch (IOException | RuntimeException e) {
                c.connected.completeExceptionally(e);
            }
        }
        try {
            CompletableFuture.allOf(clients.stream().map(c -> c.connected).toArray(CompletableFuture[]::new))
                    .get(120, TimeUnit.SECONDS);
        } catch (Exception e) {
            // counted below
        }
        double connectSeconds = (System.nanoTime() - started) / 1e9;
        int connected = 0;
        for (LoadClient c : clients) {
            if (c.connected.isDone() && !c.connected.isCompletedExceptionally()) {
                connected++;
            }
        }
        Thread.sleep(2000);
        long after = liveHeap(pid);
        long closedBeforeMeasure = metrics.closedEarly.sum();
        long rssAfter = ProcStats.rssBytes(pid);
        pinger.shutdownNow();
        metrics.stopping = true;
        for (LoadClient c : clients) {
            c.close();
        }
        ws.stop();
        System.out.println(String.format(
                Locale.ROOT,
                "{\"sessions\":%d,\"connected\":%d,\"rooms\":%d,\"connectSeconds\":%.1f,\"liveHeapBeforeMb\":%.1f,"
                        + "\"liveHeapAfterMb\":%.1f,\"heapBytesPerSession\":%d,\"rssBeforeMb\":%.1f,"
                        + "\"rssAfterMb\":%.1f,\"rssBytesPerSession\":%d,\"closedBeforeMeasure\":%d}",
                sessions,
                connected,
                (sessions + perRoom - 1) / perRoom,
                connectSeconds,
                before / 1048576.0,
                after / 1048576.0,
                connected == 0 ? -1 : (after - before) / connected,
                rssBefore / 1048576.0,
                rssAfter / 1048576.0,
                connected == 0 ? -1 : (rssAfter - rssBefore) / connected,
                closedBeforeMeasure));
        System.exit(0);
    }

    /** Live heap bytes after a full GC, from {@code jcmd <pid> GC.class_histogram}'s total line. */
    static long liveHeap(long pid) throws IOException, InterruptedException {
        Process p = new ProcessBuilder("jcmd", String.valueOf(pid), "GC.class_histogram")
                .redirectErrorStream(true)
                .start();
        String out;
        try (InputStream in = p.getInputStream()) {
            out = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        p.waitFor(60, TimeUnit.SECONDS);
        Matcher m = TOTAL.matcher(out);
        if (!m.find()) {
            throw new IllegalStateException(
                    "no total in jcmd output: " + out.substring(0, Math.min(300, out.length())));
        }
        return Long.parseLong(m.group(2));
    }

    private static String connectMessage() throws IOException {
        try (InputStream in = IdleSessions.class.getResourceAsStream("tldraw-5.4.2-schema.json")) {
            String schema = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            return "{\"type\":\"connect\",\"connectRequestId\":\"idle\",\"lastServerClock\":-1,"
                    + "\"protocolVersion\":8,\"schema\":" + schema + "}";
        }
    }
}
