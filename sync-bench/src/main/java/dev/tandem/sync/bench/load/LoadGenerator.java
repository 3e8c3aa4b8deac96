package dev.tandem.sync.bench.load;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.websocket.client.WebSocketClient;

/**
 * A load generator speaking the tldraw sync protocol v8 with light clients: N clients in R rooms of one server,
 * each pushing creates and updates of a small {@code page} record (half each) at an offered total rate, open
 * loop, for a bounded time. Prints one JSON line with connect time, offered and committed ops/s,
 * push→push_result and fan-out latency percentiles, deliveries/s, frames/s and the server's CPU and RSS.
 *
 * <pre>
 * java -cp sync-bench/target/benchmarks.jar dev.tandem.sync.bench.load.LoadGenerator \
 *     --url http://127.0.0.1:8787/ --clients 200 --rooms 10 --rate 2000 --duration 20 --server-pid 1234
 * </pre>
 *
 * Options: {@code --url (comma-separated for the nodes of a cluster: client i connects to node i % nodes) --label --clients --rooms --room-offset --room-prefix --rate --changes --warmup
 * --duration --drain --max-in-flight --server-pid --workload synthetic|tldraw} (seconds for times). With {@code
 * --workload tldraw} the rooms default to one per 20 clients and the rate to 30 pushes/s per client (see {@link
 * LoadConfig.Workload#TLDRAW}). Connects with tldraw 5.4.2's schema, so
 * Tandem (pinned or tldraw schema), tldraw's own server and the raw relay all accept it. Stops by itself:
 * connect (at most 30 s), warmup, window, drain.
 */
public final class LoadGenerator {
    private static final long PING_INTERVAL_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final long CONNECT_TIMEOUT_SECONDS = 30;
    private static final int CONNECT_CONCURRENCY = 32;

    private final LoadConfig config;
    private final LoadMetrics metrics = new LoadMetrics();

    private LoadGenerator(LoadConfig config) {
        this.config = config;
    }

    public static void main(String[] args) throws Exception {
        LoadConfig config;
        try {
            config = LoadConfig.parse(args);
        } catch (IllegalArgumentException e) {
            System.err.println("load-generator: " + e.getMessage());
            System.exit(2);
            return;
        }
        System.out.println(run(config));
        System.exit(0);
    }

    /** Runs the load described by {@code config} and returns its JSON line. */
    public static String run(LoadConfig config) throws Exception {
        return new LoadGenerator(config).execute();
    }

    private String execute() throws Exception {
        QueuedThreadPool threads = new QueuedThreadPool(16, 2);
        threads.setName("lg-client");
        threads.setDaemon(true);
        HttpClient http = new HttpClient();
        http.setExecutor(threads);
        WebSocketClient ws = new WebSocketClient(http);
        ws.setMaxTextMessageSize(64L << 20);
        ws.setIdleTimeout(java.time.Duration.ofMinutes(5));
        ws.start();
        List<LoadClient> clients = new ArrayList<>();
        try {
            String connect = connectMessage();
            String procTag = config.roomPrefix() + "-" + config.roomOffset();
            for (int i = 0; i < config.clients(); i++) {
                int room = config.roomOffset() + i % config.rooms();
                // the k-th user of a room is client roomOffset + k * rooms
                boolean drawer = (i / config.rooms()) % LoadConfig.Workload.USERS_PER_ROOM
                        < LoadConfig.Workload.DRAWERS_PER_ROOM;
                clients.add(new LoadClient(
                        i,
                        room,
                        "page:" + procTag + "c" + i + "r",
                        connect,
                        metrics,
                        config.changesPerClient(),
                        config.workload(),
                        drawer));
            }
            int connected = connectAll(ws, clients);
            int[] perRoom = new int[config.roomOffset() + config.rooms()];
            for (LoadClient c : clients) {
                if (c.connected.isDone() && !c.connected.isCompletedExceptionally()) {
                    perRoom[c.room]++;
                }
            }
            for (LoadClient c : clients) {
                c.roomPeers = perRoom[c.room] - 1;
            }
            List<LoadClient> live = new ArrayList<>();
            for (LoadClient c : clients) {
                if (c.connected.isDone() && !c.connected.isCompletedExceptionally()) {
                    live.add(c);
                }
            }
            return drive(live, connected);
        } finally {
            metrics.stopping = true;
            for (LoadClient c : clients) {
                c.close();
            }
            ws.stop();
        }
    }

