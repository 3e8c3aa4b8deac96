package dev.tandem.sync.server;

import dev.tandem.sync.core.Access;
import dev.tandem.sync.core.AuthRequest;
import dev.tandem.sync.core.Authenticator;
import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomManager;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SessionSocket;
import dev.tandem.sync.core.SocketHandler;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.core.TooManyRoomsException;
import dev.tandem.sync.server.internal.budget.NodeBudgets;
import dev.tandem.sync.server.internal.http.ApiError;
import dev.tandem.sync.server.internal.http.BrowserChecks;
import dev.tandem.sync.server.internal.http.JsonError;
import dev.tandem.sync.server.internal.http.Route;
import dev.tandem.sync.server.internal.limits.KeyedBuckets;
import dev.tandem.sync.server.internal.limits.PrincipalRateLimit;
import dev.tandem.sync.server.internal.limits.RateLimitCooldowns;
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
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpField;
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
 * <p>Each upgrade is admitted as {@link ServerSecurity} says: the client IP's connection rate, then the {@link
 * dev.tandem.sync.core.Authenticator} (token from {@code Authorization: Bearer} or the {@code token} query
 * parameter), the principal's connection rate, then the {@link dev.tandem.sync.core.RoomAccess} decision. A
 * refused request is still upgraded, then closed at once with 4099 and the reason ({@code RATE_LIMITED}, {@code
 * NOT_AUTHENTICATED}, {@code FORBIDDEN}, {@code NOT_FOUND}), like tldraw's hosts, so the client shows it and does
 * not retry. A {@code READ_ONLY} decision makes the session read-only. Admitted sessions also count against their
 * principal's message and byte rate over all its sessions.
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

    /** Session metadata marking a session that joined through the read-only route. */
    public static final String READ_ONLY_ROUTE_META = "readOnlyRoute";

    private final Function<String, Room> rooms;
    private final @Nullable RoomRouter router;
    private final ConnectionSettings settings;
    private final ServerSecurity security;
    private final BrowserChecks browserChecks;
    private final ServerWebSocketContainer container;
    private final Set<WebSocketConnection> connections = ConcurrentHashMap.newKeySet();
    private volatile Predicate<String> readOnlyRooms = roomId -> false;
    private final KeyedBuckets connectionsPerIp;
    private final KeyedBuckets connectionsPerPrincipal;
    private final PrincipalRateLimit principalRates;
    private final RateLimitCooldowns cooldowns;
    private volatile NodeBudgets budgets;

    /**
     * Joins a connection to a room that may live on another node (multi-node mode): returns the handler the
     * connection feeds.
     */
    @FunctionalInterface
    public interface RoomRouter {
        SocketHandler connect(String roomId, SessionSocket socket, SessionOptions options);
    }

    private TandemHandler(
            Server server,
            Function<String, Room> rooms,
            @Nullable RoomRouter router,
            ConnectionSettings settings,
            ServerSecurity security) {
        this.rooms = rooms;
        this.router = router;
        this.settings = settings;
        this.security = security;
        this.browserChecks = new BrowserChecks(security.allowedOrigins());
        this.container = ServerWebSocketContainer.ensure(server);
        ServerLimits limits = security.limits();
        this.connectionsPerIp = KeyedBuckets.perMinute(
                limits.connectionsPerIpPerMinute(), limits.maxTrackedClients(), System::nanoTime);
        this.connectionsPerPrincipal = KeyedBuckets.perMinute(
                limits.connectionsPerPrincipalPerMinute(), limits.maxTrackedClients(), System::nanoTime);
        this.principalRates = new PrincipalRateLimit(limits, System::nanoTime);
        this.cooldowns = new RateLimitCooldowns(
                limits.rateLimitCooldown(),
                limits.maxRateLimitCooldown(),
                limits.maxTrackedClients(),
                System::nanoTime);
        this.budgets = NodeBudgets.of(NodeBudget.defaults(), limits.maxTrackedClients());
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

    /**
     * Creates a handler for {@code server} whose connections authenticate, get their access and are limited as
     * {@code security} says.
     */
    public static TandemHandler create(
            Server server, RoomManager rooms, ConnectionSettings settings, ServerSecurity security) {
        Objects.requireNonNull(rooms, "rooms");
        return create(server, rooms::room, settings, security);
    }

    /** Creates a handler over any room lookup (tests pass fake rooms). */
    static TandemHandler create(Server server, Function<String, Room> rooms, ConnectionSettings settings) {
        return create(server, rooms, settings, ServerSecurity.open());
    }

    static TandemHandler create(
            Server server, Function<String, Room> rooms, ConnectionSettings settings, ServerSecurity security) {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(rooms, "rooms");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(security, "security");
        return new TandemHandler(server, rooms, null, settings, security);
    }

    /**
     * Creates a handler whose connections join rooms through {@code router} (a multi-node cluster), which decides
     * where each room runs; admission (authentication, access, limits) happens here, on the node the client
     * reached.
     */
    public static TandemHandler create(
            Server server, RoomRouter router, ConnectionSettings settings, ServerSecurity security) {
        Objects.requireNonNull(server, "server");
        Objects.requireNonNull(router, "router");
        Objects.requireNonNull(settings, "settings");
        Objects.requireNonNull(security, "security");
        return new TandemHandler(
                server,
                id -> {
                    throw new IllegalStateException("rooms are routed");
                },
                router,
                settings,
                security);
    }

    /** Returns the security settings. */
    public ServerSecurity security() {
        return security;
    }

    /** Makes every session in the rooms this predicate accepts read-only, whatever their route. */
    void readOnlyRooms(Predicate<String> readOnly) {
        this.readOnlyRooms = Objects.requireNonNull(readOnly, "readOnly");
    }

    /**
     * Sets the resources the node lends to all its clients together (default {@link NodeBudget#defaults()}).
     * Call before the server starts.
     */
    public void budget(NodeBudget budget) {
        this.budgets = NodeBudgets.of(
                Objects.requireNonNull(budget, "budget"), security.limits().maxTrackedClients());
    }

    /** Returns the node budget at work. */
    NodeBudgets budgets() {
        return budgets;
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
        if (route != null || isHttpRoute(path)) {
            // before anything else: a page of another site gets nothing, not even an upgrade
            ApiError refused = browserChecks.refusal(request, route != null);
            if (refused != null) {
                JsonError.write(response, callback, refused.status, refused.code, String.valueOf(refused.getMessage()));
                return true;
            }
        }
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
        Map<String, Object> meta = new java.util.HashMap<>();
        if (storeId != null) {
            meta.put("storeId", storeId);
        }
        // a read-only copy (POST /snapshots) is read-only on every route, whatever the room's policy says
        boolean readOnly = route.readOnly() || readOnlyRooms.test(route.roomId());
        if (readOnly) {
            meta.put(READ_ONLY_ROUTE_META, true);
        }
        SessionOptions options = new SessionOptions(sessionId, readOnly, meta);

        boolean deflate = budgets.budget().permessageDeflate();
        WebSocketCreator creator = (upgradeRequest, upgradeResponse, upgradeCallback) -> {
            if (!deflate) {
                upgradeResponse.setExtensions(List.of());
            }
            return admit(upgradeRequest, route, options, query);
        };
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

    /** Returns whether {@code path} is one of Tandem's HTTP routes (not an application's page). */
    private static boolean isHttpRoute(String path) {
        return path.startsWith("/sync/")
                || path.startsWith("/rooms/")
                || path.startsWith("/uploads/")
                || path.equals("/snapshots")
                || path.equals("/unfurl")
                || path.equals("/healthz")
                || path.equals("/metrics");
    }

    /**
     * Decides whether an upgraded request may join its room: the connection rate of its IP, its authentication,
     * the connection rate of its principal, then its access. A refusal still upgrades, then closes with 4099 and
     * the reason (as tldraw's hosts do), so the client shows the reason and does not retry.
     */
    private Object admit(Request request, Route route, SessionOptions options, Fields query) {
        String ip = Request.getRemoteAddr(request);
        NodeBudgets b = budgets;
        if (b.connections().open() >= b.budget().maxConnections()
                || b.connections().open(ip) >= b.budget().maxConnectionsPerAddress()) {
            // checked again, exactly, when the socket opens; this spares the authenticator a doomed request
            LOG.info("refused a connection to room {}: too many connections", route.roomId());
            return new RejectedConnection(
                    StatusCode.TRY_AGAIN_LATER,
                    WebSocketConnection.TOO_MANY_CONNECTIONS,
                    security.limits().handshakeTimeout());
        }
        if (!connectionsPerIp.tryTake(ip, 1)) {
            LOG.info("refused a connection to room {}: too many connections from one address", route.roomId());
            return rejected(CloseReason.RATE_LIMITED);
        }
        Principal principal = Principal.ANONYMOUS;
        Authenticator authenticator = security.authenticator();
        if (authenticator != null) {
            try {
                principal = authenticator.authenticate(authRequest(request, route.roomId(), query, ip));
            } catch (SyncException e) {
                // the message names the reason only; authenticators never put the token in it
                LOG.info("refused a connection to room {}: {}", route.roomId(), e.getMessage());
                return rejected(e.reason());
            } catch (RuntimeException e) {
                LOG.warn("authenticator failed for room {}", route.roomId(), e);
                return rejected(CloseReason.UNKNOWN_ERROR);
            }
        }
        String cooldownKey = cooldownKey(principal, ip);
        Duration cooling = cooldowns.remaining(cooldownKey);
        if (!cooling.isZero()) {
            // DEBUG: a flooder reconnecting at once must not flood the log too
            LOG.debug(
                    "refused a connection to room {}: rate limited, cooling down for {} ms more",
                    route.roomId(),
                    cooling.toMillis());
            return rejected(CloseReason.RATE_LIMITED);
        }
        if (principal != Principal.ANONYMOUS && !connectionsPerPrincipal.tryTake(principal.id(), 1)) {
            LOG.info("refused a connection to room {}: too many connections by one principal", route.roomId());
            return rejected(CloseReason.RATE_LIMITED);
        }
        Access access;
        try {
            // only a join that may write can claim a room; a read-only one (the /ro/ route, a copy) reads
            access = options.readOnly()
                    ? security.roomAccess().access(principal, route.roomId())
                    : security.roomAccess().accessToWrite(principal, route.roomId());
        } catch (SyncException e) {
            LOG.info("refused a connection to room {}: {}", route.roomId(), e.getMessage());
            return rejected(e.reason());
        } catch (RuntimeException e) {
            LOG.warn("room access policy failed for room {}", route.roomId(), e);
            return rejected(CloseReason.UNKNOWN_ERROR);
        }
        CloseReason denied = access.closeReason();
        if (denied != null) {
            LOG.info("refused a connection to room {}: {}", route.roomId(), denied.wireName());
            return rejected(denied);
        }
        SessionOptions admitted =
                options.withPrincipal(principal).withReadOnly(options.readOnly() || access == Access.READ_ONLY);
        return endpoint(route, admitted, () -> cooldowns.strike(cooldownKey));
    }

    /** Cooldowns follow the principal; anonymous clients can only be told apart by their IP. */
    private static String cooldownKey(Principal principal, String ip) {
        return principal == Principal.ANONYMOUS ? "ip:" + ip : "principal:" + principal.id();
    }

    private RejectedConnection rejected(CloseReason reason) {
        return new RejectedConnection(
                CloseReason.CLOSE_CODE, reason.wireName(), security.limits().handshakeTimeout());
    }

    private static AuthRequest authRequest(Request request, String roomId, Fields query, String ip) {
        Map<String, List<String>> headers = new java.util.HashMap<>();
        for (HttpField field : request.getHeaders()) {
            headers.computeIfAbsent(field.getLowerCaseName(), k -> new java.util.ArrayList<>())
                    .add(field.getValue());
        }
        Map<String, List<String>> parameters = new java.util.HashMap<>();
        for (Fields.Field f : query) {
            parameters.put(f.getName(), f.getValues());
        }
        return new AuthRequest(roomId, headers, parameters, ip);
    }

    private Object endpoint(Route route, SessionOptions options, Runnable onRateLimited) {
        RoomRouter r = router;
        if (r != null) {
            String roomId = route.roomId();
            PrincipalRateLimit rates = options.principal() == Principal.ANONYMOUS ? null : principalRates;
            return new WebSocketConnection(
                    roomId,
                    (socket, o) -> r.connect(roomId, socket, o),
                    options,
                    settings,
                    connections,
                    rates,
                    onRateLimited,
                    budgets);
        }
        Room room;
        try {
            room = rooms.apply(route.roomId());
        } catch (TooManyRoomsException full) {
            LOG.info("refused a connection to room {}: {}", route.roomId(), full.getMessage());
            return new RejectedConnection(
                    StatusCode.TRY_AGAIN_LATER,
                    WebSocketConnection.TOO_MANY_ROOMS,
                    security.limits().handshakeTimeout());
        } catch (IllegalStateException closed) {
            return new RejectedConnection(StatusCode.SHUTDOWN, "server shutting down");
        } catch (RuntimeException e) {
            LOG.warn("cannot open room {}", route.roomId(), e);
            return new RejectedConnection(CloseReason.CLOSE_CODE, CloseReason.UNKNOWN_ERROR.wireName());
        }
        PrincipalRateLimit rates = options.principal() == Principal.ANONYMOUS ? null : principalRates;
        return new WebSocketConnection(room, options, settings, connections, rates, onRateLimited, budgets);
    }

    @Override
    public InvocationType getInvocationType() {
        @Nullable Handler next = getHandler();
        InvocationType nextType = next == null ? InvocationType.NON_BLOCKING : next.getInvocationType();
        return Invocable.combine(nextType, container.getInvocationType());
    }
}
