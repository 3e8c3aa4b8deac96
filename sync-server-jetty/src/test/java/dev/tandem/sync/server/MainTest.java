package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.Durability;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.SyncLimits;
import dev.tandem.sync.server.internal.cli.StoreKind;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

class MainTest {

    private static String[] runCapturing(int[] exit, String... args) {
        StringWriter err = new StringWriter();
        exit[0] = Main.run(args, new PrintWriter(err, true));
        return err.toString().lines().toArray(String[]::new);
    }

    @Test
    void run_badOptionValue_printsOneLineAndExits2() {
        int[] exit = new int[1];
        String[] lines = runCapturing(exit, "--port", "nope");
        assertThat(exit[0]).isEqualTo(2);
        assertThat(lines)
                .containsExactly("tandem-server: Invalid value for option '--port': 'nope' is not an int (see --help)");
    }

    @Test
    void run_badBudget_printsOneLineNamingTheOptionAndExits2() {
        int[] exit = new int[1];
        assertThat(runCapturing(exit, "--store", "memory", "--port", "0", "--budget-connections", "0"))
                .containsExactly("tandem-server: --budget-connections: maxConnections must be > 0 but was 0");
        assertThat(exit[0]).isEqualTo(2);
        assertThat(runCapturing(
                        exit,
                        "--store",
                        "memory",
                        "--port",
                        "0",
                        "--budget-connections",
                        "10",
                        "--budget-connections-per-address",
                        "11"))
                .containsExactly("tandem-server: --budget-connections-per-address: maxConnectionsPerAddress must be"
                        + " <= maxConnections (10) but was 11");
        assertThat(exit[0]).isEqualTo(2);
        assertThat(runCapturing(exit, "--store", "memory", "--port", "0", "--budget-queued-bytes", "lots"))
                .hasSize(1)
                .allMatch(line -> line.startsWith("tandem-server: ") && line.contains("--budget-queued-bytes"));
        assertThat(exit[0]).isEqualTo(2);
    }

    @Test
    void run_shortJwtSecret_printsOneLineAndExits2() {
        int[] exit = new int[1];
        String[] lines = runCapturing(exit, "--store", "memory", "--port", "0", "--jwt-secret", "short");
        assertThat(exit[0]).isEqualTo(2);
        assertThat(lines)
                .containsExactly("tandem-server: --jwt-secret: hmacSecret must be at least 32 bytes but was 5");
    }

    @Test
    void run_badClusterOptions_printOneLineAndExit2() {
        int[] exit = new int[1];
        assertThat(runCapturing(exit, "--store", "memory", "--port", "0", "--redis-url", "redis://127.0.0.1:1"))
                .containsExactly("tandem-server: --redis-url needs --store postgres (a store every node shares)");
        assertThat(exit[0]).isEqualTo(2);
        assertThat(runCapturing(
                        exit,
                        "--store",
                        "postgres",
                        "--jdbc-url",
                        "jdbc:postgresql://127.0.0.1:1/x",
                        "--durability",
                        "async",
                        "--redis-url",
                        "redis://127.0.0.1:1"))
                .containsExactly(
                        "tandem-server: --redis-url needs --durability sync (a fail-over must not lose acknowledged"
                                + " changes)");
        assertThat(runCapturing(
                        exit,
                        "--store",
                        "postgres",
                        "--jdbc-url",
                        "jdbc:postgresql://127.0.0.1:1/x",
                        "--redis-url",
                        "redis://127.0.0.1:1",
                        "--node-id",
                        "a b"))
                .containsExactly("tandem-server: nodeId must be 1 to 64 of [A-Za-z0-9._-] but was 'a b'");
        assertThat(exit[0]).isEqualTo(2);
    }

