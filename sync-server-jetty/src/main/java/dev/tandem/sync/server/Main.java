package dev.tandem.sync.server;

import dev.tandem.sync.core.Authenticator;
import dev.tandem.sync.core.Durability;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.SyncLimits;
import dev.tandem.sync.core.TldrawSchema;
import dev.tandem.sync.redis.ClusterOptions;
import dev.tandem.sync.server.auth.JwtAuthenticator;
import dev.tandem.sync.server.auth.RoomPolicies;
import dev.tandem.sync.server.internal.cli.BudgetOptions;
import dev.tandem.sync.server.internal.cli.ConfigDefaults;
import dev.tandem.sync.server.internal.cli.SchemaFile;
import dev.tandem.sync.server.internal.cli.StoreKind;
import dev.tandem.sync.server.internal.cli.Units;
import dev.tandem.sync.server.internal.cluster.JdbcRoomFence;
import dev.tandem.sync.store.jdbc.JdbcRoomStore;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
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
        sortOptions = false)
public final class Main implements Callable<Integer> {
    static final int EXIT_USAGE = 2;

    @Mixin
    BudgetOptions budget = new BudgetOptions();

    @Option(
            names = ConfigDefaults.CONFIG_OPTION,
            paramLabel = "FILE",
            description = "Java properties file with option values (TANDEM_CONFIG).")
    @Nullable
    Path config;

