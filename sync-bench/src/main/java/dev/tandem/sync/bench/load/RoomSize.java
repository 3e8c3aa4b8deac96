package dev.tandem.sync.bench.load;

import dev.tandem.sync.bench.records.TldrawRecords;
import dev.tandem.sync.core.Json;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.client.WebSocketClient;
import org.jspecify.annotations.Nullable;

/**
 * Measures, on Tandem and on tldraw's own server, what one large room costs: the live heap per stored record
 * and the time a fresh client takes to receive the whole room. Each server is a fresh child process on
 * 127.0.0.1; one client fills one room with {@code n} tldraw geo shapes (the same seeded records for both,
 * pushed in batches and validated by both servers against tldraw's schema), then the live heap is read after
 * a full collection — {@code jcmd GC.class_histogram} for the JVM, {@code process.memoryUsage().heapUsed}
 * after {@code global.gc()} for Node ({@code tldraw-server.mjs} under {@code --expose-gc}) — before and after
 * the fill, and {@code --receives} fresh clients ({@link RawWebSocket}, the same for every server) connect one
 * after the other with {@code lastServerClock: -1},
 * each timed from sending {@code connect} to holding the whole reply.
 *
 * <pre>
 * java -cp sync-bench/target/benchmarks.jar dev.tandem.sync.bench.load.RoomSize \
 *     [--servers tandem,tandem-sqlite,tldraw] [--records 20000,100000] [--receives 20] [--out sync-bench/target/room-size]
 *     [--tandem-jar other/tandem-server.jar] [--tandem-jvm "-Xmx2g"] [--root .]
 * </pre>
 *
 * Run from the repository root after {@code ./mvnw -pl sync-bench -am package -DskipTests} and {@code npm ci}
 * in {@code sync-server-jetty/src/test/node}. Prints a Markdown table; every wait is bounded.
 */
public final class RoomSize {
    private static final Pattern HEAP_USED = Pattern.compile("\"heapUsed\":(\\d+)");
    private static final Pattern HISTOGRAM_TOTAL = Pattern.compile("(?m)^Total\\s+\\d+\\s+(\\d+)");
    private static final int BATCH = 400;
    private static final Duration WAIT = Duration.ofSeconds(120);

    private Path root = Path.of("").toAbsolutePath();
    private List<String> servers = List.of("tandem", "tldraw");
    private List<Integer> sizes = List.of(20_000, 100_000);
    private int receives = 20;
    private Path out = Path.of("sync-bench/target/room-size");
    private String tandemJvm = "";
    private @Nullable Path tandemJar;

    /** One server, one room size. */
    record Result(
            String server,
            int records,
            long jsonChars,
            long heapBefore,
            long heapAfter,
            long replyChars,
            List<Double> receiveMs) {
        double heapPerRecord() {
            return (heapAfter - heapBefore) / (double) records;
        }

        double firstMs() {
            return receiveMs.get(0);
        }

        /**
         * The median of the second half of the receives: the first half warms the server up (a JVM compiles its
         * connect path over the first few receives of a large room, as V8 does).
         */
        double warmMs() {
            if (receiveMs.size() < 2) {
                return receiveMs.get(0);
            }
            double[] w = receiveMs.subList(receiveMs.size() / 2, receiveMs.size()).stream()
                    .mapToDouble(Double::doubleValue)
                    .sorted()
                    .toArray();
            return w[w.length / 2];
        }
    }

    public static void main(String[] args) throws Exception {
        RoomSize r = parse(args);
        List<Result> results = new ArrayList<>();
        for (int n : r.sizes) {
            for (String server : r.servers) {
                Result res = r.measure(server, n);
                results.add(res);
                System.err.printf(
                        Locale.ROOT,
                        "%-7s %7d records: heap %6.0f B/record, receive first %7.1f ms, warm %7.1f ms%n",
                        server,
                        n,
                        res.heapPerRecord(),
                        res.firstMs(),
                        res.warmMs());
            }
        }
        String table = table(results, r.receives);
        Files.createDirectories(r.out);
        Files.writeString(r.out.resolve("room-size.md"), table);
        System.out.println(table);
        System.exit(0);
    }

    /** Reads the command line; {@code --root} is the repository (the working directory by default). */
    static RoomSize parse(String... args) {
        RoomSize r = new RoomSize();
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--servers" -> r.servers = List.of(v.split(","));
                case "--records" ->
                    r.sizes = Arrays.stream(v.split(",")).map(Integer::valueOf).toList();
                case "--receives" -> r.receives = Integer.parseInt(v);
                case "--out" -> r.out = Path.of(v);
                case "--tandem-jvm" -> r.tandemJvm = v;
                case "--tandem-jar" -> r.tandemJar = Path.of(v).toAbsolutePath();
                case "--root" -> r.root = Path.of(v).toAbsolutePath();
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        if (r.receives < 1 || r.receives > 50) {
            throw new IllegalArgumentException("receives must be in 1..50 but was " + r.receives);
        }
        for (int n : r.sizes) {
            if (n < 1 || n > 1_000_000) {
                throw new IllegalArgumentException("records must be in 1..1000000 but was " + n);
            }
        }
        return r;
    }

