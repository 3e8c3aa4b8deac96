package dev.tandem.sync.server.internal.http;

import dev.tandem.sync.core.Access;
import dev.tandem.sync.core.Authenticator;
import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomAccess;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.server.auth.RoomPolicies;
import dev.tandem.sync.server.auth.RoomPolicy;
import dev.tandem.sync.server.internal.guard.GuardedRoomAccess;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The admin API of room policies, {@code GET|PUT /rooms/{roomId}/policy}, and the guard in front of the other
 * {@code /rooms/…} routes. Both authenticate the request like a WebSocket connection (bearer token or {@code
 * token} query parameter): a missing or bad token gets 401, a refused principal 403, both with a JSON error body.
 *
 * <ul>
 *   <li>{@code GET /rooms/{roomId}/policy}: the policy ({@code {"owner", "shared", "linkType"}}) to any principal
 *       with access to the room; 404 {@code POLICY_NOT_FOUND} when the room has none.
 *   <li>{@code PUT /rooms/{roomId}/policy} with such a body ({@code owner} optional: it defaults to the current
 *       owner, or the caller for a room without a policy): by the room's owner or an administrator. A room
 *       without a policy may be claimed by a principal naming itself owner: in claim mode always, in open mode
 *       only while the room has no content (no records, no tombstones) and no session of another principal,
 *       since everyone may be using it. Once stored, open sessions are re-decided: those that lost access are
 *       closed with 4099 {@code FORBIDDEN}, those now view-only become read-only; the response is sent after that.
 *   <li>Other {@code /rooms/{roomId}/…} routes, when an authenticator is configured: reads need read access to the
 *       room ({@link RoomAccess#access}, which never claims), writes (snapshot PUT, restore) read-write access
 *       ({@link RoomAccess#accessToWrite}, which may claim).
 *   <li>Every write to a read-only copy (snapshot PUT, restore, policy PUT) gets 403 {@code FORBIDDEN}, whoever
 *       asks: a copy's content and policy are fixed when it is made.
 * </ul>
 *
 * <p>Thread-safe.
 */
public final class PolicyApi extends Handler.Wrapper {
    private static final Logger LOG = LoggerFactory.getLogger(PolicyApi.class);

    /** The largest policy body accepted. */
    public static final int MAX_POLICY_BYTES = 16 * 1024;

    private final @Nullable Authenticator authenticator;
    private final RoomAccess access;
    private final @Nullable RoomPolicies policies;
    private final RoomDirectory rooms;
    private final @Nullable RoomStore store;
    private final Predicate<String> readOnlyCopy;
    private final Function<Room.SessionInfo, Boolean> readOnlyRoute;
    private final Duration timeout;
    private final BodyReader bodies;

    /**
     * @param authenticator authenticates requests, or null when the server has no authentication
     * @param access the server's room access
     * @param rooms the open rooms, for live revocation
     * @param store the rooms' store, to tell whether an unloaded room has content; null for rooms in memory only
     * @param readOnlyCopy tells whether a room is a read-only copy, which no request may change
     * @param readOnlyRoute tells whether a session joined through the read-only route
     * @param timeout how long a request waits for the store
     * @param bodies reads request bodies within their deadline and minimum rate
     */
    public PolicyApi(
            @Nullable Authenticator authenticator,
            RoomAccess access,
            RoomDirectory rooms,
            @Nullable RoomStore store,
            Predicate<String> readOnlyCopy,
            Function<Room.SessionInfo, Boolean> readOnlyRoute,
            Duration timeout,
            BodyReader bodies,
            Handler next) {
        super(next);
        this.bodies = Objects.requireNonNull(bodies, "bodies");
        this.authenticator = authenticator;
        this.access = Objects.requireNonNull(access, "access");
        this.policies = GuardedRoomAccess.unwrap(access) instanceof RoomPolicies p ? p : null;
        this.rooms = Objects.requireNonNull(rooms, "rooms");
        this.store = store;
        this.readOnlyCopy = Objects.requireNonNull(readOnlyCopy, "readOnlyCopy");
        this.readOnlyRoute = readOnlyRoute;
        this.timeout = timeout;
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (!path.startsWith("/rooms/")) {
            return super.handle(request, response, callback);
        }
        String[] parts = path.substring("/rooms/".length()).split("/", -1);
        String roomId = parts[0];
        if (Route.idProblem("roomId", roomId, Route.MAX_ROOM_ID_LENGTH) != null) {
            return super.handle(request, response, callback); // the room API answers 400
        }
        try {
            if (isWrite(request) && readOnlyCopy.test(roomId)) {
                throw new ApiError(403, "FORBIDDEN", "room " + roomId + " is a read-only copy");
            }
            if (parts.length == 2 && parts[1].equals("policy")) {
                policy(request, roomId)
                        .orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                        .whenComplete((body, e) -> {
                            if (e == null) {
                                response.setStatus(200);
                                response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json;charset=utf-8");
                                response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
                                Content.Sink.write(response, true, body, callback);
                            } else {
                                writeError(response, callback, e);
                            }
                        });
                return true;
            }
            if (authenticator != null) {
                guard(request, roomId);
            }
        } catch (RuntimeException e) {
            writeError(response, callback, e);
            return true;
        }
        return super.handle(request, response, callback);
    }

    /** Lets a request through to the room routes only with enough access. */
    private void guard(Request request, String roomId) {
        Principal principal = authenticate(request, roomId);
        boolean write = isWrite(request);
        Access a = decide(principal, roomId, write);
        if (a == Access.READ_WRITE || (a == Access.READ_ONLY && !write)) {
            return;
        }
        throw new ApiError(
                403, "FORBIDDEN", write ? "this needs write access to room " + roomId : "no access to room " + roomId);
    }

    private CompletableFuture<String> policy(Request request, String roomId) {
        RoomPolicies p = policies;
        if (p == null) {
            throw new ApiError(404, "NOT_FOUND", "this server decides access without stored room policies");
        }
        String method = request.getMethod();
        if (!method.equals("GET") && !method.equals("PUT")) {
            throw new ApiError(405, "METHOD_NOT_ALLOWED", method + " is not allowed here; use GET, PUT");
        }
        Principal principal = authenticate(request, roomId);
        if (method.equals("GET")) {
            return p.policy(roomId).thenApply(policy -> {
                Access a = p.decide(policy.orElse(null), principal);
                if (a != Access.READ_WRITE && a != Access.READ_ONLY) {
                    throw new ApiError(403, "FORBIDDEN", "no access to room " + roomId);
                }
                return policy.map(RoomPolicy::toJson)
                        .orElseThrow(() -> new ApiError(404, "POLICY_NOT_FOUND", "room " + roomId + " has no policy"));
            });
        }
        Map<?, ?> body = readPolicyBody(request);
        return p.policy(roomId).thenCompose(existing -> {
            RoomPolicy current = existing.orElse(null);
            RoomPolicy next;
            try {
                next = RoomPolicy.fromMap(body, current != null ? current.owner() : principal.id());
            } catch (IllegalArgumentException e) {
                throw new ApiError(400, "INVALID_POLICY", String.valueOf(e.getMessage()));
            }
            boolean admin = p.isAdmin(principal);
            boolean owner = principal != Principal.ANONYMOUS
                    && (current != null
                            ? current.owner().equals(principal.id())
                            : next.owner().equals(principal.id()));
            if (!admin && !owner) {
                throw new ApiError(
                        403,
                        "FORBIDDEN",
                        current != null
                                ? "only the room's owner or an administrator may change its policy"
                                : "a room without a policy may only be claimed with yourself as its owner");
            }
            if (admin || current != null || p.unclaimedRooms() == RoomPolicies.UnclaimedRooms.CLAIM) {
                return save(p, roomId, next);
            }
            // open mode: everyone may be using a room without a policy, so claiming it must lock no one out
            return inUse(roomId, principal).thenCompose(used -> {
                if (used) {
                    throw new ApiError(
                            403,
                            "FORBIDDEN",
                            "room " + roomId + " is in use without a policy: only an administrator may give it one");
                }
                return save(p, roomId, next);
            });
        });
    }

    private CompletableFuture<String> save(RoomPolicies p, String roomId, RoomPolicy next) {
        return p.save(roomId, next)
                .thenCompose(v -> revalidate(p, roomId, next))
                .thenApply(v -> {
                    LOG.info("room {} policy changed (shared {}, link {})", roomId, next.shared(), next.linkType());
                    return next.toJson();
                });
    }

    /** Completes with whether the room has content (records or tombstones) or a session of another principal. */
    private CompletableFuture<Boolean> inUse(String roomId, Principal caller) {
        Optional<Room> loaded = rooms.find(roomId).filter(r -> !r.isClosed());
        if (loaded.isPresent()) {
            Room room = loaded.get();
            return room.sessions()
                    .thenCombine(
                            room.snapshot(),
                            (sessions, snapshot) -> hasContent(snapshot)
                                    || sessions.stream()
                                            .anyMatch(s -> !s.principal().id().equals(caller.id())));
        }
        if (store == null) {
            return CompletableFuture.completedFuture(false);
        }
        return store.load(roomId).thenApply(snapshot -> snapshot != null && hasContent(snapshot));
    }

    private static boolean hasContent(RoomSnapshot snapshot) {
        return !snapshot.documents().isEmpty() || !snapshot.tombstones().isEmpty();
    }

    private static boolean isWrite(Request request) {
        String method = request.getMethod();
        return !method.equals("GET") && !method.equals("HEAD");
    }

    /** Re-decides the open sessions of the room under its new policy. */
    private CompletableFuture<Void> revalidate(RoomPolicies p, String roomId, RoomPolicy policy) {
        return rooms.find(roomId)
                .filter(r -> !r.isClosed())
                .map(room -> room.revalidate(info -> {
                    Access a = p.decide(policy, info.principal());
                    return a == Access.READ_WRITE && readOnlyRoute.apply(info) ? Access.READ_ONLY : a;
                }))
                .orElse(CompletableFuture.completedFuture(null));
    }

    private Access decide(Principal principal, String roomId, boolean write) {
        try {
            return write ? access.accessToWrite(principal, roomId) : access.access(principal, roomId);
        } catch (SyncException e) {
            throw new ApiError(503, "STORE_UNAVAILABLE", String.valueOf(e.getMessage()));
        }
    }

    private Principal authenticate(Request request, String roomId) {
        Authenticator a = authenticator;
        if (a == null) {
            if (policies != null && request.getMethod().equals("PUT")) {
                throw new ApiError(401, "NOT_AUTHENTICATED", "changing a policy needs an authenticated principal");
            }
            return Principal.ANONYMOUS;
        }
        try {
            return a.authenticate(HttpAuth.authRequest(request, roomId));
        } catch (SyncException e) {
            throw new ApiError(401, "NOT_AUTHENTICATED", String.valueOf(e.getMessage()));
        }
    }

    private Map<?, ?> readPolicyBody(Request request) {
        JsonBodies.requireJson(request);
        byte[] bytes = bodies.readBlocking(request, MAX_POLICY_BYTES);
        Object value;
        try {
            value = Json.parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (RuntimeException e) {
            throw new ApiError(400, "INVALID_POLICY", "the body is not JSON");
        }
        if (!(value instanceof Map<?, ?> m)) {
            throw new ApiError(400, "INVALID_POLICY", "the body must be a JSON object");
        }
        return m;
    }

    private static void writeError(Response response, Callback callback, Throwable error) {
        Throwable e = error;
        while (e.getCause() != null && !(e instanceof ApiError)) {
            e = e.getCause();
        }
        if (e instanceof ApiError r) {
            JsonError.write(response, callback, r.status, r.code, String.valueOf(r.getMessage()));
        } else if (e instanceof java.util.concurrent.TimeoutException) {
            JsonError.write(response, callback, 503, "STORE_UNAVAILABLE", "no answer from the store in time");
        } else {
            LOG.warn("policy request failed: {}", e.toString());
            JsonError.write(
                    response, callback, 503, "STORE_UNAVAILABLE", "the store failed; the server log has the details");
        }
    }
}
