package dev.tandem.sync.server;

import dev.tandem.sync.core.Authenticator;
import dev.tandem.sync.core.RoomManager;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.server.internal.app.AppApi;
import dev.tandem.sync.server.internal.app.ReadOnlyRooms;
import dev.tandem.sync.server.internal.app.Unfurler;
import dev.tandem.sync.server.internal.app.UploadStore;
import dev.tandem.sync.server.internal.http.BodyReader;
import dev.tandem.sync.server.internal.http.PolicyApi;
import dev.tandem.sync.server.internal.http.RoomApi;
import dev.tandem.sync.server.internal.http.SyncApi;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Supplier;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Server;
import org.jspecify.annotations.Nullable;

/**
 * Tandem's WebSocket and HTTP routes as one Jetty {@link Handler}, to mount in front of an application's own
 * handler in an existing Jetty 12 server (a Spring Boot application's, for instance): the WebSocket routes of
 * {@link TandemHandler}, then the HTTP routes of {@link TandemServer} ({@code /sync/push}, {@code /sync/pull},
 * {@code /snapshots}, {@code /uploads/…}, {@code /unfurl}, {@code /rooms/…} and {@code GET /healthz}); every other
 * request goes on to the application's handler. {@code GET /metrics} is not served: the application exposes
 * {@link TandemMetrics#registry()} its own way.
 *
 * <p>The browser checks of {@link AllowedOrigins} ({@code Origin} and, on loopback, {@code Host}) apply to these
 * routes only, with the {@link ServerSecurity}'s allowed origins. Jetty's error pages are the server's: unlike
 * {@link TandemServer}, mounting installs no JSON error handler in the application's server.
 *
 * <p>Built with {@link #builder(RoomManager)}, which checks each value at once. Thread-safe once built; the
 * rooms and the store belong to the caller, who closes them after the server stops.
 *
 * <pre>{@code
 * Handler app = server.getHandler();
 * server.setHandler(TandemRoutes.builder(rooms).store(store).build().mount(server, app));
 * }</pre>
 */
public final class TandemRoutes {
    private final RoomManager rooms;
    private final @Nullable RoomStore store;
    private final @Nullable TandemMetrics metrics;
    private final ConnectionSettings settings;
    private final ServerSecurity security;
    private final long maxBodyBytes;
    private final Duration requestTimeout;
    private final @Nullable Path uploadDir;
    private final long maxUploadBytes;
    private final boolean unfurl;
    private final boolean unfurlAllowPrivate;
    private final int maxEventsPerPush;
    private final int maxPullLimit;

    private TandemRoutes(Builder b) {
        this.rooms = b.rooms;
        this.store = b.store;
        this.metrics = b.metrics;
        this.settings = b.settings;
        this.security = b.security;
        this.maxBodyBytes = b.maxBodyBytes;
        this.requestTimeout = b.requestTimeout;
        this.uploadDir = b.uploadDir;
        this.maxUploadBytes = b.maxUploadBytes;
        this.unfurl = b.unfurl;
        this.unfurlAllowPrivate = b.unfurlAllowPrivate;
        this.maxEventsPerPush = b.maxEventsPerPush;
        this.maxPullLimit = b.maxPullLimit;
    }

    /** Returns a builder of the routes of {@code rooms}, with {@link TandemServer}'s defaults. */
    public static Builder builder(RoomManager rooms) {
        return new Builder(rooms);
    }

    /**
     * Returns the handler of these routes for {@code server}, passing every other request to {@code next} (or
     * answering it with a JSON 404 when {@code next} is null). Set it as the server's handler before the server
     * starts; with metrics, it also registers the connection, room and store gauges.
     */
    public TandemHandler mount(Server server, @Nullable Handler next) {
        Objects.requireNonNull(server, "server");
        TandemHandler handler = TandemHandler.create(server, rooms, settings, security);
        handler.setHandler(httpRoutes(
                handler,
                rooms,
                store,
                security,
                null,
                maxBodyBytes,
                requestTimeout,
                uploadDir,
                maxUploadBytes,
                unfurl,
                unfurlAllowPrivate,
                maxEventsPerPush,
                maxPullLimit,
                next));
        if (metrics != null) {
            metrics.bindRooms(rooms);
            if (store != null) {
                metrics.bindStore(store);
            }
            metrics.bindConnections(handler);
        }
        return handler;
    }

