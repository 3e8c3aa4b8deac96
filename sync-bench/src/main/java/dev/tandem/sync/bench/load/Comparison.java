package dev.tandem.sync.bench.load;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.LocalDate;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Runs the same load against Tandem, tldraw's own server ({@code TLSocketRoom}) and the raw relay, back to back
 * on this machine, each server a fresh child process on 127.0.0.1 per step, and prints a Markdown table of CPU
 * per committed op and p99 latencies with ratios to tldraw and to the relay. Also writes the JSON lines, the
 * table and a PNG chart to the output directory.
 *
 * <pre>
 * sync-bench/run-comparison.sh [--rates 2000,4000] [--saturation 8000] [--duration 20] [--servers tandem,tldraw,relay]
 *     [--generator java|tldraw] [--workload synthetic|tldraw] [--generator-processes 1]
 * </pre>
 *
 * <p>{@code --generator tldraw} drives the load with tldraw's own client code ({@code load-generator.mjs}: one
 * {@code TLSyncClient} and tldraw store per client, in Node) instead of the light Java clients. {@code
 * --workload tldraw} makes each step's offered rate the pushes of {@code rate / 30} users in rooms of 20 (see
 * {@link LoadConfig.Workload#TLDRAW}).
 *
 * Run from the repository root after {@code ./mvnw -pl sync-bench -am package -DskipTests} and {@code npm ci} in
 * {@code sync-server-jetty/src/test/node}. The saturation step splits the clients and rooms over two generator
 * processes.
 */
public final class Comparison {
    private static final Pattern NUMBER = Pattern.compile("\"%s\":(-?[0-9.]+)");

    /** The repository root (the working directory unless {@code --root}). */
    private Path root = Path.of("").toAbsolutePath();

    private final List<String> servers = new ArrayList<>(List.of("tandem", "tldraw", "relay"));
    private final List<Double> rates = new ArrayList<>(List.of(2000.0, 4000.0));
    private double saturation = 8000;
    private int clients = 200;
    private int rooms = 10;
    private double duration = 20;
    // a JVM server still spends 0.1-0.3 of a core compiling 10-20 s into a run: measure it warmed up
    private double warmup = 30;
    private Path out = Path.of("sync-bench/target/comparison");
    private String tandemJvm = "";
    private String generator = "java";
    private LoadConfig.Workload workload = LoadConfig.Workload.SYNTHETIC;
    private int generatorProcesses = 1;

    public static void main(String[] args) throws Exception {
        parse(args).runAll();
        System.exit(0);
    }

    /** Parses the options of {@link #main}. */
    static Comparison parse(String... args) {
        Comparison c = new Comparison();
        for (int i = 0; i + 1 < args.length; i += 2) {
            String v = args[i + 1];
            switch (args[i]) {
                case "--servers" -> {
                    c.servers.clear();
                    c.servers.addAll(List.of(v.split(",")));
                }
                case "--rates" -> {
                    c.rates.clear();
                    for (String r : v.split(",")) {
                        c.rates.add(Double.parseDouble(r));
                    }
                }
                case "--saturation" -> c.saturation = Double.parseDouble(v);
                case "--clients" -> c.clients = Integer.parseInt(v);
                case "--rooms" -> c.rooms = Integer.parseInt(v);
                case "--duration" -> c.duration = Double.parseDouble(v);
                case "--warmup" -> c.warmup = Double.parseDouble(v);
                case "--out" -> c.out = Path.of(v);
                case "--tandem-jvm" -> c.tandemJvm = v;
                case "--generator" -> {
                    if (!v.equals("java") && !v.equals("tldraw")) {
                        throw new IllegalArgumentException("generator must be java or tldraw but was " + v);
                    }
                    c.generator = v;
                }
                case "--workload" -> c.workload = LoadConfig.Workload.parse(v);
                case "--root" -> c.root = Path.of(v).toAbsolutePath();
                case "--generator-processes" -> {
                    c.generatorProcesses = Integer.parseInt(v);
                    if (c.generatorProcesses < 1 || c.generatorProcesses > 8) {
                        throw new IllegalArgumentException("generator-processes must be in 1..8 but was " + v);
                    }
                }
                default -> throw new IllegalArgumentException("unknown option " + args[i]);
            }
        }
        return c;
    }

    /** One server at one offered load. */
    record Step(String server, double offered, int processes, Map<String, Double> figures, List<String> lines) {
        double get(String key) {
            return figures.getOrDefault(key, -1.0);
        }
    }

    /** Runs every step, writes the results to the output directory, prints the table and returns the steps. */
    List<Step> runAll() throws Exception {
        Files.createDirectories(out);
        List<Step> steps = new ArrayList<>();
        List<double[]> loads = new ArrayList<>();
        for (double r : rates) {
            loads.add(new double[] {r, generatorProcesses});
        }
        if (saturation > 0) {
            loads.add(new double[] {saturation, Math.max(2, generatorProcesses)});
        }
        for (double[] load : loads) {
            for (String server : servers) {
                Step s = runStep(server, load[0], (int) load[1]);
                steps.add(s);
                System.err.printf(
                        Locale.ROOT,
                        "%-7s offered %6.0f committed %7.1f  cpu/op %6.1f us  commit p99 %7.1f ms  fanout p99 %7.1f ms%n",
                        server,
                        s.get("offeredOpsPerSec"),
                        s.get("committedOpsPerSec"),
                        s.get("serverCpuUsPerOp"),
                        s.get("commitMs.p99"),
                        s.get("fanoutMs.p99"));
            }
        }
        List<String> jsonl = new ArrayList<>();
        for (Step s : steps) {
            jsonl.addAll(s.lines());
        }
        Files.write(out.resolve("comparison.jsonl"), jsonl);
        String table = table(steps);
        Files.writeString(out.resolve("comparison.md"), table);
        Chart.write(steps, servers, out.resolve("comparison.png"));
        System.out.println(table);
        return steps;
    }

    /** Clients of a step: fixed for the synthetic workload; for tldraw's, one per 30 offered pushes/s. */
    private int clientsAt(double rate) {
        if (workload == LoadConfig.Workload.TLDRAW) {
            int users = LoadConfig.Workload.USERS_PER_ROOM;
            return Math.max(users, (int) Math.round(rate / LoadConfig.Workload.PUSHES_PER_SECOND / users) * users);
        }
        return clients;
    }

    private int roomsAt(double rate) {
        return workload == LoadConfig.Workload.TLDRAW ? clientsAt(rate) / LoadConfig.Workload.USERS_PER_ROOM : rooms;
    }

    private Step runStep(String server, double rate, int processes) throws Exception {
        int port = freePort();
        Process p = startServer(server, port);
        try {
            awaitPort(port, p);
            String prefix = server + "-" + (long) rate + "-" + Long.toString(System.nanoTime() % 100000, 36);
            List<Process> gens = new ArrayList<>();
            int stepClients = clientsAt(rate);
            int stepRooms = roomsAt(rate);
            int procs = Math.min(processes, stepRooms);
            for (int i = 0; i < procs; i++) {
                List<String> options = List.of(
                        "--url",
                        "http://127.0.0.1:" + port + "/",
                        "--label",
                        server,
                        "--clients",
                        String.valueOf(stepClients / procs),
                        "--rooms",
                        String.valueOf(stepRooms / procs),
                        "--room-offset",
                        String.valueOf(i * (stepRooms / procs)),
                        "--room-prefix",
                        prefix,
                        "--rate",
                        String.valueOf((workload == LoadConfig.Workload.TLDRAW
                                        ? stepClients * (double) LoadConfig.Workload.PUSHES_PER_SECOND
                                        : rate)
                                / procs),
                        "--warmup",
                        String.valueOf(warmup),
                        "--duration",
                        String.valueOf(duration),
                        "--server-pid",
                        String.valueOf(p.pid()),
                        "--workload",
                        workload.name().toLowerCase(Locale.ROOT));
                List<String> cmd = new ArrayList<>();
                Path dir = root;
                if (generator.equals("tldraw")) {
                    dir = root.resolve("sync-server-jetty/src/test/node");
                    cmd.addAll(List.of("node", "load-generator.mjs"));
                } else {
                    cmd.addAll(List.of(
                            java(),
                            "-Xmx1g",
                            "-cp",
                            root.resolve("sync-bench/target/benchmarks.jar").toString(),
                            LoadGenerator.class.getName()));
                }
                cmd.addAll(options);
                gens.add(new ProcessBuilder(cmd)
                        .directory(dir.toFile())
                        .redirectError(ProcessBuilder.Redirect.INHERIT)
                        .start());
            }
            List<String> lines = new ArrayList<>();
            for (Process g : gens) {
                String line;
                try (BufferedReader r =
                        new BufferedReader(new InputStreamReader(g.getInputStream(), StandardCharsets.UTF_8))) {
                    line = r.readLine();
                }
                g.waitFor(2, TimeUnit.MINUTES);
                if (line != null && line.startsWith("{")) {
                    lines.add(line);
                }
            }
            return new Step(server, rate, processes, combine(lines), lines);
        } finally {
            p.destroy();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly().waitFor(5, TimeUnit.SECONDS);
            }
        }
    }

    /** Sums rates over generator processes; takes the worst latency and the largest CPU window. */
    private static Map<String, Double> combine(List<String> lines) {
        Map<String, Double> f = new LinkedHashMap<>();
        double committedOps = 0;
        double cpu = -1;
        double generators = 0;
        for (String line : lines) {
            generators += number(line, "generatorCpuS");
        }
        double other = Double.MAX_VALUE;
        for (String line : lines) {
            // each process saw the other generators as "other" load
            other = Math.min(other, number(line, "otherCpuS") - (generators - number(line, "generatorCpuS")));
        }
        f.put("otherCpuCores", lines.isEmpty() ? -1 : other / number(lines.get(0), "durationS"));
        f.put("generatorCpuCores", lines.isEmpty() ? -1 : generators / number(lines.get(0), "durationS"));
        for (String line : lines) {
            for (String k : List.of("offeredOpsPerSec", "committedOpsPerSec", "deliveriesPerSec", "framesPerSec")) {
                f.merge(k, number(line, k), Double::sum);
            }
            committedOps += number(line, "committedOps");
            cpu = Math.max(cpu, number(line, "serverCpuS"));
            f.merge("serverJitCpuCores", number(line, "serverJitCpuS") / number(line, "durationS"), Math::max);
            f.merge("serverRssMaxMb", number(line, "serverRssMaxMb"), Math::max);
            for (String h : List.of("commitMs", "fanoutMs", "connectMs")) {
                int at = line.indexOf("\"" + h + "\":{");
                String sub = at < 0 ? "" : line.substring(at, line.indexOf('}', at));
                f.merge(h + ".p50", number(sub, "p50"), Math::max);
                f.merge(h + ".p99", number(sub, "p99"), Math::max);
            }
        }
        f.put("serverCpuS", cpu);
        f.put("serverCpuUsPerOp", cpu < 0 || committedOps == 0 ? -1 : cpu * 1e6 / committedOps);
        return f;
    }

    private static double number(String line, String key) {
        Matcher m = Pattern.compile(String.format(NUMBER.pattern(), Pattern.quote(key)))
                .matcher(line);
        return m.find() ? Double.parseDouble(m.group(1)) : -1;
    }

    private Process startServer(String server, int port) throws IOException {
        List<String> cmd = new ArrayList<>();
        Path dir = root;
        switch (server) {
            case "tandem", "tandem-batched", "tandem-sqlite" -> {
                cmd.add(java());
                if (!tandemJvm.isBlank()) {
                    cmd.addAll(List.of(tandemJvm.trim().split("\\s+")));
                }
                cmd.addAll(List.of(
                        "-jar",
                        root.resolve("sync-server-jetty/target/tandem-server.jar")
                                .toString(),
                        "--port",
                        String.valueOf(port),
                        // every load client connects from loopback: one address for up to 4096 clients, sending
                        // as much as all of them
                        "--budget-connections-per-address",
                        "4096",
                        "--inbound-bytes-per-second",
                        "1GiB"));
                if (server.equals("tandem")) {
                    cmd.addAll(List.of("--store", "memory"));
                } else if (server.equals("tandem-batched")) {
                    // push results wait in the batch window, as on tldraw's server
                    cmd.addAll(List.of("--store", "memory", "--batch-push-results"));
                } else {
                    Path data = Files.createTempDirectory("tandem-bench");
                    cmd.addAll(List.of("--store", "sqlite", "--data", data.toString(), "--durability", "sync"));
                }
            }
            case "tldraw" -> {
                dir = root.resolve("sync-server-jetty/src/test/node");
                cmd.addAll(List.of("node", "tldraw-server.mjs", String.valueOf(port)));
            }
            case "relay" ->
                cmd.addAll(List.of(
                        java(),
                        "-cp",
                        root.resolve("sync-bench/target/benchmarks.jar").toString(),
                        "dev.tandem.sync.bench.relay.RawRelayServer",
                        String.valueOf(port)));
            default -> throw new IllegalArgumentException("unknown server " + server);
        }
        return new ProcessBuilder(cmd)
                .directory(dir.toFile())
                .redirectOutput(ProcessBuilder.Redirect.DISCARD)
                .redirectError(out.resolve(server + "-server.log").toFile())
                .start();
    }

    private static void awaitPort(int port, Process p) throws InterruptedException {
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while (System.nanoTime() < deadline) {
            if (!p.isAlive()) {
                throw new IllegalStateException("server exited with " + p.exitValue());
            }
            try (Socket s = new Socket()) {
                s.connect(new InetSocketAddress("127.0.0.1", port), 200);
                Thread.sleep(300); // let the server finish starting its handlers
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

    private String table(List<Step> steps) {
        StringBuilder b = new StringBuilder();
        b.append(String.format(
                Locale.ROOT,
                "%s workload, %s generator; %s, %s s measured after %s s warm-up per step; %d cores; %s; %s.%n%n",
                workload.name().toLowerCase(Locale.ROOT),
                generator.equals("tldraw") ? "tldraw's TLSyncClient (Node)" : "Java",
                workload == LoadConfig.Workload.TLDRAW
                        ? "20 users per room, 30 pushes/s each (offered / 30 users)"
                        : clients + " clients in " + rooms + " rooms",
                fmt(duration),
                fmt(warmup),
                Runtime.getRuntime().availableProcessors(),
                System.getProperty("java.vm.name") + " " + System.getProperty("java.version"),
                LocalDate.now()));
        b.append("| offered ops/s | server | committed ops/s | CPU µs/op | CPU/op vs tldraw | CPU/op vs relay "
                + "| CPU/op vs tandem "
                + "| commit p50 / p99 ms | commit p99 vs tldraw | fan-out p50 / p99 ms | fan-out p99 vs tldraw "
                + "| deliveries/s | frames/s | RSS MB | generator / other CPU, cores | server JIT CPU, cores |\n");
        b.append("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (Step s : steps) {
            Step tl = find(steps, "tldraw", s.offered());
            Step relay = find(steps, "relay", s.offered());
            // a Tandem variant (tandem-batched, tandem-sqlite) next to the memory store's default
            Step tandem = s.server().startsWith("tandem-") ? find(steps, "tandem", s.offered()) : null;
            b.append(String.format(
                    Locale.ROOT,
                    "| %s%s | %s | %.0f | %.1f | %s | %s | %s | %.1f / %.1f | %s | %.1f / %.1f | %s | %.0f | %.0f | %.0f | %.2f / %.2f | %s |%n",
                    fmt(s.offered()),
                    s.processes() > 1 ? " (2 gen.)" : "",
                    s.server(),
                    s.get("committedOpsPerSec"),
                    s.get("serverCpuUsPerOp"),
                    ratio(s, tl, "serverCpuUsPerOp"),
                    ratio(s, relay, "serverCpuUsPerOp"),
                    ratio(s, tandem, "serverCpuUsPerOp"),
                    s.get("commitMs.p50"),
                    s.get("commitMs.p99"),
                    ratio(s, tl, "commitMs.p99"),
                    s.get("fanoutMs.p50"),
                    s.get("fanoutMs.p99"),
                    ratio(s, tl, "fanoutMs.p99"),
                    s.get("deliveriesPerSec"),
                    s.get("framesPerSec"),
                    s.get("serverRssMaxMb"),
                    s.get("generatorCpuCores"),
                    s.get("otherCpuCores"),
                    s.get("serverJitCpuCores") < 0
                            ? "—"
                            : String.format(Locale.ROOT, "%.2f", s.get("serverJitCpuCores"))));
        }
        return b.toString();
    }

    private static String ratio(Step s, Step base, String key) {
        if (base == null || base == s || base.get(key) <= 0 || s.get(key) < 0) {
            return "—";
        }
        return String.format(Locale.ROOT, "%.2f×", s.get(key) / base.get(key));
    }

    private static Step find(List<Step> steps, String server, double offered) {
        for (Step s : steps) {
            if (s.server().equals(server) && s.offered() == offered) {
                return s;
            }
        }
        return null;
    }

    private static String fmt(double v) {
        return v == Math.rint(v) ? String.valueOf((long) v) : String.valueOf(v);
    }
}