    @Option(
            names = "--host",
            paramLabel = "HOST",
            defaultValue = TandemServer.DEFAULT_HOST,
            description = "Interface to listen on (TANDEM_HOST). Default: ${DEFAULT-VALUE}.")
    String host = TandemServer.DEFAULT_HOST;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            defaultValue = "8787",
            description = "TCP port, 0 for any free port (TANDEM_PORT). Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(
            names = "--store",
            defaultValue = "sqlite",
            paramLabel = "sqlite|postgres|memory",
            description = "Where rooms are kept: sqlite (one file in --data), postgres (--jdbc-url) or memory"
                    + " (lost on exit) (TANDEM_STORE). Default: ${DEFAULT-VALUE}.")
    StoreKind store = StoreKind.SQLITE;

    @Option(
            names = "--data",
            defaultValue = "./tandem-data",
            paramLabel = "DIR",
            description = "Directory of the SQLite database (TANDEM_DATA). Default: ${DEFAULT-VALUE}.")
    Path data = Path.of("tandem-data");

    @Option(
            names = "--jdbc-url",
            paramLabel = "URL",
            description = "PostgreSQL JDBC URL for --store postgres, e.g. jdbc:postgresql://127.0.0.1:5432/tandem"
                    + " (TANDEM_JDBC_URL). Default: none.")
    @Nullable
    String jdbcUrl;

    @Option(
            names = "--jdbc-user",
            paramLabel = "USER",
            description = "PostgreSQL user (TANDEM_JDBC_USER). Default: from the URL or the driver.")
    @Nullable
    String jdbcUser;

    @Option(
            names = "--jdbc-password",
            paramLabel = "PASSWORD",
            description = "PostgreSQL password; prefer the environment variable (TANDEM_JDBC_PASSWORD).")
    @Nullable
    String jdbcPassword;

    @Option(
            names = "--durability",
            defaultValue = "sync",
            paramLabel = "sync|async",
            description = "sync: a push is acknowledged once committed to the store. async: acknowledged from"
                    + " memory and flushed every --async-flush-interval; a crash loses at most that much"
                    + " (TANDEM_DURABILITY). Default: ${DEFAULT-VALUE}.")
    String durability = "sync";

    @Option(
            names = "--schema",
            paramLabel = "tldraw|pinned|FILE",
            description = "What rooms may contain (TANDEM_SCHEMA). tldraw: tldraw's own schema, validated and"
                    + " migrated as tldraw's server does; pinned: development only, each room adopts its first"
                    + " writer's schema and accepts any record; FILE: an app's schema JSON (docs/schema.md)."
                    + " Default: ${DEFAULT-VALUE}.")
    String schema = "tldraw";

    @Option(
            names = "--idle-timeout",
            defaultValue = "20s",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "Drop sessions silent (no ping or push) this long; 0 never (TANDEM_IDLE_TIMEOUT)."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration idleTimeout = RoomOptions.DEFAULT_IDLE_TIMEOUT;

    @Option(
            names = "--connect-timeout",
            defaultValue = "10s",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "How long a new socket may take to send connect (TANDEM_CONNECT_TIMEOUT)."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration connectTimeout = RoomOptions.DEFAULT_CONNECT_TIMEOUT;

    @Option(
            names = "--removal-grace",
            defaultValue = "5s",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "How long a disconnected session keeps its presence and may resume"
                    + " (TANDEM_REMOVAL_GRACE). Default: ${DEFAULT-VALUE}.")
    Duration removalGrace = RoomOptions.DEFAULT_REMOVAL_GRACE;

    @Option(
            names = "--batch-interval",
            defaultValue = "16ms",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "Outgoing messages to a session are batched for this long; 0 sends each at once"
                    + " (TANDEM_BATCH_INTERVAL). Default: ${DEFAULT-VALUE}.")
    Duration batchInterval = Duration.ofMillis(16);

    @Option(
            names = "--max-message-bytes",
            defaultValue = "1MiB",
            paramLabel = "BYTES",
            converter = Units.BytesConverter.class,
            description = "Largest WebSocket message accepted, at least 1MiB (TANDEM_MAX_MESSAGE_BYTES)."
                    + " Default: ${DEFAULT-VALUE}.")
    long maxMessageBytes = ConnectionSettings.DEFAULT_MAX_MESSAGE_BYTES;

    @Option(
            names = "--max-queued-bytes",
            defaultValue = "16MiB",
            paramLabel = "BYTES",
            converter = Units.BytesConverter.class,
            description = "Outgoing frames (counted in characters, bytes for ASCII) that may wait for a slow client"
                    + " before it is disconnected"
                    + " (TANDEM_MAX_QUEUED_BYTES). Default: ${DEFAULT-VALUE}.")
    long maxQueuedBytes = ConnectionSettings.DEFAULT_MAX_QUEUED_BYTES;

    @Option(
            names = "--max-body-bytes",
            defaultValue = "32MiB",
            paramLabel = "BYTES",
            converter = Units.BytesConverter.class,
            description = "Largest HTTP request body, e.g. a snapshot PUT (TANDEM_MAX_BODY_BYTES)."
                    + " Default: ${DEFAULT-VALUE}.")
    long maxBodyBytes = TandemServer.DEFAULT_MAX_BODY_BYTES;

    @Option(
            names = "--async-flush-interval",
            defaultValue = "1s",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "How often --durability async flushes changes to the store"
                    + " (TANDEM_ASYNC_FLUSH_INTERVAL). Default: ${DEFAULT-VALUE}.")
    Duration asyncFlushInterval = RoomOptions.DEFAULT_ASYNC_FLUSH_INTERVAL;

    @Option(
            names = "--version-interval",
            defaultValue = "8s",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "Least time between two version snapshots of a room; 0 disables versions"
                    + " (TANDEM_VERSION_INTERVAL). Default: ${DEFAULT-VALUE}.")
    Duration versionInterval = RoomOptions.DEFAULT_VERSION_INTERVAL;

    @Option(
            names = "--commit-delay",
            defaultValue = "5ms",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "Group commit of the SQLite and PostgreSQL stores: while commits keep coming, wait up to"
                    + " this long for more to share a transaction; more saves CPU per change, less answers"
                    + " sync pushes sooner; 0 writes at once, at most 1s (TANDEM_COMMIT_DELAY)."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration commitDelay = JdbcRoomStore.DEFAULT_COMMIT_DELAY;

    @Option(
            names = "--max-versions",
            paramLabel = "COUNT",
            defaultValue = "100",
            description = "Versions kept per room; older ones are deleted (TANDEM_MAX_VERSIONS)."
                    + " Default: ${DEFAULT-VALUE}.")
    int maxVersions = 100;

    @Option(
            names = "--unload-delay",
            defaultValue = "10s",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "How long an empty room stays loaded before it is flushed and unloaded"
                    + " (TANDEM_UNLOAD_DELAY). Default: ${DEFAULT-VALUE}.")
    Duration unloadDelay = RoomOptions.DEFAULT_UNLOAD_DELAY;

    @Option(
            names = "--shutdown-timeout",
            defaultValue = "30s",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "On SIGTERM, how long to wait for rooms to be flushed to the store"
                    + " (TANDEM_SHUTDOWN_TIMEOUT). Default: ${DEFAULT-VALUE}.")
    Duration shutdownTimeout = Duration.ofSeconds(30);

    @Option(
            names = "--web",
            paramLabel = "DIR",
            description = "Serve a built web page from DIR at /, /r/{roomId} and /ro/{roomId}, e.g."
                    + " examples/tldraw-web/dist (TANDEM_WEB). Default: none.")
    @Nullable
    Path web;

    @Option(
            names = "--max-upload-bytes",
            defaultValue = "25MiB",
            paramLabel = "BYTES",
            converter = Units.BytesConverter.class,
            description = "Largest asset upload (POST /uploads/{name}), kept in --data/uploads"
                    + " (TANDEM_MAX_UPLOAD_BYTES). Default: ${DEFAULT-VALUE}.")
    long maxUploadBytes = TandemServer.DEFAULT_MAX_UPLOAD_BYTES;

    @Option(
            names = "--unfurl",
            defaultValue = "public",
            paramLabel = "off|public|any",
            description = "GET /unfurl?url=… fetches bookmark metadata: off, public (public addresses only) or any"
                    + " (also loopback, private and link-local addresses) (TANDEM_UNFURL). Default: ${DEFAULT-VALUE}.")
    String unfurl = "public";

    @Option(
            names = "--event-log",
            defaultValue = "false",
            paramLabel = "true|false",
            arity = "0..1",
            description = "Write every room event as one JSON line to standard output (TANDEM_EVENT_LOG)."
                    + " Default: ${DEFAULT-VALUE}.")
    boolean eventLog;

    @Option(
            names = "--jwt-secret",
            paramLabel = "SECRET",
            description = "Accept HS256 JSON Web Tokens signed with this secret (UTF-8, at least 32 bytes); prefer"
                    + " the environment variable (TANDEM_JWT_SECRET). Default: none.")
    @Nullable
    String jwtSecret;

    @Option(
            names = "--jwt-public-key",
            paramLabel = "FILE",
            description = "Accept RS256 or ES256 tokens signed by the PEM public key or certificate in FILE"
                    + " (TANDEM_JWT_PUBLIC_KEY). Default: none.")
    @Nullable
    Path jwtPublicKey;

    @Option(
            names = "--jwt-jwks",
            paramLabel = "FILE",
            description = "Accept tokens signed by the keys of a JWKS file (RSA, EC P-256, oct), chosen by kid"
                    + " (TANDEM_JWT_JWKS). Default: none.")
    @Nullable
    Path jwtJwks;

    @Option(
            names = "--jwt-issuer",
            paramLabel = "ISS",
            description = "Required iss claim of tokens (TANDEM_JWT_ISSUER). Default: not checked.")
    @Nullable
    String jwtIssuer;

    @Option(
            names = "--jwt-audience",
            paramLabel = "AUD",
            description = "Required aud claim of tokens (TANDEM_JWT_AUDIENCE). Default: not checked.")
    @Nullable
    String jwtAudience;

    @Option(
            names = "--jwt-leeway",
            defaultValue = "30s",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "Clock skew allowed for exp, nbf and iat, at most 5m (TANDEM_JWT_LEEWAY)."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration jwtLeeway = JwtAuthenticator.DEFAULT_LEEWAY;

    @Option(
            names = "--unclaimed-rooms",
            defaultValue = "open",
            paramLabel = "open|claim",
            description = "Access to a room without a policy: open (everyone reads and writes) or claim (the first"
                    + " authenticated user to write to it owns it, private; reads never claim)"
                    + " (TANDEM_UNCLAIMED_ROOMS). Default: ${DEFAULT-VALUE}.")
    String unclaimedRooms = "open";

    @Option(
            names = "--admin-claim",
            paramLabel = "CLAIM=VALUE",
            description = "Token claim that makes a principal an administrator of every room and policy, e.g."
                    + " role=admin (TANDEM_ADMIN_CLAIM). Default: none.")
    @Nullable
    String adminClaim;

    @Option(
            names = "--max-sessions-per-room",
            defaultValue = "50",
            paramLabel = "COUNT",
            description = "Sessions a room holds; more get ROOM_FULL (TANDEM_MAX_SESSIONS_PER_ROOM)."
                    + " Default: ${DEFAULT-VALUE}.")
    int maxSessionsPerRoom = 50;

    @Option(
            names = "--session-messages-per-second",
            defaultValue = "120",
            paramLabel = "COUNT",
            description = "Messages per second per session (burst twice that); more get RATE_LIMITED"
                    + " (TANDEM_SESSION_MESSAGES_PER_SECOND). Default: ${DEFAULT-VALUE}.")
    int sessionMessagesPerSecond = 120;

    @Option(
            names = "--principal-messages-per-second",
            defaultValue = "480",
            paramLabel = "COUNT",
            description = "Messages per second per user over all their sessions (burst twice that); more get"
                    + " RATE_LIMITED (TANDEM_PRINCIPAL_MESSAGES_PER_SECOND). Default: ${DEFAULT-VALUE}.")
    int principalMessagesPerSecond = 480;

    @Option(
            names = "--principal-bytes-per-second",
            defaultValue = "16MiB",
            paramLabel = "BYTES",
            converter = Units.BytesConverter.class,
            description = "UTF-8 bytes per second per user over all their sessions (burst four times that)"
                    + " (TANDEM_PRINCIPAL_BYTES_PER_SECOND). Default: ${DEFAULT-VALUE}.")
    long principalBytesPerSecond = 16L << 20;

    @Option(
            names = "--connections-per-ip-per-minute",
            defaultValue = "600",
            paramLabel = "COUNT",
            description = "New WebSocket connections per client IP per minute; more get RATE_LIMITED"
                    + " (TANDEM_CONNECTIONS_PER_IP_PER_MINUTE). Default: ${DEFAULT-VALUE}.")
    int connectionsPerIpPerMinute = 600;

    @Option(
            names = "--connections-per-principal-per-minute",
            defaultValue = "300",
            paramLabel = "COUNT",
            description = "New WebSocket connections per user per minute; more get RATE_LIMITED"
                    + " (TANDEM_CONNECTIONS_PER_PRINCIPAL_PER_MINUTE). Default: ${DEFAULT-VALUE}.")
    int connectionsPerPrincipalPerMinute = 300;

    @Option(
            names = "--rate-limit-cooldown",
            defaultValue = "10s",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "After a RATE_LIMITED close, how long the user (an anonymous client: its IP) may not"
                    + " connect again; doubles with each further strike, up to 60 times; 0s turns it off"
                    + " (TANDEM_RATE_LIMIT_COOLDOWN). Default: ${DEFAULT-VALUE}.")
    Duration rateLimitCooldown = Duration.ofSeconds(10);

    @Option(
            names = "--handshake-timeout",
            defaultValue = "10s",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "How long a connection may stay idle before its WebSocket upgrade"
                    + " (TANDEM_HANDSHAKE_TIMEOUT). Default: ${DEFAULT-VALUE}.")
    Duration handshakeTimeout = Duration.ofSeconds(10);

    @Option(
            names = "--body-timeout",
            defaultValue = "60s",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "How long an HTTP request body may take to arrive in full; a slower one gets 408 and its"
                    + " connection is closed (TANDEM_BODY_TIMEOUT). Default: ${DEFAULT-VALUE}.")
    Duration bodyTimeout = ServerLimits.DEFAULT_BODY_TIMEOUT;

    @Option(
            names = "--min-body-rate",
            defaultValue = "1KiB",
            paramLabel = "BYTES",
            converter = Units.BytesConverter.class,
            description = "Slowest average rate, per second, of an HTTP request body from its 5th second on; a"
                    + " slower one gets 408 and its connection is closed (TANDEM_MIN_BODY_RATE)."
                    + " Default: ${DEFAULT-VALUE}.")
    long minBodyRate = ServerLimits.DEFAULT_MIN_BODY_BYTES_PER_SECOND;

    @Option(
            names = "--allowed-origins",
            paramLabel = "ORIGINS",
            description = "Web pages (scheme://host[:port], comma-separated) whose scripts may open WebSockets and"
                    + " send POST, PUT and DELETE requests, besides clients that send no Origin (not browsers),"
                    + " pages of this server, and loopback pages when reached on loopback; their hosts are also"
                    + " accepted in the Host header on loopback. * allows every origin and host"
                    + " (TANDEM_ALLOWED_ORIGINS). Default: none.")
    @Nullable
    String allowedOrigins;

    @Option(
            names = "--max-record-chars",
            defaultValue = "4194304",
            paramLabel = "COUNT",
            description = "Largest record as JSON, in characters; larger get INVALID_RECORD"
                    + " (TANDEM_MAX_RECORD_CHARS). Default: ${DEFAULT-VALUE}.")
    long maxRecordChars = 4L << 20;

    @Option(
            names = "--max-document-chars",
            defaultValue = "268435456",
            paramLabel = "COUNT",
            description = "Largest document (sum of its records as JSON), in characters; a push past it gets"
                    + " INVALID_RECORD (TANDEM_MAX_DOCUMENT_CHARS). Default: ${DEFAULT-VALUE}.")
    long maxDocumentChars = 256L << 20;

    @Option(
            names = "--redis-url",
            paramLabel = "URL",
            description = "Run as one node of a cluster on this Redis, e.g. redis://127.0.0.1:6379; every node must"
                    + " use the same --store postgres database and --durability sync (TANDEM_REDIS_URL)."
                    + " Default: none, a single node.")
    @Nullable
    String redisUrl;

    @Option(
            names = "--node-id",
            paramLabel = "ID",
            description = "This node's id in the cluster, unique, [A-Za-z0-9._-] (TANDEM_NODE_ID). Default: random.")
    @Nullable
    String nodeId;

    @Option(
            names = "--redis-prefix",
            paramLabel = "PREFIX",
            defaultValue = ClusterOptions.DEFAULT_KEY_PREFIX,
            description = "Prefix of the cluster's Redis keys and channels (TANDEM_REDIS_PREFIX)."
                    + " Default: ${DEFAULT-VALUE}.")
    String redisPrefix = ClusterOptions.DEFAULT_KEY_PREFIX;

    @Option(
            names = "--lease-ttl",
            defaultValue = "10s",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "How long a node's ownership of a room lasts without renewal (renewed every third); a dead"
                    + " owner's rooms move to another node after at most this long (TANDEM_LEASE_TTL)."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration leaseTtl = ClusterOptions.DEFAULT_LEASE_TTL;

    private final CountDownLatch stopped = new CountDownLatch(1);

    /** Returns the cluster settings, or null for a single node; throws IllegalArgumentException for bad ones. */
    @Nullable
    ClusterOptions clusterOptions() {
        if (redisUrl == null || redisUrl.isBlank()) {
            return null;
        }
        if (store != StoreKind.POSTGRES) {
            throw new IllegalArgumentException("--redis-url needs --store postgres (a store every node shares)");
        }
        if (durability() != Durability.SYNC) {
            throw new IllegalArgumentException(
                    "--redis-url needs --durability sync (a fail-over must not lose acknowledged changes)");
        }
        ClusterOptions.Builder b = ClusterOptions.builder()
                .redisUri(redisUrl)
                .keyPrefix(redisPrefix)
                .leaseTtl(leaseTtl);
        if (nodeId != null) {
            b.nodeId(nodeId);
        }
        return b.build();
    }

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
        RoomSchema roomSchema = roomSchema();
        return RoomOptions.builder()
                .store(roomStore)
                .durability(durability())
                .schema(roomSchema)
                .idleTimeout(idleTimeout)
                .connectTimeout(connectTimeout)
                .removalGrace(removalGrace)
                .batchInterval(batchInterval)
                .asyncFlushInterval(asyncFlushInterval)
                .versionInterval(versionInterval)
                .unloadDelay(unloadDelay)
                .limits(syncLimits())
                .build();
    }

    /** Returns the rooms' schema named by {@code --schema}; throws {@link IllegalArgumentException} for a bad one. */
    RoomSchema roomSchema() {
        switch (schema) {
            case "tldraw":
                return TldrawSchema.defaults();
            case "pinned":
                return RoomSchema.pinned();
            default:
                return SchemaFile.read(Path.of(schema));
        }
    }

    /** Returns the per-room and per-session limits from the options. */
    SyncLimits syncLimits() {
        return SyncLimits.builder()
                .maxSessionsPerRoom(maxSessionsPerRoom)
                .messagesPerSecond(sessionMessagesPerSecond)
                .messageBurst(Math.multiplyExact(2, sessionMessagesPerSecond))
                .maxRecordChars(maxRecordChars)
                .maxDocumentChars(maxDocumentChars)
                .build();
    }

    /** Returns the allowed origins from the options. */
    AllowedOrigins allowedOrigins() {
        if (allowedOrigins == null || allowedOrigins.isBlank()) {
            return AllowedOrigins.defaults();
        }
        try {
            return AllowedOrigins.parse(allowedOrigins);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--allowed-origins: " + e.getMessage(), e);
        }
    }

    /** Returns the server-wide limits from the options. */
    ServerLimits serverLimits() {
        return ServerLimits.builder()
                .connectionsPerIpPerMinute(connectionsPerIpPerMinute)
                .connectionsPerPrincipalPerMinute(connectionsPerPrincipalPerMinute)
                .principalMessagesPerSecond(principalMessagesPerSecond)
                .principalMessageBurst(Math.multiplyExact(2, principalMessagesPerSecond))
                .principalBytesPerSecond(principalBytesPerSecond)
                .principalByteBurst(Math.multiplyExact(4, principalBytesPerSecond))
                .rateLimitCooldown(rateLimitCooldown)
                .handshakeTimeout(handshakeTimeout)
                .bodyTimeout(bodyTimeout)
                .minBodyBytesPerSecond(minBodyRate)
                .build();
    }

    /** Returns the JWT authenticator from the options, or null when no key is configured. */
    @Nullable
    Authenticator authenticator() {
        if (jwtSecret == null && jwtPublicKey == null && jwtJwks == null) {
            if (jwtIssuer != null || jwtAudience != null) {
                throw new IllegalArgumentException(
                        "--jwt-issuer and --jwt-audience need a key: --jwt-secret, --jwt-public-key or --jwt-jwks");
            }
            return null;
        }
        JwtAuthenticator.Builder b = JwtAuthenticator.builder().leeway(jwtLeeway);
        try {
            if (jwtSecret != null) {
                b.hmacSecret(jwtSecret.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            if (jwtPublicKey != null) {
                b.publicKeyPem(null, java.nio.file.Files.readString(jwtPublicKey));
            }
        } catch (java.io.IOException e) {
            throw new IllegalArgumentException(
                    "--jwt-public-key " + jwtPublicKey + " cannot be read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    (jwtSecret != null && jwtPublicKey == null ? "--jwt-secret: " : "--jwt-public-key: ")
                            + e.getMessage());
        }
        if (jwtJwks != null) {
            b.jwksFile(jwtJwks);
        }
        if (jwtIssuer != null) {
            b.issuer(jwtIssuer);
        }
        if (jwtAudience != null) {
            b.audience(jwtAudience);
        }
        return b.build();
    }

    /** Returns the room policies from the options, over the rooms' store. */
    RoomPolicies roomPolicies(RoomStore roomStore) {
        RoomPolicies.UnclaimedRooms mode = switch (unclaimedRooms.toLowerCase(Locale.ROOT)) {
            case "open" -> RoomPolicies.UnclaimedRooms.OPEN;
            case "claim" -> RoomPolicies.UnclaimedRooms.CLAIM;
            default ->
                throw new IllegalArgumentException(
                        "--unclaimed-rooms must be open or claim but was '" + unclaimedRooms + "'");
        };
        RoomPolicies.Builder b = RoomPolicies.builder(roomStore).unclaimedRooms(mode);
        if (adminClaim != null) {
            int eq = adminClaim.indexOf('=');
            if (eq <= 0 || eq == adminClaim.length() - 1) {
                throw new IllegalArgumentException("--admin-claim must be CLAIM=VALUE but was '" + adminClaim + "'");
            }
            b.adminClaim(adminClaim.substring(0, eq), adminClaim.substring(eq + 1));
        }
        return b.build();
    }

    Durability durability() {
        return switch (durability.toLowerCase(Locale.ROOT)) {
            case "sync" -> Durability.SYNC;
            case "async" -> Durability.ASYNC;
            default ->
                throw new IllegalArgumentException("--durability must be sync or async but was '" + durability + "'");
        };
    }

    String unfurlMode() {
        String mode = unfurl.toLowerCase(Locale.ROOT);
        if (!List.of("off", "public", "any").contains(mode)) {
            throw new IllegalArgumentException("--unfurl must be off, public or any but was '" + unfurl + "'");
        }
        return mode;
    }

    @Override
    public Integer call() {
        Logger log = LoggerFactory.getLogger(Main.class);
        // check everything that needs no I/O before opening the store
        durability();
        unfurlMode();
        if (web != null && !java.nio.file.Files.isRegularFile(web.resolve("index.html"))) {
            throw new IllegalArgumentException("--web " + web + " has no index.html (run npm run build there)");
        }
        roomSchema();
        if (maxVersions <= 0) {
            throw new IllegalArgumentException("--max-versions must be > 0 but was " + maxVersions);
        }
        Authenticator authenticator = authenticator();
        ServerLimits limits = serverLimits();
        allowedOrigins();
        syncLimits();
        roomPolicies(RoomStore.inMemory());
        ConnectionSettings settings = ConnectionSettings.defaults()
                .withMaxMessageBytes(maxMessageBytes)
                .withMaxQueuedBytes(maxQueuedBytes);
        ClusterOptions cluster = clusterOptions();
        NodeBudget nodeBudget = budget.budget();
        RoomStore roomStore = store.open(data, jdbcUrl, jdbcUser, jdbcPassword, maxVersions, commitDelay);
        TandemServer server;
        try {
            TandemServer.Builder builder = TandemServer.builder()
                    .host(host)
                    .port(port)
                    .connectionSettings(settings)
                    .maxBodyBytes(maxBodyBytes)
                    .budget(nodeBudget)
                    .security(new ServerSecurity(authenticator, roomPolicies(roomStore), limits, allowedOrigins()))
                    .flushTimeout(shutdownTimeout)
                    .roomOptions(roomOptions(roomStore))
                    .uploadDir(data.resolve("uploads"))
                    .maxUploadBytes(maxUploadBytes)
                    .unfurl(!unfurlMode().equals("off"), unfurlMode().equals("any"))
                    .eventLog(eventLog);
            if (cluster != null) {
                builder.cluster(cluster, new JdbcRoomFence((JdbcRoomStore) roomStore));
            }
            if (web != null) {
                builder.webRoot(web);
            }
            server = builder.build();
            server.start();
        } catch (RuntimeException e) {
            roomStore.close();
            throw e;
        }
        log.info(
                "Tandem started on {} (store {}, durability {}, schema {}, authentication {}, unclaimed rooms {}{})",
                server.uri(),
                store.describe(data, jdbcUrl),
                durability.toLowerCase(Locale.ROOT),
                schema,
                authenticator == null ? "none" : "JWT",
                unclaimedRooms.toLowerCase(Locale.ROOT),
                cluster == null ? "" : ", cluster node " + cluster.nodeId());
        Runtime.getRuntime()
                .addShutdownHook(new Thread(
                        () -> {
                            log.info("Tandem stopping: closing sessions and flushing rooms");
                            boolean flushed = server.stop();
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
