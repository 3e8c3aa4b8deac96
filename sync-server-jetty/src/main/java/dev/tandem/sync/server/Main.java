package dev.tandem.sync.server;

import dev.tandem.sync.core.Authenticator;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.redis.ClusterOptions;
import dev.tandem.sync.server.internal.cli.AuthFlags;
import dev.tandem.sync.server.internal.cli.BudgetOptions;
import dev.tandem.sync.server.internal.cli.BuiltInDefaults;
import dev.tandem.sync.server.internal.cli.ClusterFlags;
import dev.tandem.sync.server.internal.cli.ConfigDefaults;
import dev.tandem.sync.server.internal.cli.LimitFlags;
import dev.tandem.sync.server.internal.cli.RoomFlags;
import dev.tandem.sync.server.internal.cli.ServerFlags;
import dev.tandem.sync.server.internal.cli.StoreFlags;
import dev.tandem.sync.server.internal.cluster.JdbcRoomFence;
import dev.tandem.sync.store.jdbc.JdbcRoomStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * The standalone server: {@code java -jar tandem-server.jar}. Rooms persist in SQLite under {@code
 * ./tandem-data} by default, or in PostgreSQL or memory. Every option also comes from an environment variable
 * ({@code --max-foo} → {@code TANDEM_MAX_FOO}) or a Java properties file ({@code --config FILE}, key {@code
 * max-foo}); the command line wins over the environment, which wins over the file.
 *
 * <p>A bad option, schema file or store, an unreachable database or a port in use ends the process with one
 * line on stderr and exit code 2. SIGTERM stops accepting connections, closes every session normally, flushes
 * every room to the store, closes the store and exits 0.
 */
@Command(
        name = "tandem-server",
        mixinStandardHelpOptions = true,
        version = "Tandem 0.1.0",
        description = {
            "Runs a Tandem sync server speaking the tldraw sync protocol v8.",
            "Each option can also be set by its environment variable (--max-foo: TANDEM_MAX_FOO) or in a Java"
                    + " properties file given by --config (key max-foo). Precedence: command line, environment,"
                    + " config file, default.",
            "Durations: 500ms, 20s, 5m, 1h or ISO-8601 (PT20S). Sizes: bytes, or with KiB/MiB/GiB."
        },
        sortOptions = false,
        defaultValueProvider = BuiltInDefaults.class)
public final class Main implements Callable<Integer> {
    static final int EXIT_USAGE = 2;

    @Option(
            names = ConfigDefaults.CONFIG_OPTION,
            paramLabel = "FILE",
            description = "Java properties file with option values (TANDEM_CONFIG).")
    @Nullable
    Path config;

    // each group of options is a mixin in its own file; a new group is one more field here and one more line in
    // call()
    @Mixin
    final ServerFlags server = new ServerFlags();

    @Mixin
    final StoreFlags store = new StoreFlags();

    @Mixin
    final RoomFlags rooms = new RoomFlags();

    @Mixin
    final AuthFlags auth = new AuthFlags();

    @Mixin
    final LimitFlags limits = new LimitFlags();

    @Mixin
    final ClusterFlags cluster = new ClusterFlags();

    @Mixin
    final BudgetOptions budget = new BudgetOptions();

    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Runs the server until the process is stopped. */
    public static void main(String[] args) {
        if (System.getProperty("logback.configurationFile") == null) {
            System.setProperty("logback.configurationFile", "tandem-logback.xml");
        }
        System.exit(run(args, new PrintWriter(System.err, true)));
    }

    static int run(String[] args, PrintWriter err) {
        return run(args, System.getenv(), err);
    }

    static int run(String[] args, Map<String, String> env, PrintWriter err) {
        CommandLine cli;
        try {
            cli = commandLine(new Main(), args, env);
        } catch (IllegalArgumentException e) {
            err.println("tandem-server: " + e.getMessage());
            return EXIT_USAGE;
        }
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

    /** Returns the command line for {@code main}, its defaults read from {@code env} and the config file. */
    static CommandLine commandLine(Main main, String[] args, Map<String, String> env) {
        CommandLine cli = new CommandLine(main);
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setDefaultValueProvider(ConfigDefaults.load(List.of(args), env));
        return cli;
    }

    /** Checks the options and builds the room options; throws {@link IllegalArgumentException} for bad ones. */
    RoomOptions roomOptions(RoomStore roomStore) {
        RoomOptions.Builder b = RoomOptions.builder();
        store.configure(b, roomStore);
        rooms.configure(b);
        return b.build();
    }

    @Override
    public Integer call() {
        Logger log = LoggerFactory.getLogger(Main.class);
        // check everything that needs no I/O before opening the store
        store.check();
        server.check();
        rooms.roomSchema();
        rooms.syncLimits();
        Authenticator authenticator = auth.authenticator();
        ServerLimits serverLimits = limits.serverLimits();
        auth.roomPolicies(RoomStore.inMemory());
        ClusterOptions clusterOptions = cluster.clusterOptions(store.kind(), store.durability());
        NodeBudget nodeBudget = budget.budget();
        RoomStore roomStore = store.open();
        TandemServer tandem;
        try {
            TandemServer.Builder builder = TandemServer.builder()
                    .serverLimits(serverLimits)
                    .budget(nodeBudget)
                    .roomAccess(auth.roomPolicies(roomStore))
                    .roomOptions(roomOptions(roomStore));
            server.configure(builder, store.data());
            if (authenticator != null) {
                builder.authenticator(authenticator);
            }
            if (clusterOptions != null) {
                builder.cluster(clusterOptions, new JdbcRoomFence((JdbcRoomStore) roomStore));
            }
            tandem = builder.build();
            tandem.start();
        } catch (RuntimeException e) {
            roomStore.close();
            throw e;
        }
        log.info(
                "Tandem started on {} (store {}, schema {}, {}{})",
                tandem.uri(),
                store.describe(),
                rooms.schemaName(),
                auth.describe(authenticator),
                clusterOptions == null ? "" : ", cluster node " + clusterOptions.nodeId());
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            log.info("Tandem stopping: closing sessions and flushing rooms");
                            boolean flushed = tandem.stop();
                            roomStore.close();
                            log.info("Tandem stopped{}", flushed ? "" : " (some rooms were not flushed in time)");
                            stopped.countDown();
                            // a signal's exit status would be 128+n; a clean stop exits 0
                            Runtime.getRuntime().halt(flushed ? 0 : 1);
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
        String line = e == root || e.getMessage() == null || e.getMessage().contains(msg)
                ? (e.getMessage() == null ? msg : e.getMessage())
                : e.getMessage() + ": " + msg;
        return line.lines().findFirst().orElse(line);
    }
}
