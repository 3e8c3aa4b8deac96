package dev.tandem.sync.server;

import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomManager;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.redis.ClusterOptions;
import dev.tandem.sync.redis.RedisCluster;
import dev.tandem.sync.redis.RoomFence;
import dev.tandem.sync.server.internal.events.FanOutRoomEvents;
import dev.tandem.sync.server.internal.events.JsonLinesRoomEvents;
import dev.tandem.sync.server.internal.events.LoggingRoomEvents;
import dev.tandem.sync.server.internal.http.JsonErrorHandler;
import dev.tandem.sync.server.internal.http.SyncApi;
import dev.tandem.sync.server.internal.web.WebPages;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import org.eclipse.jetty.server.ConnectionFactory;
import org.eclipse.jetty.server.HttpConnectionFactory;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Jetty 12 server that serves Tandem rooms over WebSocket on one port, with the routes of {@link
 * TandemHandler}, and beside them the HTTP routes {@code GET /healthz}, {@code GET /metrics}, {@code GET|PUT
 * /rooms/{roomId}/snapshot}, {@code GET /rooms/{roomId}/versions[/{versionId}]} and {@code POST
 * /rooms/{roomId}/versions/{versionId}/restore}, and the offline sync routes {@code POST /sync/push} and {@code
 * POST /sync/pull} (see {@code docs/offline.md}). Built with {@link #builder()}, which checks each value at
 * once.
 *
 * <p>When the server creates its rooms from {@link Builder#roomOptions}, their events also go to the log (one
 * INFO line per session joined, left or rejected) and to {@link #metrics()}.
 *
 * <p>Thread-safe. Lifecycle: {@link #start()} once, then {@link #stop()} (or {@link #close()}), which is
 * idempotent: it stops accepting connections, closes every connection normally and, if the server created its
 * {@link RoomManager}, closes the rooms and waits until their changes are durable in the store. The store
 * itself belongs to the caller. A stopped server cannot be restarted.
 *
 * <pre>{@code
 * try (TandemServer server = TandemServer.builder().port(0).build().start()) {
 *     URI uri = server.uri(); // ws clients connect to uri + "connect/my-room?sessionId=…"
 * }
 * }</pre>
 */
public final class TandemServer implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(TandemServer.class);

    /** The host bound by default: loopback only. */
    public static final String DEFAULT_HOST = "127.0.0.1";
    /** The port bound by default. */
    public static final int DEFAULT_PORT = 8787;
    /** The largest HTTP request body by default: 32 MiB. */
    public static final long DEFAULT_MAX_BODY_BYTES = 32L * 1024 * 1024;
    /** The largest asset upload by default: 25 MiB. */
    public static final long DEFAULT_MAX_UPLOAD_BYTES = 25L * 1024 * 1024;
    /** The most bytes of a page read to unfurl it. */
    static final int UNFURL_MAX_BYTES = 1024 * 1024;

    private final String host;
    private final int requestedPort;
    private final @Nullable RoomManager ownedRooms;
    private final Server server;
    private final ServerConnector connector;
    private final TandemHandler handler;
    private final Duration stopTimeout;
    private final Duration flushTimeout;
    private final TandemMetrics metrics;
    private final @Nullable RedisCluster cluster;
    private State state = State.NEW;
    private int boundPort = -1;

    private enum State {
        NEW,
        STARTED,
        STOPPED
    }

    private TandemServer(
            Builder b,
            Function<String, Room> rooms,
            @Nullable RoomManager manager,
            @Nullable RoomManager ownedRooms,
            @Nullable RoomStore store,
            TandemMetrics metrics,
            @Nullable RedisCluster cluster) {
        this.host = b.host;
        this.requestedPort = b.port;
        this.ownedRooms = ownedRooms;
        this.stopTimeout = b.stopTimeout;
        this.flushTimeout = b.flushTimeout;
        this.metrics = metrics;
        this.cluster = cluster;
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("tandem-http");
        this.server = new Server(threads);
        this.connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(requestedPort);
        // the handshake deadline: a connection idle this long before its upgrade (or between HTTP requests) is
        // closed; upgraded WebSocket sessions take their own idle timeout
        connector.setIdleTimeout(b.security.limits().handshakeTimeout().toMillis());
        server.addConnector(connector);
        this.handler = cluster == null
                ? TandemHandler.create(server, rooms, b.settings, b.security)
                : TandemHandler.create(server, cluster::connect, b.settings, b.security);
        handler.budget(b.budget);
        if (cluster != null) {
            metrics.bindCluster(cluster);
        }
        if (manager != null) {
            handler.setHandler(TandemRoutes.httpRoutes(
                    handler,
                    manager,
                    store,
                    b.security,
                    metrics::scrape,
                    b.maxBodyBytes,
                    b.requestTimeout,
                    b.uploadDir,
                    b.maxUploadBytes,
                    b.unfurl,
                    b.unfurlAllowPrivate,
                    b.maxEventsPerPush,
                    b.maxPullLimit,
                    null));
            metrics.bindRooms(manager);
            if (store != null) {
                metrics.bindStore(store);
            }
        }
        metrics.bindConnections(handler);
        if (b.webRoot != null) {
            WebPages pages = new WebPages(b.webRoot);
            pages.setHandler(handler);
            server.setHandler(pages);
        } else {
            server.setHandler(handler);
        }
        // Jetty's own errors (a malformed URI, an unhandled exception) are JSON too, without the server's version
        server.setErrorHandler(new JsonErrorHandler());
        for (ConnectionFactory factory : connector.getConnectionFactories()) {
            if (factory instanceof HttpConnectionFactory http) {
                http.getHttpConfiguration().setSendServerVersion(false);
            }
        }
        server.setStopAtShutdown(false);
    }

    /** Returns a builder with the defaults: 127.0.0.1:8787, default room options and connection settings. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Binds the port and starts serving. Returns this server.
     *
     * @throws IllegalStateException if already started or stopped, or if the port cannot be bound
     */
    public synchronized TandemServer start() {
        if (state != State.NEW) {
            throw new IllegalStateException("server is " + state.name().toLowerCase(java.util.Locale.ROOT));
        }
        try {
            server.start();
        } catch (Exception e) {
            state = State.STOPPED;
            stopQuietly();
            throw new IllegalStateException("cannot start server on " + host + ":" + requestedPort, e);
        }
        state = State.STARTED;
        boundPort = connector.getLocalPort();
        LOG.info("Tandem server listening on {}", uri());
        return this;
    }

    /**
     * Returns the bound port (the free port chosen when the builder's port was 0).
     *
     * @throws IllegalStateException if the server is not started
     */
    public synchronized int port() {
        if (state != State.STARTED) {
            throw new IllegalStateException("server is not started");
        }
        return boundPort;
    }

    /** Returns {@code http://host:port/}; WebSocket clients use the same URI with a {@code ws} scheme. */
    public URI uri() {
        String h = host.contains(":") && !host.startsWith("[") ? "[" + host + "]" : host;
        return URI.create("http://" + h + ":" + port() + "/");
    }

    /** Returns the handler, for metrics and tests. */
    public TandemHandler handler() {
        return handler;
    }

    /** Returns the metrics served at {@code /metrics}. */
    public TandemMetrics metrics() {
        return metrics;
    }

    /** Returns the rooms, if the server created them from {@link Builder#roomOptions}. */
    public java.util.Optional<RoomManager> ownedRooms() {
        return java.util.Optional.ofNullable(ownedRooms);
    }

    /** Returns the cluster this server is a node of, in multi-node mode. */
    public java.util.Optional<RedisCluster> cluster() {
        return java.util.Optional.ofNullable(cluster);
    }

    /**
     * Stops accepting connections, closes every connection normally (waiting at most the stop timeout), closes
     * the rooms the server created and waits at most the flush timeout until their changes are durable, then
     * stops Jetty. Idempotent. Returns true if every room was flushed in time.
     */
    public synchronized boolean stop() {
        if (state == State.STOPPED) {
            return true;
        }
        boolean wasStarted = state == State.STARTED;
        state = State.STOPPED;
        if (wasStarted) {
            connector.shutdown();
            if (!handler.closeConnections(stopTimeout)) {
                LOG.info("{} connections did not close within {}", handler.connectionCount(), stopTimeout);
            }
        }
        boolean flushed = true;
        if (ownedRooms != null) {
            int count = ownedRooms.rooms().size();
            flushed = ownedRooms.close(flushTimeout);
            if (wasStarted) {
                LOG.info(
                        flushed ? "{} rooms closed and flushed" : "{} rooms closed, NOT all flushed within {}",
                        count,
                        flushTimeout);
            }
        }
        if (cluster != null) {
            cluster.close();
        }
        stopQuietly();
        if (wasStarted) {
            LOG.info("Tandem server on {}:{} stopped", host, boundPort);
        }
        return flushed;
    }

    @Override
    public void close() {
        stop();
    }

    private void stopQuietly() {
        try {
            server.stop();
        } catch (Exception e) {
            LOG.warn("error stopping Jetty", e);
        }
    }

    /** Builds a {@link TandemServer}; not thread-safe. */
    public static final class Builder {
        private String host = DEFAULT_HOST;
        private int port = DEFAULT_PORT;
        private @Nullable RoomManager rooms;
        private @Nullable RoomOptions roomOptions;
        private @Nullable Function<String, Room> roomLookup;
        private ConnectionSettings settings = ConnectionSettings.defaults();
        private ServerSecurity security = ServerSecurity.open();
        private Duration stopTimeout = Duration.ofSeconds(2);
        private Duration flushTimeout = Duration.ofSeconds(30);
        private @Nullable RoomStore store;
        private @Nullable TandemMetrics metrics;
        private long maxBodyBytes = DEFAULT_MAX_BODY_BYTES;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private @Nullable Path webRoot;
        private @Nullable Path uploadDir;
        private long maxUploadBytes = DEFAULT_MAX_UPLOAD_BYTES;
        private boolean unfurl = true;
        private boolean unfurlAllowPrivate;
        private boolean eventLog;
        private int maxEventsPerPush = SyncApi.DEFAULT_MAX_EVENTS_PER_PUSH;
        private int maxPullLimit = SyncApi.DEFAULT_MAX_PULL_LIMIT;

        private @Nullable ClusterOptions clusterOptions;
        private @Nullable RoomFence fence;
        private NodeBudget budget = NodeBudget.defaults();

        private Builder() {}

        /** The resources the node lends to all its clients together; default {@link NodeBudget#defaults()}. */
        public Builder budget(NodeBudget budget) {
            this.budget = Objects.requireNonNull(budget, "budget");
            return this;
        }

        /**
         * Runs this server as one node of a multi-node cluster on Redis (see {@link RedisCluster}): rooms come
         * from {@link #roomOptions}, whose store must be the store every node shares, and their commits are
         * fenced through {@code fence}. The cluster connects to Redis when {@link #build()} runs and is closed by
         * {@link TandemServer#stop()}.
         */
        public Builder cluster(ClusterOptions clusterOptions, RoomFence fence) {
            this.clusterOptions = Objects.requireNonNull(clusterOptions, "clusterOptions");
            this.fence = Objects.requireNonNull(fence, "fence");
            return this;
        }

        /** The most events one {@code POST /sync/push} may carry; more get 413. 1 to 10,000, default 100. */
        public Builder maxEventsPerPush(int maxEventsPerPush) {
            if (maxEventsPerPush < 1 || maxEventsPerPush > 10_000) {
                throw new IllegalArgumentException(
                        "maxEventsPerPush must be between 1 and 10000 but was " + maxEventsPerPush);
            }
            this.maxEventsPerPush = maxEventsPerPush;
            return this;
        }

        /** The largest page a {@code POST /sync/pull} may ask for. 1 to 100,000, default 1000. */
        public Builder maxPullLimit(int maxPullLimit) {
            if (maxPullLimit < 1 || maxPullLimit > 100_000) {
                throw new IllegalArgumentException("maxPullLimit must be between 1 and 100000 but was " + maxPullLimit);
            }
            this.maxPullLimit = maxPullLimit;
            return this;
        }

        /**
         * Serves a built web page (a {@code vite build} output directory with an {@code index.html}, such as
         * {@code examples/tldraw-web/dist}) at {@code /}, {@code /r/{roomId}} and {@code /ro/{roomId}}, and its
         * files by path. Default: none.
         *
         * @throws IllegalArgumentException if the directory has no {@code index.html}
         */
        public Builder webRoot(Path webRoot) {
            Objects.requireNonNull(webRoot, "webRoot");
            if (!java.nio.file.Files.isRegularFile(webRoot.resolve("index.html"))) {
                throw new IllegalArgumentException("webRoot " + webRoot + " has no index.html");
            }
            this.webRoot = webRoot;
            return this;
        }

        /**
         * Keeps asset uploads ({@code POST|GET /uploads/{objectName}}) in this directory, created if missing.
         * Default: none, and the upload routes answer 501.
         */
        public Builder uploadDir(Path uploadDir) {
            this.uploadDir = Objects.requireNonNull(uploadDir, "uploadDir");
            return this;
        }

        /** The largest asset upload in bytes; > 0, default 25 MiB. */
        public Builder maxUploadBytes(long maxUploadBytes) {
            if (maxUploadBytes <= 0) {
                throw new IllegalArgumentException("maxUploadBytes must be > 0 but was " + maxUploadBytes);
            }
            this.maxUploadBytes = maxUploadBytes;
            return this;
        }

        /**
         * Whether {@code GET /unfurl?url=…} fetches bookmark metadata (default true), and whether it may fetch
         * loopback, private and link-local addresses (default false: only public addresses).
         */
        public Builder unfurl(boolean enabled, boolean allowPrivateAddresses) {
            this.unfurl = enabled;
            this.unfurlAllowPrivate = allowPrivateAddresses;
            return this;
        }

        /**
         * Whether room events go, one JSON object per line, to the SLF4J logger {@code tandem.events} (rooms
         * created from {@link #roomOptions} only). Default false.
         */
        public Builder eventLog(boolean eventLog) {
            this.eventLog = eventLog;
            return this;
        }

        /**
         * The store behind {@link #rooms}, for the version routes and {@code /healthz}; with {@link #roomOptions}
         * the options' store is used.
         */
        public Builder store(RoomStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** The metrics to serve at {@code /metrics}; default {@link TandemMetrics#create()}. */
        public Builder metrics(TandemMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** The largest HTTP request body (a snapshot PUT) in bytes; > 0, default 32 MiB. */
        public Builder maxBodyBytes(long maxBodyBytes) {
            if (maxBodyBytes <= 0) {
                throw new IllegalArgumentException("maxBodyBytes must be > 0 but was " + maxBodyBytes);
            }
            this.maxBodyBytes = maxBodyBytes;
            return this;
        }

        /** How long an HTTP request waits for a room or the store before it gets 503; > 0, default 30 s. */
        public Builder requestTimeout(Duration requestTimeout) {
            Objects.requireNonNull(requestTimeout, "requestTimeout");
            if (requestTimeout.isNegative() || requestTimeout.isZero()) {
                throw new IllegalArgumentException("requestTimeout must be > 0 but was " + requestTimeout);
            }
            this.requestTimeout = requestTimeout;
            return this;
        }

        /** How long {@link TandemServer#stop()} waits for the rooms it owns to be flushed; >= 0, default 30 s. */
        public Builder flushTimeout(Duration flushTimeout) {
            Objects.requireNonNull(flushTimeout, "flushTimeout");
            if (flushTimeout.isNegative()) {
                throw new IllegalArgumentException("flushTimeout must be >= 0 but was " + flushTimeout);
            }
            this.flushTimeout = flushTimeout;
            return this;
        }

        /** The interface to bind, e.g. {@code 127.0.0.1} (default) or {@code 0.0.0.0}. */
        public Builder host(String host) {
            Objects.requireNonNull(host, "host");
            if (host.isBlank()) {
                throw new IllegalArgumentException("host must not be blank");
            }
            this.host = host;
            return this;
        }

        /** The port, 0 to 65535; 0 picks a free port (see {@link TandemServer#port()}). */
        public Builder port(int port) {
            if (port < 0 || port > 65535) {
                throw new IllegalArgumentException("port must be between 0 and 65535 but was " + port);
            }
            this.port = port;
            return this;
        }

        /** Serves these rooms; the caller keeps ownership and closes them. Excludes {@link #roomOptions}. */
        public Builder rooms(RoomManager rooms) {
            this.rooms = Objects.requireNonNull(rooms, "rooms");
            return this;
        }

        /**
         * Creates rooms with these options, owned and closed by the server. The default when neither this nor
         * {@link #rooms} is set is {@code RoomOptions.builder().build()}.
         */
        public Builder roomOptions(RoomOptions roomOptions) {
            this.roomOptions = Objects.requireNonNull(roomOptions, "roomOptions");
            return this;
        }

        /** Serves rooms from any lookup (tests pass fake rooms). */
        Builder roomLookup(Function<String, Room> roomLookup) {
            this.roomLookup = Objects.requireNonNull(roomLookup, "roomLookup");
            return this;
        }

        /** Per-connection limits; see {@link ConnectionSettings}. */
        public Builder connectionSettings(ConnectionSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /**
         * Authentication, room access and server-wide limits; default {@link ServerSecurity#open()}. With a {@link
         * dev.tandem.sync.server.auth.RoomPolicies} as the room access, the server also serves {@code GET|PUT
         * /rooms/{roomId}/policy}.
         */
        public Builder security(ServerSecurity security) {
            this.security = Objects.requireNonNull(security, "security");
            return this;
        }

        /** Authenticates every connection and admin request with {@code authenticator}. */
        public Builder authenticator(dev.tandem.sync.core.Authenticator authenticator) {
            this.security = security.withAuthenticator(Objects.requireNonNull(authenticator, "authenticator"));
            return this;
        }

        /** Decides each connection's access to its room; default everyone reads and writes. */
        public Builder roomAccess(dev.tandem.sync.core.RoomAccess roomAccess) {
            this.security = security.withRoomAccess(roomAccess);
            return this;
        }

        /**
         * The web pages whose scripts may connect and change rooms; default {@link AllowedOrigins#defaults()}:
         * clients without {@code Origin}, pages of this server, and loopback pages when reached on loopback.
         */
        public Builder allowedOrigins(AllowedOrigins allowedOrigins) {
            this.security = security.withAllowedOrigins(Objects.requireNonNull(allowedOrigins, "allowedOrigins"));
            return this;
        }

        /** Server-wide limits; default {@link ServerLimits#DEFAULTS}. */
        public Builder serverLimits(ServerLimits limits) {
            this.security = security.withLimits(limits);
            return this;
        }

        /** Jetty's idle timeout for connections with no traffic; > 0, default 60 s. */
        public Builder idleTimeout(Duration idleTimeout) {
            this.settings = settings.withIdleTimeout(idleTimeout);
            return this;
        }

        /** The largest incoming WebSocket message in bytes; at least 1 MiB (the default). */
        public Builder maxMessageBytes(long maxMessageBytes) {
            this.settings = settings.withMaxMessageBytes(maxMessageBytes);
            return this;
        }

        /** The outgoing queue limit per connection in bytes; > 0, default 16 MiB. */
        public Builder maxQueuedBytes(long maxQueuedBytes) {
            this.settings = settings.withMaxQueuedBytes(maxQueuedBytes);
            return this;
        }

        /** How long {@link TandemServer#stop()} waits for connections to close; >= 0, default 2 s. */
        public Builder stopTimeout(Duration stopTimeout) {
            Objects.requireNonNull(stopTimeout, "stopTimeout");
            if (stopTimeout.isNegative()) {
                throw new IllegalArgumentException("stopTimeout must be >= 0 but was " + stopTimeout);
            }
            this.stopTimeout = stopTimeout;
            return this;
        }

        /**
         * Builds the server (not started).
         *
         * @throws IllegalStateException if both {@link #rooms} and {@link #roomOptions} were set
         */
        public TandemServer build() {
            int sources = (rooms != null ? 1 : 0) + (roomOptions != null ? 1 : 0) + (roomLookup != null ? 1 : 0);
            if (sources > 1) {
                throw new IllegalStateException("set at most one of rooms and roomOptions");
            }
            TandemMetrics m = metrics != null ? metrics : TandemMetrics.create();
            if (clusterOptions != null && (roomLookup != null || rooms != null)) {
                throw new IllegalStateException("a cluster node creates its rooms from roomOptions");
            }
            if (roomLookup != null) {
                return new TandemServer(this, roomLookup, null, null, null, m, null);
            }
            if (rooms != null) {
                RoomManager r = rooms;
                return new TandemServer(this, r::room, r, null, store, m, null);
            }
            RoomOptions given =
                    roomOptions != null ? roomOptions : RoomOptions.builder().build();
            RoomOptions options = given.toBuilder()
                    .events(FanOutRoomEvents.of(
                            given.events(),
                            new LoggingRoomEvents(),
                            m.roomEvents(),
                            eventLog ? JsonLinesRoomEvents.toLog() : dev.tandem.sync.core.RoomEvents.NONE))
                    .build();
            if (clusterOptions != null && fence != null) {
                if (options.store() == null) {
                    throw new IllegalStateException("a cluster node needs room options with the shared store");
                }
                RedisCluster node = RedisCluster.start(clusterOptions, options, fence);
                RoomManager owned = node.rooms();
                return new TandemServer(this, owned::room, owned, owned, options.store(), m, node);
            }
            RoomManager owned = RoomManager.create(id -> options, budget.maxLoadedRooms());
            return new TandemServer(this, owned::room, owned, owned, options.store(), m, null);
        }
    }
}