    private int connectAll(WebSocketClient ws, List<LoadClient> clients) throws InterruptedException {
        Semaphore permits = new Semaphore(CONNECT_CONCURRENCY);
        for (LoadClient c : clients) {
            permits.acquire();
            List<URI> nodes = config.urls();
            URI base = nodes.get(c.index % nodes.size());
            URI uri = URI.create(base.toString().replaceFirst("^http", "ws") + "connect/"
                    + config.roomPrefix() + "-" + c.room + "?sessionId=" + config.roomPrefix() + "-"
                    + config.roomOffset() + "-" + c.index);
            c.connecting();
            c.connected.whenComplete((v, e) -> permits.release());
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
                    .get(CONNECT_TIMEOUT_SECONDS, TimeUnit.SECONDS);
        } catch (ExecutionException | TimeoutException e) {
            // counted below
        }
        int ok = 0;
        Throwable firstFailure = null;
        for (LoadClient c : clients) {
            if (c.connected.isDone() && !c.connected.isCompletedExceptionally()) {
                ok++;
            } else if (firstFailure == null) {
                firstFailure = c.connected.handle((v, e) -> e).getNow(null);
            }
        }
        if (ok < clients.size()) {
            System.err.println("load-generator: " + (clients.size() - ok) + " clients failed to connect"
                    + (firstFailure == null ? "" : ": " + firstFailure));
        }
        return ok;
    }

    /** Offers pushes round-robin at the configured rate until the window ends, then drains. */
    private String drive(List<LoadClient> clients, int connected) {
        long start = System.nanoTime();
        long warmup = config.warmup().toNanos();
        long window = config.duration().toNanos();
        metrics.windowStartNanos = start + warmup;
        metrics.windowEndNanos = start + warmup + window;
        double perNano = config.opsPerSecond() / 1e9;
        long offered = 0;
        long offeredInWindow = 0;
        int next = 0;
        long nextPing = start + PING_INTERVAL_NANOS;
        double cpuStart = -1;
        double jitStart = -1;
        double selfCpuStart = -1;
        double machineStart = -1;
        long rssMax = -1;
        long nextRssSample = start;
        boolean windowStarted = false;
        long end = metrics.windowEndNanos;
        while (true) {
            long now = System.nanoTime();
            if (now >= end) {
                break;
            }
            if (!windowStarted && now >= metrics.windowStartNanos) {
                windowStarted = true;
                cpuStart = ProcStats.cpuSeconds(config.serverPid());
                jitStart = ProcStats.jitCompilerCpuSeconds(config.serverPid());
                selfCpuStart = ProcStats.cpuSeconds(ProcessHandle.current().pid());
                machineStart = ProcStats.machineBusySeconds();
            }
            long due = (long) ((now - start) * perNano) - offered;
            for (long k = 0; k < due && !clients.isEmpty(); k++) {
                LoadClient c = clients.get(next);
                next = (next + 1) % clients.size();
                if (c.canPush(config.maxInFlight())) {
                    c.push();
                } else if (windowStarted) {
                    metrics.skipped.increment();
                }
                if (windowStarted) {
                    offeredInWindow++;
                }
            }
            offered += Math.max(0, due);
            if (now >= nextPing) {
                nextPing += PING_INTERVAL_NANOS;
                for (LoadClient c : clients) {
                    c.ping();
                }
            }
            if (now >= nextRssSample) {
                nextRssSample += TimeUnit.SECONDS.toNanos(1);
                rssMax = Math.max(rssMax, ProcStats.rssBytes(config.serverPid()));
            }
            LockSupport.parkNanos(500_000);
        }
        double cpuEnd = ProcStats.cpuSeconds(config.serverPid());
        double jitEnd = ProcStats.jitCompilerCpuSeconds(config.serverPid());
        double selfCpuEnd = ProcStats.cpuSeconds(ProcessHandle.current().pid());
        double machineEnd = ProcStats.machineBusySeconds();
        long rssEnd = ProcStats.rssBytes(config.serverPid());
        rssMax = Math.max(rssMax, rssEnd);
        // wait for results of changes sent in the window
        long drainUntil = System.nanoTime() + config.drain().toNanos();
        while (System.nanoTime() < drainUntil
                && metrics.committedInWindow.sum() + metrics.discarded.sum() < metrics.sentInWindow.sum()) {
            LockSupport.parkNanos(10_000_000);
        }
        double seconds = window / 1e9;
        double serverCpu = cpuStart < 0 || cpuEnd < 0 ? -1 : cpuEnd - cpuStart;
        long committed = metrics.committedInWindow.sum();
        StringBuilder j = new StringBuilder(1024);
        j.append('{');
        field(j, "label", config.label());
        field(j, "url", config.url().toString());
        if (!config.moreUrls().isEmpty()) {
            field(j, "nodes", config.urls().size());
        }
        field(j, "workload", config.workload().name().toLowerCase(Locale.ROOT));
        field(j, "generator", "java");
        field(j, "clients", config.clients());
        field(j, "connected", connected);
        field(j, "rooms", config.rooms());
        field(j, "durationS", seconds);
        field(j, "warmupS", config.warmup().toNanos() / 1e9);
        histogram(j, "connectMs", metrics.connectMicros);
        field(j, "offeredOpsPerSec", offeredInWindow / seconds);
        field(j, "sentOps", metrics.sentInWindow.sum());
        field(j, "skippedOps", metrics.skipped.sum());
        field(j, "committedOps", committed);
        field(j, "discardedOps", metrics.discarded.sum());
        field(j, "committedOpsPerSec", committed / seconds);
        histogram(j, "commitMs", metrics.commitMicros);
        histogram(j, "fanoutMs", metrics.fanoutMicros);
        histogram(j, "deliveryMs", metrics.deliveryMicros);
        field(j, "incompleteFanouts", metrics.incompleteFanouts());
        field(j, "deliveriesPerSec", metrics.deliveriesInWindow.sum() / seconds);
        field(j, "framesPerSec", metrics.framesInWindow.sum() / seconds);
        field(j, "closedEarly", metrics.closedEarly.sum());
        field(j, "serverPid", config.serverPid());
        field(j, "serverCpuS", serverCpu);
        field(j, "serverCpuUsPerOp", serverCpu < 0 || committed == 0 ? -1 : serverCpu * 1e6 / committed);
        // a JVM server still compiling (warm-up too short for its slower paths) shows here; part of serverCpuS
        field(j, "serverJitCpuS", jitStart < 0 || jitEnd < 0 ? -1 : jitEnd - jitStart);
        field(j, "serverRssMaxMb", rssMax < 0 ? -1 : rssMax / 1048576.0);
        double generatorCpu = selfCpuStart < 0 ? -1 : selfCpuEnd - selfCpuStart;
        field(j, "generatorCpuS", generatorCpu);
        // CPU used meanwhile by everything else on the machine: a busy neighbour makes the run noisy
        field(
                j,
                "otherCpuS",
                machineStart < 0 || serverCpu < 0 ? -1 : machineEnd - machineStart - serverCpu - generatorCpu);
        j.setLength(j.length() - 1);
        j.append('}');
        return j.toString();
    }

