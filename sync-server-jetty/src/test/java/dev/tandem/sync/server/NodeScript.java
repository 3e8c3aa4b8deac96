package dev.tandem.sync.server;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Runs a Node script of a test harness to its end (or a timeout), logging and keeping its output lines. */
final class NodeScript {
    private static final Logger LOG = LoggerFactory.getLogger(NodeScript.class);

    /** How the script ended: within the timeout or not, its exit code (-1 if killed), and its output. */
    record Result(boolean finished, int exitCode, List<String> lines) {}

    private NodeScript() {}

    static Result run(Path dir, Duration timeout, Map<String, String> env, String... args)
            throws IOException, InterruptedException {
        String[] command = new String[args.length + 1];
        command[0] = "node";
        System.arraycopy(args, 0, command, 1, args.length);
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        Process process = pb.start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = r.readLine()) != null; ) {
                            LOG.info("node: {}", line);
                            lines.add(line);
                        }
                    } catch (IOException e) {
                        LOG.warn("reading node output failed", e);
                    }
                },
                "node-output");
        reader.setDaemon(true);
        reader.start();
        boolean finished = process.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS);
        if (!finished) {
            process.destroyForcibly();
        }
        reader.join(TimeUnit.SECONDS.toMillis(5));
        return new Result(finished, finished ? process.exitValue() : -1, List.copyOf(lines));
    }
}
