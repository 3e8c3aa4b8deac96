package dev.tandem.sync.bench.persist;

import dev.tandem.sync.bench.load.LoadGenerator;
import dev.tandem.sync.bench.records.TldrawRecords;
import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.RoomCommit;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.store.jdbc.JdbcRoomStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

/**
 * Persistence benchmarks for the standalone server: push→push_result latency and commits/s for the {@code
 * memory}, {@code sqlite} and {@code postgres} stores in {@code sync} and {@code async} durability, the load
 * time of a large room, and the heap a loaded room takes. Each server is a fresh child process ({@code
 * tandem-server.jar}) on a free 127.0.0.1 port; SQLite data goes to a temporary directory and PostgreSQL to a
 * database {@code tandem_bench_<random>} that is dropped afterwards.
 *
 * <pre>
 * sync-bench/run-persistence.sh [--parts latency,saturation,loadtime,memory] [--stores memory,sqlite,postgres]
 *     [--modes sync,async] [--clients 50] [--rooms 10] [--rate 500] [--saturation-rate 5000] [--duration 20]
 *     [--warmup 3] [--repeat 1] [--records 100000] [--memory-rooms 100] [--memory-records 1000]
 *     [--pg-host 127.0.0.1] [--pg-port 5432] [--pg-user postgres] [--out sync-bench/target/persistence]
 * </pre>
 *
 * Prints Markdown tables and writes them, with the load generator's JSON lines, to {@code --out}. Figures
 * are only as good as the machine is quiet: each row carries the load average read from {@code
 * /proc/loadavg} before and after it.
 */
public final class PersistenceBenchmark {
    private static final Pattern NUMBER = Pattern.compile("\"%s\":(-?[0-9.]+)");
    private static final Pattern HEAP_USED = Pattern.compile("heap\\s+total \\d+K, used (\\d+)K");

    private final Path root = Path.of("").toAbsolutePath();
    private List<String> parts = List.of("latency", "saturation", "loadtime", "memory");
    private List<String> stores = List.of("memory", "sqlite", "postgres");
    private List<String> modes = List.of("sync", "async");
    private int clients = 50;
    private int rooms = 10;
    private double rate = 500;
    private double saturationRate = 5000;
    private double duration = 20;
    private double warmup = 3;
    private int repeat = 1;
    private int records = 100_000;
    private int memoryRooms = 100;
    private int memoryRecords = 1000;
    private String serverJvm = "-Xms1g -Xmx1g";
    private String pgHost = "127.0.0.1";
    private int pgPort = 5432;
    private String pgUser = "postgres";
    private Path out = Path.of("sync-bench/target/persistence");
    private final List<String> jsonl = new ArrayList<>();
    private final StringBuilder report = new StringBuilder();

    public static void main(String[] args) throws Exception {
        PersistenceBenchmark b = new PersistenceBenchmark();
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--parts" -> b.parts = List.of(v.split(","));
                case "--stores" -> b.stores = List.of(v.split(","));
                case "--modes" -> b.modes = List.of(v.split(","));
                case "--clients" -> b.clients = Integer.parseInt(v);
                case "--rooms" -> b.rooms = Integer.parseInt(v);
                case "--rate" -> b.rate = Double.parseDouble(v);
                case "--saturation-rate" -> b.saturationRate = Double.parseDouble(v);
                case "--duration" -> b.duration = Double.parseDouble(v);
                case "--warmup" -> b.warmup = Double.parseDouble(v);
                case "--repeat" -> b.repeat = Integer.parseInt(v);
                case "--records" -> b.records = Integer.parseInt(v);
                case "--memory-rooms" -> b.memoryRooms = Integer.parseInt(v);
                case "--memory-records" -> b.memoryRecords = Integer.parseInt(v);
                case "--server-jvm" -> b.serverJvm = v;
                case "--pg-host" -> b.pgHost = v;
                case "--pg-port" -> b.pgPort = Integer.parseInt(v);
                case "--pg-user" -> b.pgUser = v;
                case "--out" -> b.out = Path.of(v);
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        b.runAll();
        System.exit(0);
    }