    @Test
    void run_badSecurityOptions_printOneLineAndExit2() {
        int[] exit = new int[1];
        assertThat(runCapturing(exit, "--store", "memory", "--unclaimed-rooms", "mine"))
                .containsExactly("tandem-server: --unclaimed-rooms must be open or claim but was 'mine'");
        assertThat(exit[0]).isEqualTo(2);
        assertThat(runCapturing(exit, "--store", "memory", "--admin-claim", "admin"))
                .containsExactly("tandem-server: --admin-claim must be CLAIM=VALUE but was 'admin'");
        assertThat(runCapturing(exit, "--store", "memory", "--jwt-issuer", "x"))
                .containsExactly(
                        "tandem-server: --jwt-issuer and --jwt-audience need a key: --jwt-secret, --jwt-public-key or"
                                + " --jwt-jwks");
        assertThat(runCapturing(exit, "--store", "memory", "--connections-per-ip-per-minute", "0"))
                .containsExactly("tandem-server: connectionsPerIpPerMinute must be > 0 but was 0");
        assertThat(runCapturing(exit, "--store", "memory", "--allowed-origins", "app.example"))
                .containsExactly("tandem-server: --allowed-origins: an allowed origin must be scheme://host[:port] but"
                        + " was 'app.example'");
        assertThat(runCapturing(exit, "--store", "memory", "--min-body-rate", "0"))
                .containsExactly("tandem-server: minBodyBytesPerSecond must be > 0 but was 0");
    }

    @Test
    void options_browserAndBodyLimits() {
        Main main = new Main();
        String[] args = {
            "--allowed-origins",
            "https://app.example,http://localhost:3000",
            "--body-timeout",
            "20s",
            "--min-body-rate",
            "4KiB"
        };
        Main.commandLine(main, args, Map.of()).parseArgs(args);
        assertThat(main.server.allowedOrigins().origins())
                .containsExactlyInAnyOrder("https://app.example", "http://localhost:3000");
        assertThat(main.limits.serverLimits().bodyTimeout()).isEqualTo(Duration.ofSeconds(20));
        assertThat(main.limits.serverLimits().minBodyBytesPerSecond()).isEqualTo(4096);
        assertThat(new Main().server.allowedOrigins()).isEqualTo(AllowedOrigins.defaults());
        String[] star = {"--allowed-origins", "*"};
        Main any = new Main();
        Main.commandLine(any, star, Map.of()).parseArgs(star);
        assertThat(any.server.allowedOrigins().allowsAny()).isTrue();
    }

    @Test
    void options_security_buildLimitsAndAuthenticator() {
        Main main = new Main();
        String[] args = {
            "--jwt-secret", "0123456789abcdef0123456789abcdef", "--max-sessions-per-room", "7",
            "--principal-messages-per-second", "9", "--handshake-timeout", "3s"
        };
        Main.commandLine(main, args, Map.of()).parseArgs(args);
        assertThat(main.auth.authenticator()).isNotNull();
        assertThat(main.rooms.syncLimits().maxSessionsPerRoom()).isEqualTo(7);
        assertThat(main.limits.serverLimits().principalMessagesPerSecond()).isEqualTo(9);
        assertThat(main.limits.serverLimits().principalMessageBurst()).isEqualTo(18);
        assertThat(main.limits.serverLimits().handshakeTimeout()).isEqualTo(Duration.ofSeconds(3));
    }

    @Test
    void run_unknownOption_exits2() {
        int[] exit = new int[1];
        String[] lines = runCapturing(exit, "--nope");
        assertThat(exit[0]).isEqualTo(2);
        assertThat(lines).hasSize(1);
        assertThat(lines[0]).startsWith("tandem-server: Unknown option: '--nope'");
    }

