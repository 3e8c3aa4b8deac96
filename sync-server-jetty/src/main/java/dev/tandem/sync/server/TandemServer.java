package dev.tandem.sync.server;

import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomManager;
import dev.tandem.sync.core.RoomOptions;
import java.net.URI;
import java.time.Duration;
import java.util.Objects;
import java.util.function.Function;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Jetty 12 server that serves Tandem rooms over WebSocket on one port, with the routes of {@link
 * TandemHandler}. Built with {@link #builder()}, which checks each value at once.
 *
 * <p>Thread-safe. Lifecycle: {@link #start()} once, then {@link #stop()} (or {@link #close()}), which is
 * idempotent, closes every connection normally and, if the server created its {@link RoomManager}, closes the
 * rooms too. A stopped server cannot be restarted.
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

    private final String host;
    private final int requestedPort;
    private final @Nullable RoomManager ownedRooms;
    private final Server server;
    private final ServerConnector connector;
    private final TandemHandler handler;
    private final Duration stopTimeout;
    private State state = State.NEW;
    private int boundPort = -1;

    private enum State {
        NEW,
        STARTED,
        STOPPED
    }

    private TandemServer(Builder b, Function<String, Room> rooms, @Nullable RoomManager ownedRooms) {
        this.host = b.host;
        this.requestedPort = b.port;
        this.ownedRooms = ownedRooms;
        this.stopTimeout = b.stopTimeout;
        QueuedThreadPool threads = new QueuedThreadPool();
        threads.setName("tandem-http");
        this.server = new Server(threads);
        this.connector = new ServerConnector(server);
        connector.setHost(host);
        connector.setPort(requestedPort);
        server.addConnector(connector);
        this.handler = TandemHandler.create(server, rooms, b.settings);
        server.setHandler(handler);
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

    /** Returns the rooms, if the server created them from {@link Builder#roomOptions}. */
    public java.util.Optional<RoomManager> ownedRooms() {
        return java.util.Optional.ofNullable(ownedRooms);
    }

    /**
     * Closes every connection normally, stops the server and closes rooms the server created. Idempotent; waits
     * at most the stop timeout for connections to close.
     */
    public synchronized void stop() {
        if (state == State.STOPPED) {
            return;
        }
        boolean wasStarted = state == State.STARTED;
        state = State.STOPPED;
        if (wasStarted) {
            handler.closeConnections(stopTimeout);
        }
        stopQuietly();
        if (ownedRooms != null) {
            ownedRooms.close();
        }
        if (wasStarted) {
            LOG.info("Tandem server on {}:{} stopped", host, boundPort);
        }
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
        private Duration stopTimeout = Duration.ofSeconds(2);

        private Builder() {}

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
            if (roomLookup != null) {
                return new TandemServer(this, roomLookup, null);
            }
            if (rooms != null) {
                RoomManager r = rooms;
                return new TandemServer(this, r::room, null);
            }
            RoomManager owned = RoomManager.create(
                    roomOptions != null ? roomOptions : RoomOptions.builder().build());
            return new TandemServer(this, owned::room, owned);
        }
    }
}