    /**
     * Returns the HTTP routes behind {@code handler}'s WebSocket routes: offline sync first, then the app routes
     * (snapshots, uploads, unfurl), then the policy API and the room routes, then {@code next} if there is one.
     */
    static Handler httpRoutes(
            TandemHandler handler,
            RoomManager manager,
            @Nullable RoomStore store,
            ServerSecurity security,
            @Nullable Supplier<String> prometheus,
            long maxBodyBytes,
            Duration requestTimeout,
            @Nullable Path uploadDir,
            long maxUploadBytes,
            boolean unfurl,
            boolean unfurlAllowPrivate,
            int maxEventsPerPush,
            int maxPullLimit,
            @Nullable Handler next) {
        ReadOnlyRooms readOnly = new ReadOnlyRooms(store, requestTimeout);
        handler.readOnlyRooms(readOnly::isReadOnly);
        UploadStore uploads = uploadDir == null
                ? null
                : new UploadStore(uploadDir, maxUploadBytes, handler.budgets().uploads());
        Unfurler unfurler = unfurl
                ? new Unfurler(
                        unfurlAllowPrivate,
                        Duration.ofSeconds(5),
                        Duration.ofSeconds(10),
                        TandemServer.UNFURL_MAX_BYTES,
                        Unfurler.DEFAULT_MAX_CONCURRENT)
                : null;
        Authenticator authenticator = security.authenticator();
        BodyReader bodies = new BodyReader(
                security.limits().bodyTimeout(), security.limits().minBodyBytesPerSecond());
        AppApi app = new AppApi(
                manager,
                store,
                readOnly,
                uploads,
                unfurler,
                requestTimeout,
                authenticator,
                security.roomAccess(),
                bodies);
        RoomApi roomApi = new RoomApi(manager, store, prometheus, maxBodyBytes, requestTimeout, next != null, bodies);
        List<Handler> chain = new ArrayList<>(List.of(
                new SyncApi(
                        manager,
                        authenticator != null ? authenticator : Authenticator.anonymous(),
                        security.roomAccess(),
                        readOnly::isReadOnly,
                        maxEventsPerPush,
                        maxPullLimit,
                        maxBodyBytes,
                        requestTimeout,
                        bodies),
                app,
                new PolicyApi(
                        authenticator,
                        security.roomAccess(),
                        manager,
                        store,
                        readOnly::isReadOnly,
                        info -> Boolean.TRUE.equals(info.meta().get(TandemHandler.READ_ONLY_ROUTE_META)),
                        requestTimeout,
                        bodies,
                        roomApi)));
        if (next != null) {
            chain.add(next);
        }
        return handler.budgets().guard(new Handler.Sequence(chain));
    }

    /** Builds {@link TandemRoutes}; not thread-safe. */
    public static final class Builder {
        private final RoomManager rooms;
        private @Nullable RoomStore store;
        private @Nullable TandemMetrics metrics;
        private ConnectionSettings settings = ConnectionSettings.defaults();
        private ServerSecurity security = ServerSecurity.open();
        private long maxBodyBytes = TandemServer.DEFAULT_MAX_BODY_BYTES;
        private Duration requestTimeout = Duration.ofSeconds(30);
        private @Nullable Path uploadDir;
        private long maxUploadBytes = TandemServer.DEFAULT_MAX_UPLOAD_BYTES;
        private boolean unfurl = true;
        private boolean unfurlAllowPrivate;
        private int maxEventsPerPush = SyncApi.DEFAULT_MAX_EVENTS_PER_PUSH;
        private int maxPullLimit = SyncApi.DEFAULT_MAX_PULL_LIMIT;

        private Builder(RoomManager rooms) {
            this.rooms = Objects.requireNonNull(rooms, "rooms");
        }

        /** The store behind the rooms, for the version routes, read-only copies and {@code /healthz}. */
        public Builder store(RoomStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Registers the connection, room and store gauges in these metrics when mounted. Default: none. */
        public Builder metrics(TandemMetrics metrics) {
            this.metrics = Objects.requireNonNull(metrics, "metrics");
            return this;
        }

        /** Per-connection limits; see {@link ConnectionSettings}. */
        public Builder connectionSettings(ConnectionSettings settings) {
            this.settings = Objects.requireNonNull(settings, "settings");
            return this;
        }

        /** Authentication, room access and server-wide limits; default {@link ServerSecurity#open()}. */
        public Builder security(ServerSecurity security) {
            this.security = Objects.requireNonNull(security, "security");
            return this;
        }

        /** The largest HTTP request body in bytes; > 0, default 32 MiB. */
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

        /** Keeps asset uploads in this directory, created if missing. Default: none (the upload routes answer 501). */
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

        /** Whether {@code GET /unfurl} fetches bookmark metadata (default true), and may fetch private addresses. */
        public Builder unfurl(boolean enabled, boolean allowPrivateAddresses) {
            this.unfurl = enabled;
            this.unfurlAllowPrivate = allowPrivateAddresses;
            return this;
        }

        /** The most events one {@code POST /sync/push} may carry. 1 to 10,000, default 100. */
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

        /** Returns the routes. */
        public TandemRoutes build() {
            return new TandemRoutes(this);
        }
    }
}