    @Test
    void run_portInUse_printsOneLineAndExits2() throws Exception {
        try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getByName("127.0.0.1"))) {
            int[] exit = new int[1];
            String[] lines = runCapturing(exit, "--store", "memory", "--port", String.valueOf(taken.getLocalPort()));
            assertThat(exit[0]).isEqualTo(2);
            assertThat(lines).hasSize(1);
            assertThat(lines[0]).contains("Address already in use");
        }
    }

    @Test
    void run_unreachablePostgres_printsOneLineAndExits2() {
        int[] exit = new int[1];
        String[] lines = runCapturing(exit, "--store", "postgres", "--jdbc-url", "jdbc:postgresql://127.0.0.1:1/x");
        assertThat(exit[0]).isEqualTo(2);
        assertThat(lines)
                .containsExactly(
                        "tandem-server: cannot connect to PostgreSQL at jdbc:postgresql://127.0.0.1:1/x: Connection refused");
    }

    @Test
    void run_postgresWithoutUrl_exits2() {
        int[] exit = new int[1];
        assertThat(runCapturing(exit, "--store", "postgres"))
                .containsExactly("tandem-server: --store postgres needs --jdbc-url jdbc:postgresql://…");
        assertThat(exit[0]).isEqualTo(2);
    }

    @Test
    void run_badSchemaFile_printsOneLineAndExits2(@TempDir Path dir) throws Exception {
        Path schema = dir.resolve("schema.json");
        Files.writeString(schema, "{\"schemaVersion\":2,\"sequences\":{},\"recordTypes\":{\"page\":\"doc\"}}");
        int[] exit = new int[1];
        assertThat(runCapturing(exit, "--store", "memory", "--schema", schema.toString()))
                .containsExactly("tandem-server: bad schema file " + schema
                        + ": recordTypes.page must be \"document\" or \"presence\" but was \"doc\"");
        assertThat(exit[0]).isEqualTo(2);
    }

    @Test
    void run_badDuration_exits2() {
        int[] exit = new int[1];
        assertThat(runCapturing(exit, "--idle-timeout", "5x"))
                .containsExactly("tandem-server: Invalid value for option '--idle-timeout': '5x' is not a duration"
                        + " (use e.g. 500ms, 20s, 5m or PT20S) (see --help)");
        assertThat(exit[0]).isEqualTo(2);
    }

    @Test
    void run_missingConfigFile_exits2() {
        int[] exit = new int[1];
        String[] lines = runCapturing(exit, "--config", "/nonexistent/tandem.properties");
        assertThat(exit[0]).isEqualTo(2);
        assertThat(lines).hasSize(1);
        assertThat(lines[0]).startsWith("tandem-server: cannot read config file /nonexistent/tandem.properties");
    }

    @Test
    void help_documentsEveryOptionWithItsDefault() {
        StringWriter out = new StringWriter();
        CommandLine cli = Main.commandLine(new Main(), new String[0], Map.of());
        cli.setOut(new PrintWriter(out, true));
        assertThat(cli.execute("--help")).isZero();
        String help = out.toString().replaceAll("\\s+", " ");
        for (CommandLine.Model.OptionSpec o : cli.getCommandSpec().options()) {
            assertThat(help).contains(o.longestName());
            if (o.defaultValue() != null) {
                assertThat(help).contains("Default: " + o.defaultValue());
            }
        }
        assertThat(help)
                .contains("TANDEM_MAX_QUEUED_BYTES")
                .contains("Default: sqlite")
                .contains("Default: 8787");
    }

    @Test
    void defaults_areTheLibrarysConstants_andHelpShowsThem() {
        Main main = new Main();
        CommandLine cli = Main.commandLine(main, new String[0], Map.of());
        cli.parseArgs();
        RoomOptions options = main.roomOptions(RoomStore.inMemory());
        RoomOptions library = RoomOptions.builder().build();
        assertThat(options.idleTimeout()).isEqualTo(library.idleTimeout());
        assertThat(options.connectTimeout()).isEqualTo(library.connectTimeout());
        assertThat(options.removalGrace()).isEqualTo(library.removalGrace());
        assertThat(options.batchInterval()).isEqualTo(library.batchInterval());
        assertThat(options.batchPushResults())
                .isEqualTo(library.batchPushResults())
                .isFalse();
        assertThat(options.asyncFlushInterval()).isEqualTo(library.asyncFlushInterval());
        assertThat(options.versionInterval()).isEqualTo(library.versionInterval());
        assertThat(options.unloadDelay()).isEqualTo(library.unloadDelay());
        assertThat(options.limits()).isEqualTo(SyncLimits.DEFAULTS);
        assertThat(main.limits.serverLimits()).isEqualTo(ServerLimits.DEFAULTS);
        assertThat(main.server.connectionSettings()).isEqualTo(ConnectionSettings.defaults());
        String help = cli.getUsageMessage(CommandLine.Help.Ansi.OFF).replaceAll("\\s+", " ");
        for (CommandLine.Model.OptionSpec o : cli.getCommandSpec().options()) {
            String shown = o.defaultValueString();
            if (o.initialValue() != null && !o.usageHelp() && !o.versionHelp()) {
                assertThat(shown).as(o.longestName()).isNotNull();
                assertThat(help).as(o.longestName()).contains("Default: " + shown);
            }
        }
        assertThat(help).contains("Default: 16ms", "Default: 16MiB", "Default: 20s");
    }

    @Test
    void options_precedence_isCommandLineThenEnvironmentThenConfigFileThenDefault(@TempDir Path dir) throws Exception {
        Path config = dir.resolve("tandem.properties");
        Files.writeString(config, "port=1111\nhost=0.0.0.0\nidle-timeout=7s\nstore=memory\n");
        Map<String, String> env = Map.of("TANDEM_PORT", "2222", "TANDEM_IDLE_TIMEOUT", "9s");

        Main fromFileAndEnv = new Main();
        String[] args = {"--config", config.toString(), "--idle-timeout", "3s"};
        Main.commandLine(fromFileAndEnv, args, env).parseArgs(args);
        assertThat(fromFileAndEnv.roomOptions(RoomStore.inMemory()).idleTimeout())
                .isEqualTo(Duration.ofSeconds(3));
        assertThat(fromFileAndEnv.server.port()).isEqualTo(2222);
        assertThat(fromFileAndEnv.server.host()).isEqualTo("0.0.0.0");
        assertThat(fromFileAndEnv.store.kind()).isEqualTo(StoreKind.MEMORY);
        assertThat(fromFileAndEnv.store.durability()).isEqualTo(Durability.SYNC);
        assertThat(fromFileAndEnv.server.connectionSettings().maxQueuedChars()).isEqualTo(16L * 1024 * 1024);

        Main fromEnvConfig = new Main();
        Main.commandLine(fromEnvConfig, new String[0], Map.of("TANDEM_CONFIG", config.toString()))
                .parseArgs();
        assertThat(fromEnvConfig.server.port()).isEqualTo(1111);
        assertThat(fromEnvConfig.roomOptions(RoomStore.inMemory()).idleTimeout())
                .isEqualTo(Duration.ofSeconds(7));

        Main defaults = new Main();
        Main.commandLine(defaults, new String[0], Map.of()).parseArgs();
        assertThat(defaults.server.port()).isEqualTo(8787);
        assertThat(defaults.server.host()).isEqualTo("127.0.0.1");
        assertThat(defaults.store.kind()).isEqualTo(StoreKind.SQLITE);
        assertThat(defaults.store.data()).isEqualTo(Path.of("./tandem-data"));
        assertThat(defaults.roomOptions(RoomStore.inMemory()).batchInterval()).isEqualTo(Duration.ofMillis(16));

        Main batched = new Main();
        Main.commandLine(batched, new String[0], Map.of("TANDEM_BATCH_PUSH_RESULTS", "true"))
                .parseArgs();
        assertThat(batched.roomOptions(RoomStore.inMemory()).batchPushResults()).isTrue();
        Main flag = new Main();
        Main.commandLine(flag, new String[0], Map.of()).parseArgs("--batch-push-results");
        assertThat(flag.roomOptions(RoomStore.inMemory()).batchPushResults()).isTrue();
    }
}