    private void runAll() throws Exception {
        Files.createDirectories(out);
        report.append(String.format(
                Locale.ROOT,
                "Run %s on %d cores, %s, %s; server JVM %s.%n%n",
                LocalDateTime.now().withNano(0),
                Runtime.getRuntime().availableProcessors(),
                cpuModel(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                serverJvm));
        if (parts.contains("latency") || parts.contains("saturation")) {
            latency();
        }
        if (parts.contains("loadtime")) {
            loadTime();
        }
        if (parts.contains("memory")) {
            memory();
        }
        Files.write(out.resolve("persistence.jsonl"), jsonl);
        Files.writeString(out.resolve("persistence.md"), report.toString());
        System.out.println(report);
    }

    // ---------------------------------------------------------------------------------------------------------
    // latency and saturation

    /** One load step: a store, a durability mode and an offered rate, with the generator's figures. */
    record Step(String store, String mode, double offered, Map<String, Double> figures, String load) {
        double get(String key) {
            return figures.getOrDefault(key, -1.0);
        }
    }

    private void latency() throws Exception {
        List<Step> steps = new ArrayList<>();
        if (parts.contains("latency")) {
            for (int r = 0; r < repeat; r++) {
                for (String store : stores) {
                    for (String mode : modes) {
                        steps.add(loadStep(store, mode, rate));
                    }
                }
            }
        }
        List<Step> saturation = new ArrayList<>();
        if (parts.contains("saturation")) {
            for (String store : stores) {
                for (String mode : modes) {
                    saturation.add(loadStep(store, mode, saturationRate));
                }
            }
        }
        report.append(String.format(
                Locale.ROOT,
                "### Push latency and commits/s%n%n%d clients in %d rooms, %s s measured after %s s warm-up;"
                        + " p50/p99 are push→push_result; CPU is the server process's.%n%n",
                clients,
                rooms,
                fmt(duration),
                fmt(warmup)));
        report.append("| store | durability | offered ops/s | committed ops/s | p50 ms | p99 ms | p50 vs memory "
                + "| server CPU s / 1k ops | load avg (1 min) before → after |\n");
        report.append("|---|---|---:|---:|---:|---:|---:|---:|---|\n");
        List<Step> all = new ArrayList<>(steps);
        all.addAll(saturation);
        for (Step s : all) {
            Step base = median(steps, "memory", s.mode());
            boolean sat = saturation.contains(s);
            report.append(String.format(
                    Locale.ROOT,
                    "| %s | %s | %s%s | %.0f | %.2f | %.2f | %s | %.3f | %s |%n",
                    s.store(),
                    s.mode(),
                    fmt(s.offered()),
                    sat ? " (saturation)" : "",
                    s.get("committedOpsPerSec"),
                    s.get("commitMs.p50"),
                    s.get("commitMs.p99"),
                    sat || base == null || base.get("commitMs.p50") <= 0
                            ? "—"
                            : String.format(Locale.ROOT, "%.2f×", s.get("commitMs.p50") / base.get("commitMs.p50")),
                    s.get("serverCpuUsPerOp") / 1000,
                    s.load()));
        }
        if (repeat > 1) {
            report.append("\nMedian p50 over ").append(repeat).append(" repeats:\n\n");
            report.append("| store | durability | p50 ms (median) | p99 ms (median) | p50 vs memory |\n");
            report.append("|---|---|---:|---:|---:|\n");
            for (String store : stores) {
                for (String mode : modes) {
                    Step m = median(steps, store, mode);
                    Step base = median(steps, "memory", mode);
                    if (m == null) {
                        continue;
                    }
                    report.append(String.format(
                            Locale.ROOT,
                            "| %s | %s | %.2f | %.2f | %s |%n",
                            store,
                            mode,
                            m.get("commitMs.p50"),
                            medianOf(steps, store, mode, "commitMs.p99"),
                            base == null
                                    ? "—"
                                    : String.format(
                                            Locale.ROOT, "%.2f×", m.get("commitMs.p50") / base.get("commitMs.p50"))));
                }
            }
        }
        report.append('\n');
    }

    private static Step median(List<Step> steps, String store, String mode) {
        List<Step> of = steps.stream()
                .filter(s -> s.store().equals(store) && s.mode().equals(mode))
                .sorted(Comparator.comparingDouble(s -> s.get("commitMs.p50")))
                .toList();
        return of.isEmpty() ? null : of.get((of.size() - 1) / 2);
    }

    private static double medianOf(List<Step> steps, String store, String mode, String key) {
        double[] v = steps.stream()
                .filter(s -> s.store().equals(store) && s.mode().equals(mode))
                .mapToDouble(s -> s.get(key))
                .sorted()
                .toArray();
        return v.length == 0 ? -1 : v[(v.length - 1) / 2];
    }

    private Step loadStep(String store, String mode, double offered) throws Exception {
        try (Server server = Server.start(this, store, mode, List.of())) {
            String before = loadAvg();
            String prefix =
                    store + "-" + mode + "-" + (long) offered + "-" + Long.toString(System.nanoTime() % 1_000_000, 36);
            List<String> cmd = List.of(
                    java(),
                    "-Xmx512m",
                    "-cp",
                    benchmarksJar(),
                    LoadGenerator.class.getName(),
                    "--url",
                    "http://127.0.0.1:" + server.port + "/",
                    "--label",
                    store + "/" + mode,
                    "--clients",
                    String.valueOf(clients),
                    "--rooms",
                    String.valueOf(rooms),
                    "--room-prefix",
                    prefix,
                    "--rate",
                    String.valueOf(offered),
                    "--warmup",
                    String.valueOf(warmup),
                    "--duration",
                    String.valueOf(duration),
                    "--drain",
                    "5",
                    "--server-pid",
                    String.valueOf(server.process.pid()));
            Process g = new ProcessBuilder(cmd)
                    .redirectError(ProcessBuilder.Redirect.INHERIT)
                    .start();
            String line;
            try (BufferedReader r =
                    new BufferedReader(new InputStreamReader(g.getInputStream(), StandardCharsets.UTF_8))) {
                line = r.readLine();
            }
            g.waitFor(2, TimeUnit.MINUTES);
            String after = loadAvg();
            if (line == null || !line.startsWith("{")) {
                throw new IllegalStateException("load generator printed no result for " + store + "/" + mode);
            }
            String tagged = "{\"part\":\"latency\",\"store\":\"" + store + "\",\"durability\":\"" + mode
                    + "\",\"loadAvgBefore\":\"" + before + "\",\"loadAvgAfter\":\"" + after + "\","
                    + line.substring(1);
            jsonl.add(tagged);
            Map<String, Double> f = figures(line);
            Step s = new Step(store, mode, offered, f, before + " → " + after);
            System.err.printf(
                    Locale.ROOT,
                    "%-8s %-5s offered %6.0f committed %7.1f  p50 %6.2f ms  p99 %7.2f ms  cpu %6.1f us/op  load %s%n",
                    store,
                    mode,
                    offered,
                    s.get("committedOpsPerSec"),
                    s.get("commitMs.p50"),
                    s.get("commitMs.p99"),
                    s.get("serverCpuUsPerOp"),
                    s.load());
            return s;
        }
    }

    private static Map<String, Double> figures(String line) {
        Map<String, Double> f = new LinkedHashMap<>();
        for (String k : List.of("offeredOpsPerSec", "committedOpsPerSec", "serverCpuS", "serverCpuUsPerOp")) {
            f.put(k, number(line, k));
        }
        for (String h : List.of("commitMs", "fanoutMs")) {
            int at = line.indexOf("\"" + h + "\":{");
            String sub = at < 0 ? "" : line.substring(at, line.indexOf('}', at));
            f.put(h + ".p50", number(sub, "p50"));
            f.put(h + ".p99", number(sub, "p99"));
        }
        return f;
    }

    // ---------------------------------------------------------------------------------------------------------
    // load time of a large room

    private void loadTime() throws Exception {
        report.append(String.format(
                Locale.ROOT,
                "### Load time of a %,d-record room%n%n"
                        + "Records: tldraw geo shapes of about 650 characters of JSON (plus the document and page"
                        + " records), written with `JdbcRoomStore.commit` in commits of 10,000 records. `store.load`"
                        + " is timed on a freshly opened store (first and best of 3); *first connect* is the time"
                        + " from opening a WebSocket to a fresh server until the whole `connect` reply has"
                        + " arrived (the first connect loads the room); *second connect* is the same for a second"
                        + " client once the room is loaded, so the difference is the load.%n%n",
                records));
        report.append("| store | write (s) | store.load first / best (ms) | first connect (ms) | second connect (ms)"
                + " | connect reply (MB) | load avg before → after |\n");
        report.append("|---|---:|---:|---:|---:|---:|---|\n");
        for (String store : stores) {
            if (store.equals("memory")) {
                continue;
            }
            Database db = Database.create(this, store);
            try {
                String before = loadAvg();
                String roomId = "big-" + records;
                long writeNanos;
                try (JdbcRoomStore s = db.open()) {
                    long t0 = System.nanoTime();
                    writeRoom(s, roomId, records, 1);
                    writeNanos = System.nanoTime() - t0;
                }
                double firstLoad = -1;
                double bestLoad = Double.MAX_VALUE;
                int loaded = -1;
                for (int i = 0; i < 3; i++) {
                    try (JdbcRoomStore s = db.open()) {
                        long t0 = System.nanoTime();
                        RoomSnapshot snap = s.load(roomId).get(5, TimeUnit.MINUTES);
                        double ms = (System.nanoTime() - t0) / 1e6;
                        loaded = snap == null ? -1 : snap.documents().size();
                        if (i == 0) {
                            firstLoad = ms;
                        }
                        bestLoad = Math.min(bestLoad, ms);
                    }
                }
                if (loaded != records) {
                    throw new IllegalStateException("loaded " + loaded + " records, wrote " + records);
                }
                double firstConnect;
                double secondConnect;
                long replyChars;
                try (Server server = Server.start(
                        this,
                        db,
                        "sync",
                        List.of(
                                "--max-queued-bytes",
                                "1GiB",
                                "--budget-queued-bytes",
                                "1GiB",
                                "--idle-timeout",
                                "0"))) {
                    Probe p1 = Probe.connect(server.port, roomId, "first");
                    firstConnect = p1.millis;
                    replyChars = p1.replyChars;
                    Probe p2 = Probe.connect(server.port, roomId, "second");
                    secondConnect = p2.millis;
                    p1.close();
                    p2.close();
                }
                String after = loadAvg();
                jsonl.add(String.format(
                        Locale.ROOT,
                        "{\"part\":\"loadtime\",\"store\":\"%s\",\"records\":%d,\"writeS\":%.3f,"
                                + "\"loadFirstMs\":%.1f,\"loadBestMs\":%.1f,\"firstConnectMs\":%.1f,"
                                + "\"secondConnectMs\":%.1f,\"replyChars\":%d,\"loadAvgBefore\":\"%s\","
                                + "\"loadAvgAfter\":\"%s\"}",
                        store,
                        records,
                        writeNanos / 1e9,
                        firstLoad,
                        bestLoad,
                        firstConnect,
                        secondConnect,
                        replyChars,
                        before,
                        after));
                report.append(String.format(
                        Locale.ROOT,
                        "| %s | %.1f | %.0f / %.0f | %.0f | %.0f | %.1f | %s → %s |%n",
                        store,
                        writeNanos / 1e9,
                        firstLoad,
                        bestLoad,
                        firstConnect,
                        secondConnect,
                        replyChars / 1048576.0,
                        before,
                        after));
                System.err.printf(
                        Locale.ROOT,
                        "loadtime %-8s write %.1f s  load %.0f/%.0f ms  connect %.0f / %.0f ms%n",
                        store,
                        writeNanos / 1e9,
                        firstLoad,
                        bestLoad,
                        firstConnect,
                        secondConnect);
            } finally {
                db.drop();
            }
        }
        report.append('\n');
    }

    /** Writes a room of {@code count} records (document, page, geo shapes) in commits of 10,000. */
    private static void writeRoom(JdbcRoomStore store, String roomId, int count, long seed) throws Exception {
        TldrawRecords gen = new TldrawRecords(seed);
        Map<String, Object> schema = schema();
        long clock = 0;
        int written = 0;
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        while (written < count) {
            LinkedHashMap<String, RoomSnapshot.Document> puts = new LinkedHashMap<>();
            clock++;
            while (written < count && puts.size() < 10_000) {
                Map<String, Object> r;
                if (written == 0) {
                    r = TldrawRecords.documentRecord();
                } else if (written == 1) {
                    r = TldrawRecords.pageRecord();
                } else {
                    r = gen.geoShape(gen.id("shape"), "shape " + written);
                }
                puts.put((String) r.get("id"), new RoomSnapshot.Document(r, clock));
                written++;
            }
            pending.add(store.commit(new RoomCommit(roomId, clock, puts, Map.of(), 0, clock == 1 ? schema : null)));
        }
        for (CompletableFuture<Void> f : pending) {
            f.get(5, TimeUnit.MINUTES);
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> schema() {
        try (InputStream in = LoadGenerator.class.getResourceAsStream("tldraw-5.4.2-schema.json")) {
            if (in == null) {
                throw new IllegalStateException("schema resource missing");
            }
            return (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    // ---------------------------------------------------------------------------------------------------------
    // memory per loaded room

    private void memory() throws Exception {
        Database db = Database.create(this, "sqlite");
        try {
            try (JdbcRoomStore s = db.open()) {
                for (int i = 0; i < memoryRooms; i++) {
                    writeRoom(s, "full-" + i, memoryRecords, i);
                }
            }
            String before = loadAvg();
            long h0;
            long h1;
            long h2;
            List<Probe> probes = new ArrayList<>();
            try (Server server = Server.start(
                    this,
                    db,
                    "sync",
                    List.of("--idle-timeout", "0", "--unload-delay", "1h", "--version-interval", "0"))) {
                // warm up the server's code paths on rooms not counted, then let them unload
                Probe.connect(server.port, "warm-full", "w").close();
                h0 = heapUsed(server.process.pid());
                for (int i = 0; i < memoryRooms; i++) {
                    probes.add(Probe.connect(server.port, "empty-" + i, "e" + i));
                }
                h1 = heapUsed(server.process.pid());
                for (int i = 0; i < memoryRooms; i++) {
                    probes.add(Probe.connect(server.port, "full-" + i, "f" + i));
                }
                h2 = heapUsed(server.process.pid());
                for (Probe p : probes) {
                    p.close();
                }
            }
            String after = loadAvg();
            double emptyRoom = (h1 - h0) / (double) memoryRooms;
            double fullRoom = (h2 - h1) / (double) memoryRooms;
            double perRecord = (fullRoom - emptyRoom) / memoryRecords;
            jsonl.add(String.format(
                    Locale.ROOT,
                    "{\"part\":\"memory\",\"rooms\":%d,\"recordsPerRoom\":%d,\"heapBaseline\":%d,\"heapEmptyRooms\":%d,"
                            + "\"heapFullRooms\":%d,\"bytesPerEmptyRoom\":%.0f,\"bytesPerFullRoom\":%.0f,"
                            + "\"bytesPerRecord\":%.0f,\"loadAvgBefore\":\"%s\",\"loadAvgAfter\":\"%s\"}",
                    memoryRooms,
                    memoryRecords,
                    h0,
                    h1,
                    h2,
                    emptyRoom,
                    fullRoom,
                    perRecord,
                    before,
                    after));
            report.append(String.format(
                    Locale.ROOT,
                    "### Memory per loaded room%n%n"
                            + "Server `%s`, SQLite store; heap used after `jcmd <pid> GC.run` (read from"
                            + " `GC.heap_info`) with no room, after %d empty rooms were loaded (one connected"
                            + " client each) and after %d more rooms of %,d geo-shape records were loaded (one"
                            + " client each).%n%n"
                            + "| heap: baseline / +%d empty rooms / +%d full rooms (MB) | per empty room (KB)"
                            + " | per %,d-record room (KB) | per record (bytes) | load avg before → after |%n"
                            + "|---|---:|---:|---:|---|%n"
                            + "| %.1f / %.1f / %.1f | %.1f | %.1f | %.0f | %s → %s |%n%n",
                    serverJvm,
                    memoryRooms,
                    memoryRooms,
                    memoryRecords,
                    memoryRooms,
                    memoryRooms,
                    memoryRecords,
                    h0 / 1048576.0,
                    h1 / 1048576.0,
                    h2 / 1048576.0,
                    emptyRoom / 1024,
                    fullRoom / 1024,
                    perRecord,
                    before,
                    after));
            System.err.printf(
                    Locale.ROOT,
                    "memory: empty room %.1f KB, %d-record room %.1f KB, %.0f B/record%n",
                    emptyRoom / 1024,
                    memoryRecords,
                    fullRoom / 1024,
                    perRecord);
        } finally {
            db.drop();
        }
    }

    /** Forces two full GCs in the process and returns its heap used afterwards, in bytes. */
    private static long heapUsed(long pid) throws Exception {
        Thread.sleep(500);
        jcmd(pid, "GC.run");
        jcmd(pid, "GC.run");
        String info = jcmd(pid, "GC.heap_info");
        Matcher m = HEAP_USED.matcher(info);
        if (!m.find()) {
            throw new IllegalStateException("cannot read heap used from: " + info);
        }
        return Long.parseLong(m.group(1)) * 1024;
    }

    private static String jcmd(long pid, String command) throws Exception {
        Path jcmd = Path.of(System.getProperty("java.home"), "bin", "jcmd");
        Process p = new ProcessBuilder(Files.exists(jcmd) ? jcmd.toString() : "jcmd", String.valueOf(pid), command)
                .redirectErrorStream(true)
                .start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("jcmd " + command + " failed: " + text);
        }
        return text;
    }

    // ---------------------------------------------------------------------------------------------------------
    // servers, databases, clients

    /** Where a server keeps its rooms: nothing, a temporary SQLite directory or a PostgreSQL database. */
    private static final class Database {
        final PersistenceBenchmark b;
        final String store;
        final Path dir;
        final String pgName;

        private Database(PersistenceBenchmark b, String store, Path dir, String pgName) {
            this.b = b;
            this.store = store;
            this.dir = dir;
            this.pgName = pgName;
        }

        static Database create(PersistenceBenchmark b, String store) throws Exception {
            return switch (store) {
                case "memory" -> new Database(b, store, null, null);
                case "sqlite" -> new Database(b, store, Files.createTempDirectory("tandem-bench-sqlite-"), null);
                case "postgres" -> {
                    String name = "tandem_bench_"
                            + Long.toString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE, 36);
                    b.psql("create database " + name);
                    yield new Database(b, store, null, name);
                }
                default -> throw new IllegalArgumentException("unknown store " + store);
            };
        }

        String jdbcUrl() {
            return "jdbc:postgresql://" + b.pgHost + ":" + b.pgPort + "/" + pgName;
        }

        List<String> serverArgs() {
            return switch (store) {
                case "memory" -> List.of("--store", "memory");
                case "sqlite" -> List.of("--store", "sqlite", "--data", dir.toString());
                default -> List.of("--store", "postgres", "--jdbc-url", jdbcUrl(), "--jdbc-user", b.pgUser);
            };
        }

        JdbcRoomStore open() {
            return store.equals("sqlite")
                    ? JdbcRoomStore.builder().sqlite(dir).build()
                    : JdbcRoomStore.builder()
                            .postgres(jdbcUrl(), b.pgUser, System.getenv("PGPASSWORD"))
                            .build();
        }

        void drop() throws Exception {
            if (dir != null) {
                try (Stream<Path> files = Files.walk(dir)) {
                    for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                        Files.deleteIfExists(p);
                    }
                }
            }
            if (pgName != null) {
                b.psql("drop database if exists " + pgName + " with (force)");
            }
        }
    }

    private void psql(String sql) throws Exception {
        Process p = new ProcessBuilder(
                        "psql",
                        "-h",
                        pgHost,
                        "-p",
                        String.valueOf(pgPort),
                        "-U",
                        pgUser,
                        "-v",
                        "ON_ERROR_STOP=1",
                        "-qc",
                        sql)
                .redirectErrorStream(true)
                .start();
        String text = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        if (!p.waitFor(60, TimeUnit.SECONDS) || p.exitValue() != 0) {
            throw new IllegalStateException("psql '" + sql + "' failed: " + text.trim());
        }
    }

    /** A server child process; closing it stops it (SIGTERM, then SIGKILL) and drops what it owns. */
    private static final class Server implements AutoCloseable {
        final Process process;
        final int port;
        final Database owned;

        private Server(Process process, int port, Database owned) {
            this.process = process;
            this.port = port;
            this.owned = owned;
        }

        /** Starts a server on a new database of the given store. */
        static Server start(PersistenceBenchmark b, String store, String mode, List<String> extra) throws Exception {
            Database db = Database.create(b, store);
            try {
                return start(b, db, mode, extra, db);
            } catch (Exception e) {
                db.drop();
                throw e;
            }
        }

        /** Starts a server on an existing database, which stays. */
        static Server start(PersistenceBenchmark b, Database db, String mode, List<String> extra) throws Exception {
            return start(b, db, mode, extra, null);
        }

        private static Server start(
                PersistenceBenchmark b, Database db, String mode, List<String> extra, Database owned) throws Exception {
            int port = freePort();
            List<String> cmd = new ArrayList<>();
            cmd.add(java());
            cmd.addAll(List.of(b.serverJvm.trim().split("\\s+")));
            cmd.addAll(List.of(
                    "-jar",
                    b.root.resolve("sync-server-jetty/target/tandem-server.jar").toString(),
                    "--port",
                    String.valueOf(port),
                    "--durability",
                    mode,
                    // the load comes from loopback, one address: no pacing of what it sends
                    "--inbound-bytes-per-second",
                    "1GiB"));
            cmd.addAll(db.serverArgs());
            cmd.addAll(extra);
            Process p = new ProcessBuilder(cmd)
                    .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectError(ProcessBuilder.Redirect.appendTo(
                            b.out.resolve("server.log").toFile()))
                    .start();
            Server s = new Server(p, port, owned);
            try {
                awaitPort(port, p);
            } catch (Exception e) {
                s.close();
                throw e;
            }
            return s;
        }

        @Override
        public void close() throws IOException {
            try {
                process.destroy();
                if (!process.waitFor(30, TimeUnit.SECONDS)) {
                    process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
                }
                if (owned != null) {
                    owned.drop();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException("interrupted while stopping the server", e);
            } catch (IOException | RuntimeException e) {
                throw e;
            } catch (Exception e) {
                throw new IOException(e);
            }
        }
    }

    /** A WebSocket client that sends {@code connect} and waits for the whole reply, then idles. */
    private static final class Probe implements WebSocket.Listener {
        private static final HttpClient HTTP = HttpClient.newHttpClient();
        private final StringBuilder buffer = new StringBuilder();
        private final CompletableFuture<String> reply = new CompletableFuture<>();
        private WebSocket socket;
        double millis;
        long replyChars;

        static Probe connect(int port, String roomId, String session) throws Exception {
            Probe p = new Probe();
            String connect = "{\"type\":\"connect\",\"connectRequestId\":\"pb\",\"lastServerClock\":-1,"
                    + "\"protocolVersion\":8,\"schema\":" + Json.stringify(schema()) + "}";
            long t0 = System.nanoTime();
            p.socket = HTTP.newWebSocketBuilder()
                    .buildAsync(
                            URI.create("ws://127.0.0.1:" + port + "/connect/" + roomId + "?sessionId=" + session), p)
                    .get(60, TimeUnit.SECONDS);
            p.socket.sendText(connect, true).get(60, TimeUnit.SECONDS);
            String m = p.reply.get(5, TimeUnit.MINUTES);
            p.millis = (System.nanoTime() - t0) / 1e6;
            p.replyChars = m.length();
            return p;
        }

        @Override
        public CompletionStage<?> onText(WebSocket webSocket, CharSequence data, boolean last) {
            buffer.append(data);
            if (last) {
                String m = buffer.toString();
                buffer.setLength(0);
                if (!reply.isDone()) {
                    if (m.contains("\"type\":\"connect\"")) {
                        reply.complete(m);
                    } else if (m.contains("\"type\":\"incompatibility_error\"") || m.contains("\"type\":\"error\"")) {
                        reply.completeExceptionally(new IllegalStateException("server refused: " + m));
                    }
                }
            }
            webSocket.request(1);
            return null;
        }

        @Override
        public CompletionStage<?> onClose(WebSocket webSocket, int statusCode, String reason) {
            reply.completeExceptionally(new IllegalStateException("closed " + statusCode + " " + reason));
            return null;
        }

        @Override
        public void onError(WebSocket webSocket, Throwable error) {
            reply.completeExceptionally(error);
        }

        void close() {
            socket.abort();
        }
    }

    private static void awaitPort(int port, Process p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("server exited with " + p.exitValue() + "; see server.log");
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                Thread.sleep(300);
                return;
            } catch (IOException e) {
                Thread.sleep(100);
            }
        }
        throw new IllegalStateException("server did not listen on " + port);
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        }
    }

    private static String java() {
        return Path.of(System.getProperty("java.home"), "bin", "java").toString();
    }

    private String benchmarksJar() {
        return root.resolve("sync-bench/target/benchmarks.jar").toString();
    }

    private static String loadAvg() {
        try {
            String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
            return f[0];
        } catch (IOException e) {
            return "?";
        }
    }

    private static String cpuModel() {
        try (Stream<String> lines = Files.lines(Path.of("/proc/cpuinfo"))) {
            return lines.filter(l -> l.startsWith("model name"))
                    .map(l -> l.substring(l.indexOf(':') + 1).trim())
                    .findFirst()
                    .orElse("unknown CPU");
        } catch (IOException e) {
            return "unknown CPU";
        }
    }

    private static double number(String line, String key) {
        Matcher m = Pattern.compile(String.format(NUMBER.pattern(), Pattern.quote(key)))
                .matcher(line);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
