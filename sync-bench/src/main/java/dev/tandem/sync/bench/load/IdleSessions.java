package dev.tandem.sync.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.jspecify.annotations.Nullable;

/**
 * Measures server heap per idle connected session: live heap after a full GC ({@code jcmd <pid>
 * GC.class_histogram}, which collects first and sums every live object) with no session, then with N sessions
 * connected (handshake done, pinging every 5 s so none idles out), divided by N. Room objects count too,
 * amortized over their sessions.
 *
 * <pre>
 * java -cp sync-bench/target/benchmarks.jar dev.tandem.sync.bench.load.IdleSessions \
 *     --url http://127.0.0.1:8787/ --server-pid 1234 --sessions 19000 --per-room 20 \
 *     --processes 4 --bind-from 127.0.0.2
 * </pre>
 *
 * <p>Every process is limited in open files, so {@code --processes N} splits the clients over N generator
 * processes (children of this one, each holding a contiguous share of the sessions; session {@code i} is in
 * room {@code i / per-room} whichever process opens it). {@code --bind-from A} binds process {@code k}'s sockets
 * to the loopback address {@code A + k}, so each process has its own range of ephemeral ports. The server
 * needs its connection budgets raised past the session count and a per-IP connection rate that admits them.
 *
 * <p>Prints one JSON line. Run the server with the heap it is judged at, e.g. {@code -Xmx1g}.
 */
public final class IdleSessions {
    private static final Pattern TOTAL = Pattern.compile("Total\\s+(\\d+)\\s+(\\d+)");
    /** Connects in flight per generator process. */
    private static final int CONNECTS_IN_FLIGHT = 64;

    private IdleSessions() {}

    public static void main(String[] args) throws Exception {
        String line = run(args);
        if (!line.isEmpty()) {
            System.out.println(line);
        }
        System.exit(0);
    }

