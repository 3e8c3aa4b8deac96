package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The standalone server jar ({@code tandem-server.jar}, built by the package phase) running as a child process
 * on a free port. Its output goes to a file; tests stop it with SIGTERM or SIGKILL.
 */
final class ServerProcess implements AutoCloseable {
    private static final Pattern STARTED = Pattern.compile("Tandem started on http://127\\.0\\.0\\.1:(\\d+)/");

    private final Process process;
    private final Path log;
    private final int port;

    private ServerProcess(List<String> jvmArgs, List<String> args, Duration startTimeout) throws IOException {
        List<String> command = new ArrayList<>();
        command.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        command.add("-Xmx256m");
        command.addAll(jvmArgs);
        command.add("-jar");
        command.add(jar().toString());
        command.add("--port");
        command.add("0");
        if (!args.contains("--schema")) {
            // these tests exercise durability and clustering with small records of their own, not tldraw's
            command.add("--schema");
            command.add("pinned");
        }
        command.addAll(args);
        this.log = Files.createTempFile("tandem-server", ".log");
        this.process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        int[] found = {-1};
        await().atMost(startTimeout)
                .pollInterval(Duration.ofMillis(50))
                .failFast("server exited", () -> !process.isAlive())
                .until(() -> {
                    for (String line : output()) {
                        Matcher m = STARTED.matcher(line);
                        if (m.find()) {
                            found[0] = Integer.parseInt(m.group(1));
                            return true;
                        }
                    }
                    return false;
                });
        this.port = found[0];
    }

    static ServerProcess start(String... args) throws IOException {
        return new ServerProcess(List.of(), List.of(args), Duration.ofSeconds(30));
    }

    /** Starts a server with extra JVM options (after the default {@code -Xmx256m}). */
    static ServerProcess startWith(List<String> jvmArgs, String... args) throws IOException {
        return new ServerProcess(jvmArgs, List.of(args), Duration.ofSeconds(60));
    }

    /**
     * Starts a server for a multi-process test on a busy machine: quick-starting JIT and serial GC, and up to 90 s
     * to start.
     */
    static ServerProcess startLight(String... args) throws IOException {
        return new ServerProcess(
                List.of("-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Xss512k"),
                List.of(args),
                Duration.ofSeconds(90));
    }

    private static Path jar() {
        String p = System.getProperty("tandem.server.jar", "target/tandem-server.jar");
        Path jar = Path.of(p);
        assertThat(Files.isRegularFile(jar))
                .as("server jar %s (built by the package phase)", jar)
                .isTrue();
        return jar;
    }

    int port() {
        return port;
    }

    String http() {
        return "http://127.0.0.1:" + port;
    }

    String ws(String room, String sessionId) {
        return "ws://127.0.0.1:" + port + "/connect/" + room + "?sessionId=" + sessionId;
    }

    /** Returns the lines the server printed so far. */
    List<String> output() {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
    }

    long pid() {
        return process.pid();
    }

    boolean isAlive() {
        return process.isAlive();
    }

    /** Sends a signal by name ({@code STOP}, {@code CONT}) with {@code kill}. */
    void signal(String name) throws IOException, InterruptedException {
        Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid()))
                .inheritIO()
                .start();
        assertThat(kill.waitFor(10, TimeUnit.SECONDS)).isTrue();
        assertThat(kill.exitValue()).as("kill -%s", name).isZero();
    }

    /** Sends SIGKILL: no shutdown hook runs, nothing is flushed. */
    void kill() throws InterruptedException {
        process.destroyForcibly();
        assertThat(process.waitFor(10, TimeUnit.SECONDS)).isTrue();
    }

    /** Sends SIGTERM and returns the exit code. */
    int terminate() throws InterruptedException {
        process.destroy();
        assertThat(process.waitFor(30, TimeUnit.SECONDS))
                .as("exit after SIGTERM")
                .isTrue();
        return process.exitValue();
    }

    @Override
    public void close() {
        if (process.isAlive()) {
            process.destroyForcibly();
            try {
                process.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
    }
}
