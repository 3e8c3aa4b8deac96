package dev.tandem.sync.server;

import dev.tandem.sync.core.RoomOptions;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * The standalone server: {@code java -jar tandem-server.jar}. Rooms live in memory (persistence arrives
 * with the standalone-server work). A bad option or a port already in use ends the process with one line
 * on stderr and exit code 2; SIGTERM closes every session normally before exit.
 */
@Command(
        name = "tandem-server",
        mixinStandardHelpOptions = true,
        version = "Tandem 0.1.0",
        description = "Runs a Tandem sync server speaking the tldraw sync protocol v8.",
        sortOptions = false)
public final class Main implements Callable<Integer> {
    static final int EXIT_USAGE = 2;

    @Option(
            names = "--host",
            defaultValue = "${env:TANDEM_HOST:-127.0.0.1}",
            description = "Interface to listen on (env TANDEM_HOST). Default: ${DEFAULT-VALUE}.")
    String host;

    @Option(
            names = "--port",
            defaultValue = "${env:TANDEM_PORT:-8787}",
            description = "TCP port, 0 for any free port (env TANDEM_PORT). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(
            names = "--idle-timeout",
            defaultValue = "${env:TANDEM_IDLE_TIMEOUT:-PT20S}",
            description = "Drop sessions silent this long, ISO-8601; PT0S never (env TANDEM_IDLE_TIMEOUT)."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration idleTimeout;

    @Option(
            names = "--max-message-bytes",
            defaultValue = "${env:TANDEM_MAX_MESSAGE_BYTES:-1048576}",
            description = "Largest WebSocket message accepted, at least 1 MiB (env TANDEM_MAX_MESSAGE_BYTES)."
                    + " Default: ${DEFAULT-VALUE}.")
    long maxMessageBytes;

    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Runs the server until the process is stopped. */
    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "tandem-logback.xml");
        }
        System.exit(run(args, new PrintWriter(System.err, true)));
    }

    static int run(String[] args, PrintWriter err) {
        CommandLine cli = new CommandLine(new Main());
        cli.setErr(err);
        cli.setParameterExceptionHandler((e, a) -> {
            err.println("tandem-server: " + e.getMessage() + " (see --help)");
            return EXIT_USAGE;
        });
        cli.setExecutionExceptionHandler((e, c, p) -> {
            err.println("tandem-server: " + oneLine(e));
            return EXIT_USAGE;
        });
        return cli.execute(args);
    }

    @Override
    public Integer call() {
        Logger log = LoggerFactory.getLogger(Main.class);
        TandemServer server = TandemServer.builder()
                .host(host)
                .port(port)
                .maxMessageBytes(maxMessageBytes)
                .roomOptions(RoomOptions.builder().idleTimeout(idleTimeout).build())
                .build();
        server.start();
        log.info("Tandem listening on {} (rooms in memory)", server.uri());
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            log.info("Tandem stopping");
                            server.close();
                            stopped.countDown();
                        },
                        "tandem-shutdown"));
        try {
            stopped.await();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        return 0;
    }

    private static String oneLine(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String msg = root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
        return e == root || e.getMessage() == null ? msg : e.getMessage() + ": " + msg;
    }
}
