package dev.tandem.sync.client.testing;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** A Node.js process driven line by line over stdin/stdout, for interop tests. Not thread-safe. */
public final class NodeProcess implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(NodeProcess.class);

    /** sync-server-jetty's npm folder, where its {@code it} profile installs tldraw's packages. */
    public static final Path TLDRAW_NODE_DIR = Path.of("..", "sync-server-jetty", "src", "test", "node")
            .toAbsolutePath()
            .normalize();

    private final Process process;
    private final Writer stdin;
    private final BlockingQueue<String> lines = new LinkedBlockingQueue<>();
    private final String name;

    private NodeProcess(String name, Process process) {
        this.name = name;
        this.process = process;
        this.stdin = new OutputStreamWriter(process.getOutputStream(), StandardCharsets.UTF_8);
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        String line;
                        while ((line = r.readLine()) != null) {
                            lines.add(line);
                        }
                    } catch (IOException e) {
                        LOG.debug("{} stdout closed", name, e);
                    }
                },
                name + "-stdout");
        reader.setDaemon(true);
        reader.start();
    }

    /** Starts {@code node <script> <args>} in {@code dir} with NODE_ENV=test and the given environment. */
    public static NodeProcess start(String name, Path dir, Path script, List<String> args, Map<String, String> env)
            throws IOException {
        List<String> command = new java.util.ArrayList<>(List.of("node", script.toString()));
        command.addAll(args);
        ProcessBuilder pb =
                new ProcessBuilder(command).directory(dir.toFile()).redirectError(ProcessBuilder.Redirect.INHERIT);
        pb.environment().put("NODE_ENV", "test");
        pb.environment().putAll(env);
        return new NodeProcess(name, pb.start());
    }

    /** Sends one line. */
    public void send(String line) throws IOException {
        stdin.write(line);
        stdin.write('\n');
        stdin.flush();
    }

    /**
     * Returns the next line starting with {@code prefix} (other lines are skipped), failing on a line starting
     * with {@code error } or {@code fail }, or after {@code timeout}.
     */
    public String expect(String prefix, Duration timeout) throws InterruptedException {
        long deadline = System.nanoTime() + timeout.toNanos();
        while (true) {
            long left = deadline - System.nanoTime();
            String line = left <= 0 ? null : lines.poll(left, TimeUnit.NANOSECONDS);
            if (line == null) {
                throw new AssertionError(name + ": no line starting with '" + prefix + "' within " + timeout
                        + (process.isAlive() ? "" : " (exited " + process.exitValue() + ")"));
            }
            if (line.startsWith(prefix)) {
                return line;
            }
            if (line.startsWith("error ") || line.startsWith("fail ")) {
                throw new AssertionError(name + ": " + line);
            }
        }
    }

    @Override
    public void close() {
        process.destroy();
        try {
            if (!process.waitFor(5, TimeUnit.SECONDS)) {
                process.destroyForcibly();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            process.destroyForcibly();
        }
    }
}