    /**
     * Runs the measurement and returns its JSON line; in a worker process ({@code --worker}), serves the parent and
     * returns an empty string.
     */
    static String run(String... args) throws Exception {
        URI url = URI.create("http://127.0.0.1:8787/");
        long pid = 0;
        int sessions = 10_000;
        int perRoom = 20;
        int processes = 1;
        String bindFrom = null;
        boolean worker = false;
        int first = 0;
        String prefix = "idle-" + Long.toString(System.nanoTime() % 100000, 36);
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--worker")) {
                worker = true;
                continue;
            }
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("option " + args[i] + " needs a value");
            }
            String value = args[++i];
            switch (args[i - 1]) {
                case "--url" -> url = URI.create(value.endsWith("/") ? value : value + "/");
                case "--server-pid" -> pid = Long.parseLong(value);
                case "--sessions" -> sessions = Integer.parseInt(value);
                case "--per-room" -> perRoom = Integer.parseInt(value);
                case "--processes" -> processes = Integer.parseInt(value);
                case "--bind-from" -> bindFrom = value;
                case "--first" -> first = Integer.parseInt(value);
                case "--prefix" -> prefix = value;
                default -> throw new IllegalArgumentException("unknown option " + args[i - 1]);
            }
        }
        if (processes <= 0 || processes > sessions) {
            throw new IllegalArgumentException(
                    "processes must be in [1, sessions] but was " + processes + " for " + sessions + " sessions");
        }
        if (worker) {
            runWorker(url, first, sessions, perRoom, prefix, bindFrom);
            return "";
        }
        long before = liveHeap(pid);
        long rssBefore = ProcStats.rssBytes(pid);
        long started = System.nanoTime();

        List<Share> shares = new ArrayList<>();
        int connected = 0;
        Clients local = null;
        if (processes == 1 && bindFrom == null) {
            local = Clients.open(url, 0, sessions, perRoom, prefix, null);
            connected = local.awaitConnected(connectTimeout(sessions));
        } else {
            for (int k = 0; k < processes; k++) {
                int from = (int) ((long) sessions * k / processes);
                int to = (int) ((long) sessions * (k + 1) / processes);
                String bind = bindFrom == null ? null : offset(bindFrom, k);
                shares.add(Share.start(url, from, to - from, perRoom, prefix, bind));
            }
            for (Share share : shares) {
                connected += share.awaitConnected();
            }
        }
        double connectSeconds = (System.nanoTime() - started) / 1e9;
        Thread.sleep(2000);
        long after = liveHeap(pid);
        long rssAfter = ProcStats.rssBytes(pid);
        long closedBeforeMeasure = 0;
        if (local != null) {
            closedBeforeMeasure = local.closedEarly();
            local.close();
        }
        for (Share share : shares) {
            closedBeforeMeasure += share.stop();
        }
        return String.format(
                Locale.ROOT,
                "{\"sessions\":%d,\"connected\":%d,\"rooms\":%d,\"processes\":%d,\"connectSeconds\":%.1f,"
                        + "\"liveHeapBeforeMb\":%.1f,\"liveHeapAfterMb\":%.1f,\"heapBytesPerSession\":%d,"
                        + "\"rssBeforeMb\":%.1f,\"rssAfterMb\":%.1f,\"rssBytesPerSession\":%d,"
                        + "\"closedBeforeMeasure\":%d}",
                sessions,
                connected,
                (sessions + perRoom - 1) / perRoom,
                processes,
                connectSeconds,
                before / 1048576.0,
                after / 1048576.0,
                connected == 0 ? -1 : (after - before) / connected,
                rssBefore / 1048576.0,
                rssAfter / 1048576.0,
                connected == 0 ? -1 : (rssAfter - rssBefore) / connected,
                closedBeforeMeasure);
    }

    /**
     * A child generator process: opens its share, prints {@code connected N}, keeps the sessions pinging until
     * its standard input says {@code stop} (or ends), then prints {@code closedEarly N} and exits.
     */
    private static void runWorker(URI url, int first, int count, int perRoom, String prefix, @Nullable String bind)
            throws Exception {
        Clients clients = Clients.open(url, first, count, perRoom, prefix, bind);
        int connected = clients.awaitConnected(connectTimeout(count));
        System.out.println("connected " + connected);
        System.out.flush();
        BufferedReader in = new BufferedReader(new InputStreamReader(System.in, StandardCharsets.UTF_8));
        for (String line = in.readLine(); line != null && !line.equals("stop"); line = in.readLine()) {
            // wait for the parent's measurement
        }
        long closedEarly = clients.closedEarly();
        clients.close();
        System.out.println("closedEarly " + closedEarly);
        System.out.flush();
    }

    private static Duration connectTimeout(int sessions) {
        return Duration.ofSeconds(Math.max(120, sessions / 50));
    }

    /** Returns the IPv4 address {@code k} above {@code base}. */
    private static String offset(String base, int k) throws IOException {
        byte[] a = InetAddress.getByName(base).getAddress();
        long v = ((a[0] & 0xffL) << 24 | (a[1] & 0xff) << 16 | (a[2] & 0xff) << 8 | (a[3] & 0xff)) + k;
        return ((v >> 24) & 0xff) + "." + ((v >> 16) & 0xff) + "." + ((v >> 8) & 0xff) + "." + (v & 0xff);
    }

    /** One child generator process and its share of the sessions. */
    private record Share(Process process, BufferedReader out, OutputStream in) {
        static Share start(URI url, int first, int count, int perRoom, String prefix, @Nullable String bind)
                throws IOException {
            List<String> command = new ArrayList<>(List.of(
                    Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                    "-Xmx1g",
                    "-cp",
                    System.getProperty("java.class.path"),
                    IdleSessions.class.getName(),
                    "--worker",
                    "--url",
                    url.toString(),
                    "--first",
                    String.valueOf(first),
                    "--sessions",
                    String.valueOf(count),
                    "--per-room",
                    String.valueOf(perRoom),
                    "--prefix",
                    prefix));
            if (bind != null) {
                command.add("--bind-from");
                command.add(bind);
            }
            Process p = new ProcessBuilder(command)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            return new Share(
                    p,
                    new BufferedReader(new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8)),
                    p.getOutputStream());
        }

        int awaitConnected() throws IOException {
            return Integer.parseInt(expect("connected "));
        }

        long stop() throws IOException, InterruptedException {
            in.write("stop\n".getBytes(StandardCharsets.UTF_8));
            in.flush();
            long closedEarly = Long.parseLong(expect("closedEarly "));
            process.waitFor(60, TimeUnit.SECONDS);
            return closedEarly;
        }

        private String expect(String key) throws IOException {
            for (String line = out.readLine(); line != null; line = out.readLine()) {
                if (line.startsWith(key)) {
                    return line.substring(key.length()).trim();
                }
            }
            throw new IllegalStateException("generator process ended without '" + key.trim() + "'");
        }
    }

    /** The sessions {@code [first, first + count)} of one process, each connected and pinging every 5 s. */
    private static final class Clients {
        private final WebSocketClient ws;
        private final ScheduledExecutorService pinger;
        private final LoadMetrics metrics;
        private final List<LoadClient> clients;

        private Clients(
                WebSocketClient ws, ScheduledExecutorService pinger, LoadMetrics metrics, List<LoadClient> clients) {
            this.ws = ws;
            this.pinger = pinger;
            this.metrics = metrics;
            this.clients = clients;
        }

        static Clients open(URI url, int first, int count, int perRoom, String prefix, @Nullable String bind)
                throws Exception {
            QueuedThreadPool threads = new QueuedThreadPool(16, 2);
            threads.setName("idle-client");
            threads.setDaemon(true);
            HttpClient http = new HttpClient();
            http.setExecutor(threads);
            if (bind != null) {
                http.setBindAddress(new InetSocketAddress(bind, 0));
            }
            WebSocketClient ws = new WebSocketClient(http);
            ws.setIdleTimeout(Duration.ofMinutes(10));
            ws.start();
            LoadMetrics metrics = new LoadMetrics();
            String connect = connectMessage();
            LoadClient[] clients = new LoadClient[count];
            AtomicInteger opened = new AtomicInteger();
            ScheduledExecutorService pinger = Executors.newSingleThreadScheduledExecutor(r -> {
                Thread t = new Thread(r, "idle-ping");
                t.setDaemon(true);
                return t;
            });
            // pings start with the first session: connecting all of them may take longer than the idle timeout
            pinger.scheduleAtFixedRate(
                    () -> {
                        int n = opened.get();
                        for (int i = 0; i < n; i++) {
                            clients[i].ping();
                        }
                    },
                    5,
                    5,
                    TimeUnit.SECONDS);
            Semaphore permits = new Semaphore(CONNECTS_IN_FLIGHT);
            String base = url.toString().replaceFirst("^http", "ws") + "connect/" + prefix + "-";
            for (int i = 0; i < count; i++) {
                int index = first + i;
                LoadClient c = new LoadClient(index % 4096, index / perRoom, "page:x", connect, metrics, 1);
                clients[i] = c;
                opened.set(i + 1);
                permits.acquire();
                c.connected.whenComplete((v, e) -> permits.release());
                c.connecting();
                URI uri = URI.create(base + c.room + "?sessionId=" + prefix + "-s" + index);
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
            List<LoadClient> all = List.of(clients);
            return new Clients(ws, pinger, metrics, all);
        }

        /** Waits up to {@code timeout} for every connect reply; returns how many sessions are connected. */
        int awaitConnected(Duration timeout) {
            try {
                CompletableFuture.allOf(clients.stream().map(c -> c.connected).toArray(CompletableFuture[]::new))
                        .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            } catch (Exception e) {
                // counted below
            }
            int connected = 0;
            for (LoadClient c : clients) {
                if (c.connected.isDone() && !c.connected.isCompletedExceptionally()) {
                    connected++;
                }
            }
            return connected;
        }

        /** Sessions the server closed after their connect reply. */
        long closedEarly() {
            return metrics.closedEarly.sum();
        }

        void close() throws Exception {
            pinger.shutdownNow();
            metrics.stopping = true;
            for (LoadClient c : clients) {
                c.close();
            }
            ws.stop();
        }
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

    /** tldraw 5.4.2's {@code connect} message for a fresh client. */
    static String connectMessage() throws IOException {
        try (InputStream in = IdleSessions.class.getResourceAsStream("tldraw-5.4.2-schema.json")) {
            String schema = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            return "{\"type\":\"connect\",\"connectRequestId\":\"idle\",\"lastServerClock\":-1,"
                    + "\"protocolVersion\":8,\"schema\":" + schema + "}";
        }
    }
}
