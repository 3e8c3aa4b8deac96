package dev.tandem.sync.server;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomManager;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SessionSocket;
import dev.tandem.sync.core.SocketHandler;
import dev.tandem.sync.server.internal.http.JsonError;
import dev.tandem.sync.server.internal.http.Route;
import dev.tandem.sync.server.internal.ws.RejectedConnection;
import dev.tandem.sync.server.internal.ws.WebSocketConnection;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.eclipse.jetty.util.thread.Invocable;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.eclipse.jetty.websocket.server.ServerWebSocketContainer;
import org.eclipse.jetty.websocket.server.WebSocketCreator;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A Jetty {@link Handler} that serves Tandem rooms over WebSocket, to mount in an existing Jetty 12 server.
 *
 * <p>Routes (paths relative to the handler's context):
 *
 * <ul>
 *   <li>{@code GET /connect/{roomId}?sessionId=…&storeId=…} and {@code /r/{roomId}}: a read-write session;
 *   <li>{@code /ro/{roomId}}: a read-only session (its document changes are discarded, its presence goes
 *       through).
 * </ul>
 *
 * <p>A missing {@code sessionId} gets a random one. A bad room or session id, or a request on these routes that
 * is not a WebSocket upgrade, gets {@code 400} with a JSON body {@code {"error": CODE, "message": …}}; any other
 * path goes to the wrapped handler, or gets a JSON {@code 404} when there is none.
 *
 * <p>Thread-safe. Jetty's lifecycle starts and stops it with the server; stopping it closes its open
 * connections normally (clients reconnect) but leaves the {@link RoomManager} open.
 *
 * <pre>{@code
 * Server server = new Server(8080);
 * server.setHandler(TandemHandler.create(server, RoomManager.create(RoomOptions.builder().build())));
 * server.start();
 * }</pre>
 */
public final class TandemHandler extends Handler.Wrapper {
    private static final Logger LOG = LoggerFactory.getLogger(TandemHandler.class);

    private final Function<String, Room> rooms;
    private final @Nullable RoomRouter router;
    private final ConnectionSettings settings;
    private final ServerWebSocketContainer container;
    private final Set<WebSocketConnection> connections = ConcurrentHashMap.newKeySet();

    /**
     * Joins a connection to a room that may live on another node (multi-node mode): returns the handler the
     * connection feeds.
     */
    @FunctionalInterface
    public interface RoomRouter {
        SocketHandler connect(String roomId, SessionSocket socket, SessionOptions options);
    }

    private TandemHandler(
            Server server, Function<String, Room> rooms, @Nullable RoomRouter router, ConnectionSettings settings) {
        this.rooms = rooms;
        this.router = router;
        this.settings = settings;
        this.container = ServerWebSocketContainer.ensure(server);
        addBean(container);
    }

    /** Creates a handler for {@code server} with {@link ConnectionSettings#defaults()}. */
    public static TandemHandler create(Server server, RoomManager rooms) {
        return create(server, rooms, ConnectionSettings.defaults());
    }

    /** Creates a handler for {@code server}: rooms come from {@code rooms}, connections follow {@code settings}. */
    public static TandemHandler create(Server server, RoomManager rooms, ConnectionSettings settings) {
        Objects.requireNonNull(rooms, "rooms");
        return create(server, rooms::room, settings);
    }

    /** Creates a handler over any room lookup (tests pass fake rooms). */
    static TandemHandler create(Server server, Function<String, Room> rooms, ConnectionSettings settings) {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(rooms, "rooms");
        Objects.requireNonNull(settings, "settings");
        return new TandemHandler(server, rooms, null, settings);
    }

    /**
     * Creates a handler whose connections join rooms through {@code router} (a multi-node cluster), which
     * decides where each room runs.
     */
    public static TandemHandler create(Server server, RoomRouter router, ConnectionSettings settings) {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(settings, "settings");
        return new TandemHandler(
                server,
                id -> {
                    throw new IllegalStateException("rooms are routed");
                },
                router,
                settings);
    }

    /** Returns the connection settings. */
    public ConnectionSettings settings() {
        return settings;
    }

    /** Returns the number of open WebSocket connections. */
    public int connectionCount() {
        return connections.size();
    }

    /** Returns the outgoing bytes waiting to be written, over all open connections. */
    public long queuedBytes() {
        long n = 0;
        for (WebSocketConnection c : connections) {
            n += c.queuedBytes();
        }
        return n;
    }

    /**
     * Closes every open connection normally (code 1000; clients reconnect) and waits up to {@code timeout} for
     * them to finish closing. Returns true if all did.
     */
    public boolean closeConnections(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        List<WebSocketConnection> open = List.copyOf(connections);
        for (WebSocketConnection c : open) {
            c.close();
        }
        CompletableFuture<?>[] ended =
                open.stream().map(WebSocketConnection::ended).toArray(CompletableFuture[]::new);
        try {
            CompletableFuture.allOf(ended).get(timeout.toNanos(), TimeUnit.NANOSECONDS);
            return true;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        } catch (ExecutionException | TimeoutException e) {
            return false;
        }
    }

    @Override
    protected void doStop() throws Exception {
        if (!connections.isEmpty() && !closeConnections(Duration.ofSeconds(2))) {
            LOG.info("{} connections did not close in time", connections.size());
        }
        super.doStop();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        Route route = Route.match(path);
        if (route == null) {
            if (getHandler() != null) {
                return super.handle(request, response, callback);
            }
            JsonError.write(response, callback, 404, "NOT_FOUND", "no route for " + path);
            return true;
        }
        String problem = route.roomIdProblem();
        if (problem != null) {
            JsonError.write(response, callback, 400, "INVALID_ROOM_ID", problem);
            return true;
        }
        Fields query = Request.extractQueryParameters(request);
        String sessionId = query.getValue("sessionId");
        if (sessionId == null || sessionId.isEmpty()) {
            sessionId = UUID.randomUUID().toString();
        } else {
            problem = Route.sessionIdProblem(sessionId);
            if (problem != null) {
                JsonError.write(response, callback, 400, "INVALID_SESSION_ID", problem);
                return true;
            }
        }
        String storeId = query.getValue("storeId");
        Map<String, Object> meta = storeId == null ? Map.of() : Map.of("storeId", storeId);
        SessionOptions options = new SessionOptions(sessionId, route.readOnly(), meta);

        WebSocketCreator creator = (upgradeRequest, upgradeResponse, upgradeCallback) -> endpoint(route, options);
        boolean upgraded;
        try {
            upgraded = container.upgrade(creator, request, response, callback);
        } catch (RuntimeException e) {
            LOG.debug("bad upgrade request for {}", path, e);
            upgraded = false;
        }
        if (!upgraded) {
            JsonError.write(response, callback, 400, "UPGRADE_REQUIRED", "this route accepts only WebSocket upgrades");
        }
        return true;
    }

    private Object endpoint(Route route, SessionOptions options) {
        RoomRouter r = router;
        if (r != null) {
            String roomId = route.roomId();
            return new WebSocketConnection(
                    roomId, (socket, o) -> r.connect(roomId, socket, o), options, settings, connections);
        }
        Room room;
        try {
            room = rooms.apply(route.roomId());
        } catch (IllegalStateException closed) {
            return new RejectedConnection(StatusCode.SHUTDOWN, "server shutting down");
        } catch (RuntimeException e) {
            LOG.warn("cannot open room {}", route.roomId(), e);
            return new RejectedConnection(CloseReason.CLOSE_CODE, CloseReason.UNKNOWN_ERROR.wireName());
        }
        return new WebSocketConnection(room, options, settings, connections);
    }

    @Override
    public InvocationType getInvocationType() {
        @Nullable Handler next = getHandler();
        InvocationType nextType = next == null ? InvocationType.NON_BLOCKING : next.getInvocationType();
        return Invocable.combine(nextType, container.getInvocationType());
    }
}