    private String connectMessage() {
        try (InputStream in = LoadGenerator.class.getResourceAsStream("tldraw-5.4.2-schema.json")) {
            if (in == null) {
                throw new IllegalStateException("schema resource missing");
            }
            String schema = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            return "{\"type\":\"connect\",\"connectRequestId\":\"lg\",\"lastServerClock\":-1,"
                    + "\"protocolVersion\":8,\"schema\":" + schema + "}";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static void histogram(StringBuilder j, String name, Histogram h) {
        j.append('"').append(name).append("\":{");
        field(j, "n", h.getTotalCount());
        field(j, "p50", h.getValueAtPercentile(50) / 1000.0);
        field(j, "p95", h.getValueAtPercentile(95) / 1000.0);
        field(j, "p99", h.getValueAtPercentile(99) / 1000.0);
        field(j, "max", h.getMaxValue() / 1000.0);
        j.setLength(j.length() - 1);
        j.append("},");
    }

    private static void field(StringBuilder j, String name, String value) {
        j.append('"').append(name).append("\":\"");
        for (int i = 0; i < value.length(); i++) {
            char c = value.charAt(i);
            if (c == '"' || c == '\\') {
                j.append('\\');
            }
            j.append(c < 0x20 ? ' ' : c);
        }
        j.append("\",");
    }

    private static void field(StringBuilder j, String name, long value) {
        j.append('"').append(name).append("\":").append(value).append(',');
    }

    private static void field(StringBuilder j, String name, double value) {
        j.append('"')
                .append(name)
                .append("\":")
                .append(String.format(Locale.ROOT, "%.3f", value))
                .append(',');
    }
}
