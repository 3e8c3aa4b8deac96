package dev.tandem.sync.client.cluster;

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
 * The standalone server jar of the reactor ({@code sync-server-jetty/target/tandem-server.jar}, built by its
 * package phase) as a child process on a free port, started for a multi-process test on a busy machine (quick JIT,
 * serial GC). Its output goes to a temporary file.
 */
final class NodeProcess implements AutoCloseable {
    private static final Pattern STARTED = Pattern.compile("Tandem started on http://127\\.0\\.0\\.1:(\\d+)/");

    private final Process process;
    private final Path log;
    private final int port;

    NodeProcess(List<String> args) throws IOException {
        Path jar = Path.of(System.getProperty("tandem.server.jar", "../sync-server-jetty/target/tandem-server.jar"));
        assertThat(Files.isRegularFile(jar))
                .as("server jar %s (built by sync-server-jetty's package phase)", jar)
                .isTrue();
        List<String> command = new ArrayList<>(List.of(
                Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-Xmx256m",
                "-XX:TieredStopAtLevel=1",
                "-XX:+UseSerialGC",
                "-Xss512k",
                "-jar",
                jar.toString(),
                "--port",
                "0"));
        command.addAll(args);
        this.log = Files.createTempFile("tandem-node", ".log");
        this.process = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(log.toFile())
                .start();
        int[] found = {-1};
        await().atMost(Duration.ofSeconds(90))
                .pollInterval(Duration.ofMillis(50))
                .failFast("server exited: " + log, () -> !process.isAlive())
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

    String http() {
        return "http://127.0.0.1:" + port;
    }

    List<String> output() {
        try {
            return Files.readAllLines(log, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new java.io.UncheckedIOException(e);
        }
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