    /** Returns the JSON text of {@code n} seeded tldraw geo shapes, the same for every server. */
    public static List<String> records(int n) {
        TldrawRecords gen = new TldrawRecords(42);
        List<String> out = new ArrayList<>(n);
        for (int i = 0; i < n; i++) {
            Map<String, Object> shape = new LinkedHashMap<>(gen.geoShape(gen.id("shape"), gen.words(2)));
            shape.put("meta", Map.of());
            @SuppressWarnings("unchecked")
            Map<String, Object> props = new LinkedHashMap<>((Map<String, Object>) shape.get("props"));
            // tldraw 5's geo shape also has these
            props.put("flipX", false);
            props.put("flipY", false);
            shape.put("props", props);
            out.add(Json.stringify(shape));
        }
        return out;
    }

    /** Returns the {@code connect} a tldraw 5.4.2 client sends with no local state. */
    static String connectFrame(String requestId) {
        try (InputStream in = LoadGenerator.class.getResourceAsStream("tldraw-5.4.2-schema.json")) {
            if (in == null) {
                throw new IllegalStateException("schema resource missing");
            }
            String schema = new String(in.readAllBytes(), StandardCharsets.UTF_8).trim();
            return "{\"type\":\"connect\",\"connectRequestId\":\"" + requestId + "\",\"lastServerClock\":-1,"
                    + "\"protocolVersion\":8,\"schema\":" + schema + "}";
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    Result measure(String server, int n) throws Exception {
        int port = freePort();
        Process p = start(server, port);
        WebSocketClient ws = new WebSocketClient();
        ws.setMaxTextMessageSize(256L << 20);
        ws.setIdleTimeout(Duration.ofMinutes(5));
        ws.start();
        try {
            awaitPort(port, p);
            URI room = URI.create("ws://127.0.0.1:" + port + "/connect/room-size-" + n);
            Inbox loader = new Inbox();
            Session s = ws.connect(loader, room).get(30, TimeUnit.SECONDS);
            s.sendText(connectFrame("fill"), Callback.NOOP);
            loader.await("\"type\":\"connect\"");
            long before = liveHeap(server, p.pid(), port);
            List<String> records = records(n);
            long chars = 0;
            int clock = 0;
            for (int from = 0; from < n; from += BATCH) {
                StringBuilder push = new StringBuilder(BATCH * 700);
                push.append("{\"type\":\"push\",\"clientClock\":")
                        .append(clock++)
                        .append(",\"diff\":{");
                for (int i = from; i < Math.min(n, from + BATCH); i++) {
                    String rec = records.get(i);
                    chars += rec.length();
                    String id = rec.substring(rec.indexOf("\"id\":\"") + 6, rec.indexOf("\"id\":\"") + 33);
                    if (i > from) {
                        push.append(',');
                    }
                    push.append('"')
                            .append(id)
                            .append("\":[\"put\",")
                            .append(rec)
                            .append(']');
                }
                push.append("}}");
                s.sendText(push.toString(), Callback.NOOP);
                String result = loader.await("\"push_result\"");
                if (!result.contains("\"commit\"")) {
                    throw new IllegalStateException(server + " did not commit the fill: " + result.substring(0, 200));
                }
            }
            long after = liveHeap(server, p.pid(), port);
            List<Double> times = new ArrayList<>();
            long replyChars = 0;
            for (int k = 0; k < receives; k++) {
                try (RawWebSocket fresh = RawWebSocket.open(port, room.getPath(), (int) WAIT.toMillis(), 1L << 30)) {
                    long t0 = System.nanoTime();
                    fresh.sendText(connectFrame("fresh" + k));
                    String reply = fresh.receiveText();
                    while (!reply.contains("\"type\":\"connect\"")) {
                        reply = fresh.receiveText();
                    }
                    times.add((System.nanoTime() - t0) / 1e6);
                    replyChars = reply.length();
                    if (reply.length() < chars) {
                        throw new IllegalStateException(server + " sent a connect reply of " + reply.length()
                                + " chars for a room of " + chars);
                    }
                }
            }
            s.close();
            return new Result(server, n, chars, before, after, replyChars, times);
        } finally {
            ws.stop();
            p.destroy();
            if (!p.waitFor(10, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
            }
        }
    }

    private Process start(String server, int port) throws IOException {
        List<String> cmd = new ArrayList<>();
        Path dir = root;
        switch (server) {
            case "tandem", "tandem-sqlite" -> {
                cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
                if (!tandemJvm.isBlank()) {
                    cmd.addAll(List.of(tandemJvm.trim().split("\\s+")));
                }
                cmd.addAll(List.of(
                        "-jar",
                        (tandemJar != null ? tandemJar : root.resolve("sync-server-jetty/target/tandem-server.jar"))
                                .toString(),
                        "--port",
                        String.valueOf(port),
                        // the fill is one client pushing the room as fast as it can
                        "--principal-bytes-per-second",
                        "1GiB"));
                if (server.equals("tandem")) {
                    cmd.addAll(List.of("--store", "memory"));
                } else {
                    // the embedded default: the room in memory, its records on disk (not on the heap twice)
                    cmd.addAll(List.of(
                            "--store",
                            "sqlite",
                            "--data",
                            Files.createTempDirectory("room-size").toString()));
                }
            }
            case "tldraw" -> {
                dir = root.resolve("sync-server-jetty/src/test/node");
                cmd.addAll(List.of("node", "--expose-gc", "tldraw-server.mjs", String.valueOf(port)));
            }
            default -> throw new IllegalArgumentException("unknown server " + server);
        }
        Files.createDirectories(out);
        return new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(out.resolve(server + "-server.log").toFile())
                .start();
    }

    /** Returns the bytes of live objects after a full collection. */
    private long liveHeap(String server, long pid, int port) throws Exception {
        if (server.equals("tldraw")) {
            HttpClient http = HttpClient.newBuilder()
                    .version(HttpClient.Version.HTTP_1_1) // no h2c upgrade: Node would take it for a WebSocket
                    .build();
            String body = http.send(
                            HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/debug/heap"))
                                    .timeout(WAIT)
                                    .build(),
                            HttpResponse.BodyHandlers.ofString())
                    .body();
            Matcher m = HEAP_USED.matcher(body);
            if (!m.find()) {
                throw new IllegalStateException(
                        "no heapUsed from tldraw's server (run node with --expose-gc): " + body);
            }
            return Long.parseLong(m.group(1));
        }
        // GC.class_histogram runs a full collection first and counts live objects only
        Process jcmd = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                        String.valueOf(pid),
                        "GC.class_histogram")
                .redirectErrorStream(true)
                .start();
        String text;
        try (InputStream in = jcmd.getInputStream()) {
            text = new String(in.readAllBytes(), StandardCharsets.UTF_8);
        }
        jcmd.waitFor(WAIT.toSeconds(), TimeUnit.SECONDS);
        Files.writeString(out.resolve("tandem-histogram-" + System.nanoTime() + ".txt"), text);
        Matcher m = HISTOGRAM_TOTAL.matcher(text);
        if (!m.find()) {
            throw new IllegalStateException(
                    "no Total line from jcmd GC.class_histogram: " + text.substring(0, Math.min(200, text.length())));
        }
        return Long.parseLong(m.group(1));
    }

    private static String table(List<Result> results, int receives) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "One room of n tldraw 5.4.2 geo shapes (about 540 chars of JSON each, with a two-word label); receive = fresh client (a plain-socket WebSocket client that decodes the reply once), connect sent → whole reply held, first of "
                        + "%d and median of the last half; %d cores; %s; %s.%n%n",
                receives,
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                LocalDate.now()));
        b.append("| records | JSON MB | server | heap B/record | heap vs tldraw | receive first / warm ms "
                + "| receive warm vs tldraw | reply MB |\n");
        b.append("|---:|---:|---|---:|---:|---:|---:|---:|\n");
        for (Result r : results) {
            Result tl = null;
            for (Result o : results) {
                if (o.server().equals("tldraw") && o.records() == r.records()) {
                    tl = o;
                }
            }
            boolean base = tl == null || tl == r;
            b.append(String.format(
                    Locale.ROOT,
                    "| %d | %.1f | %s | %.0f | %s | %.0f / %.0f | %s | %.1f |%n",
                    r.records(),
                    r.jsonChars() / 1e6,
                    r.server(),
                    r.heapPerRecord(),
                    base ? "—" : String.format(Locale.ROOT, "%.2f×", r.heapPerRecord() / tl.heapPerRecord()),
                    r.firstMs(),
                    r.warmMs(),
                    base ? "—" : String.format(Locale.ROOT, "%.2f×", r.warmMs() / tl.warmMs()),
                    r.replyChars() / 1e6));
        }
        return b.toString();
    }

    private static void awaitPort(int port, Process p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("server exited with " + p.exitValue());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                return;
            } catch (IOException e) {
                TimeUnit.MILLISECONDS.sleep(100);
            }
        }
        throw new IllegalStateException("server did not listen on " + port);
    }

    private static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** Collects a session's text messages; {@link #await} returns the next one holding a marker. */
    public static final class Inbox implements Session.Listener.AutoDemanding {
        private final BlockingQueue<String> messages = new LinkedBlockingQueue<>();
        final CompletableFuture<Void> closed = new CompletableFuture<>();

        @Override
        public void onWebSocketText(String text) {
            messages.add(text);
        }

        @Override
        public void onWebSocketClose(int statusCode, String reason, Callback callback) {
            closed.complete(null);
            messages.add("closed " + statusCode + " " + reason);
            callback.succeed();
        }

        String await(String marker) throws InterruptedException {
            long deadline = System.nanoTime() + WAIT.toNanos();
            while (true) {
                String m = messages.poll(Math.max(1, deadline - System.nanoTime()), TimeUnit.NANOSECONDS);
                if (m == null) {
                    throw new IllegalStateException("no message with " + marker + " within " + WAIT);
                }
                if (m.startsWith("closed ")) {
                    throw new IllegalStateException("the server closed the session: " + m);
                }
                if (m.contains(marker)) {
                    return m;
                }
            }
        }
    }
}
