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
import dev.tandem.sync.server.internal.http.RoomDirectory;
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
 * <p>Built with {@link #builder(RoomManager)}, which checks each value at once; its settings are those of {@link
 * RoutesBuilder}, shared with {@link TandemServer.Builder}, and this class is where both assemble the routes. Thread-safe once built; the
 * rooms and the store belong to the caller, who closes them after the server stops.
 *
 * <pre>{@code
 * Handler app = server.getHandler();
 * server.setHandler(TandemRoutes.builder(rooms).store(store).build().mount(server, app));
 * }</pre>
 */
public final class TandemRoutes {
    private final RoomManager rooms;
    /** Where the HTTP routes find a room: {@link #rooms}, or on a cluster node, the room's owner. */
    private final RoomDirectory directory;

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

    /** The routes of {@code rooms} with the settings of {@code b}; the store is {@code store}'s. */
    TandemRoutes(RoutesBuilder<?> b, RoomManager rooms, @Nullable RoomStore store) {
        this(b, rooms, RoomDirectory.of(rooms), store);
    }

    /** The routes of {@code rooms}, the HTTP routes finding rooms in {@code directory}. */
    TandemRoutes(RoutesBuilder<?> b, RoomManager rooms, RoomDirectory directory, @Nullable RoomStore store) {
        this.rooms = Objects.requireNonNull(rooms, "rooms");
        this.directory = Objects.requireNonNull(directory, "directory");
        this.store = store;
        this.metrics = b.metrics;
        this.settings = b.settings;
        this.security = b.security.guarded();
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
        handler.setHandler(httpRoutes(handler, null, next));
        if (metrics != null) {
            bindMetrics(metrics, handler);
        }
        return handler;
    }

    /** Registers the room and store gauges of these routes, and the connection gauges of {@code handler}. */
    void bindMetrics(TandemMetrics m, TandemHandler handler) {
        m.bindRooms(rooms);
        if (store != null) {
            m.bindStore(store);
        }
        m.bindConnections(handler);
    }

    /**
     * Returns the HTTP routes behind {@code handler}'s WebSocket routes: offline sync first, then the app routes
     * (snapshots, uploads, unfurl), then the policy API and the room routes (with {@code GET /metrics} from {@code
     * prometheus} if there is one), then {@code next} if there is one.
     */
    Handler httpRoutes(TandemHandler handler, @Nullable Supplier<String> prometheus, @Nullable Handler next) {
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
                directory,
                store,
                readOnly,
                uploads,
                unfurler,
                requestTimeout,
                authenticator,
                security.roomAccess(),
                bodies);
        RoomApi roomApi = new RoomApi(directory, store, prometheus, maxBodyBytes, requestTimeout, next != null, bodies);
        List<Handler> chain = new ArrayList<>(List.of(
                new SyncApi(
                        directory,
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
                        directory,
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

    /** Builds {@link TandemRoutes}; the settings are {@link RoutesBuilder}'s. Not thread-safe. */
    public static final class Builder extends RoutesBuilder<Builder> {
        private final RoomManager rooms;

        private Builder(RoomManager rooms) {
            this.rooms = Objects.requireNonNull(rooms, "rooms");
        }

        /** Returns the routes. */
        public TandemRoutes build() {
            return new TandemRoutes(this, rooms, store);
        }
    }
}
