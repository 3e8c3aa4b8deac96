package dev.tandem.sync.server.internal.http;

import dev.tandem.sync.core.Access;
import dev.tandem.sync.core.AuthRequest;
import dev.tandem.sync.core.Authenticator;
import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.PullPage;
import dev.tandem.sync.core.PushEvent;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomAccess;
import dev.tandem.sync.core.RoomManager;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.core.TooManyRoomsException;
import dev.tandem.sync.core.internal.protocol.OfflineCodec;
import dev.tandem.sync.core.internal.protocol.ProtocolException;
import dev.tandem.sync.server.auth.RoomPolicies;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.eclipse.jetty.util.Fields;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The offline sync routes: {@code POST /sync/push} applies a batch of events through the rooms' live push
 * path and answers one result per event, in request order; {@code POST /sync/pull} returns the changes of
 * some rooms since an opaque cursor, paginated. Any other path is left to the next handler.
 *
 * <p>Push: events are grouped by room (keeping their order within a room) and each room's group is applied
 * with {@link Room#applyEvents}; rooms run in parallel and one room's failure does not affect the others.
 * An event that is malformed but has an id, or names a bad room, is {@code rejected} with the reason (so an
 * offline client drops it rather than re-sending it forever); later events of the same record in the same
 * request are rejected with it. If a room does not answer (store outage, timeout) its events get {@code
 * "status": "retry"}: they may or may not have been applied, and re-sending them is safe. Event ids are at most
 * {@value #MAX_EVENT_ID_LENGTH} characters. Events of a principal that may not write the room are rejected
 * here, without loading the room or storing their results: only writers leave results in the store.
 *
 * <p>Access: a push writes ({@link RoomAccess#accessToWrite}, which may claim a room without an owner), a pull
 * reads ({@link RoomAccess#access}, which never does). One push may claim at most {@value #MAX_CLAIMS_PER_PUSH}
 * rooms; one that would claim more gets {@code 403 TOO_MANY_CLAIMS} and changes nothing. Events of a read-only
 * copy are {@code rejected} with {@code READ_ONLY}, like those of a read-only principal.
 *
 * <p>Errors are JSON {@code {"error": CODE, "message": …}}: {@code 400 BAD_REQUEST} (not JSON, missing
 * fields, limit out of range), {@code 400 BAD_CURSOR}, {@code 413 TOO_MANY_EVENTS}, {@code 413
 * BODY_TOO_LARGE}, {@code 400 TOO_MANY_ROOMS}, {@code 401 NOT_AUTHENTICATED}, {@code 403 FORBIDDEN} (pull),
 * {@code 403 TOO_MANY_CLAIMS} (push), {@code 405}.
 *
 * <p>Thread-safe. The request is authenticated from its headers, for the room {@code ""}, before any byte of its
 * body is read (and again for each room it names, once the body is parsed); the body
 * must be {@code application/json} ({@code 415 UNSUPPORTED_MEDIA_TYPE}) and is read without holding a thread,
 * within {@link BodyReader}'s deadline and minimum rate ({@code 408 BODY_TIMEOUT}, connection closed). Room work
 * completes the response from the thread that finishes it.
 */
public final class SyncApi extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(SyncApi.class);
    private static final String JSON = "application/json;charset=utf-8";

    /** The most events in one push by default. */
    public static final int DEFAULT_MAX_EVENTS_PER_PUSH = 100;
    /** The largest pull page by default. */
    public static final int DEFAULT_MAX_PULL_LIMIT = 1_000;
    /** The page size of a pull that names none. */
    public static final int DEFAULT_PULL_LIMIT = 100;
    /** The most rooms in one pull. */
    public static final int MAX_PULL_ROOMS = 100;
    /** The most rooms one push may claim (see {@link RoomPolicies.UnclaimedRooms#CLAIM}). */
    public static final int MAX_CLAIMS_PER_PUSH = 10;

    /** The longest event id, in characters; a push with a longer one gets 400 and nothing of it is applied. */
    public static final int MAX_EVENT_ID_LENGTH = 256;

    private final RoomManager rooms;
    private final Authenticator authenticator;
    private final RoomAccess access;
    private final Predicate<String> readOnlyCopy;
    private final int maxEventsPerPush;
    private final int maxPullLimit;
    private final long maxBodyBytes;
    private final Duration timeout;
    private final BodyReader bodies;

    /**
     * @param rooms the rooms
     * @param authenticator who a request acts for ({@link Authenticator#anonymous()} for no authentication)
     * @param access what the principal may do in each room
     * @param readOnlyCopy tells whether a room is a read-only copy, whose events are rejected
     * @param maxEventsPerPush the most events in one push; more get 413
     * @param maxPullLimit the largest page a pull may ask for
     * @param maxBodyBytes the largest request body; larger ones get 413
     * @param timeout how long a room may take to answer before its events get {@code retry} (push) or the
     *     request 503 (pull)
     * @param bodies reads request bodies within their deadline and minimum rate
     */
    public SyncApi(
            RoomManager rooms,
            Authenticator authenticator,
            RoomAccess access,
            Predicate<String> readOnlyCopy,
            int maxEventsPerPush,
            int maxPullLimit,
            long maxBodyBytes,
            Duration timeout,
            BodyReader bodies) {
        this.bodies = Objects.requireNonNull(bodies, "bodies");
        this.rooms = Objects.requireNonNull(rooms, "rooms");
        this.authenticator = Objects.requireNonNull(authenticator, "authenticator");
        this.access = Objects.requireNonNull(access, "access");
        this.readOnlyCopy = Objects.requireNonNull(readOnlyCopy, "readOnlyCopy");
        if (maxEventsPerPush <= 0) {
            throw new IllegalArgumentException("maxEventsPerPush must be > 0 but was " + maxEventsPerPush);
        }
        if (maxPullLimit <= 0) {
            throw new IllegalArgumentException("maxPullLimit must be > 0 but was " + maxPullLimit);
        }
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("maxBodyBytes must be > 0 but was " + maxBodyBytes);
        }
        this.maxEventsPerPush = maxEventsPerPush;
        this.maxPullLimit = maxPullLimit;
        this.maxBodyBytes = maxBodyBytes;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        boolean push = path.equals("/sync/push");
        if (!push && !path.equals("/sync/pull")) {
            return false;
        }
        CompletableFuture<Map<String, Object>> reply;
        try {
            if (!request.getMethod().equals("POST")) {
                throw new ApiError(405, "METHOD_NOT_ALLOWED", request.getMethod() + " is not allowed here; use POST");
            }
            JsonBodies.requireJson(request);
            // who the request acts for is known from its headers: nobody unauthenticated gets a body read
            authenticate(request, "");
            reply = bodies.read(request, maxBodyBytes).thenCompose(bytes -> {
                Object body = parseBody(bytes);
                return push ? push(request, body) : pull(request, body);
            });
        } catch (ApiError e) {
            reply = CompletableFuture.failedFuture(e);
        }
        reply.whenComplete((r, error) -> {
            int status = 200;
            String text;
            if (error == null) {
                text = Json.stringify(r);
            } else {
                ApiError e = apiError(path, error);
                status = e.status;
                text = JsonError.body(e.code, String.valueOf(e.getMessage()));
                if (BodyReader.closesConnection(e)) {
                    response.getHeaders().put(HttpHeader.CONNECTION, "close");
                }
            }
            response.setStatus(status);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON);
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            Content.Sink.write(response, true, text, callback);
        });
        return true;
    }

    // ------------------------------------------------------------------------------------------ push

    private CompletableFuture<Map<String, Object>> push(Request request, Object body) {
        if (!(body instanceof Map<?, ?> m) || !(m.get("events") instanceof List<?> events)) {
            throw new ApiError(400, "BAD_REQUEST", "the body must be {\"events\": [...]}");
        }
        if (events.size() > maxEventsPerPush) {
            throw new ApiError(
                    413,
                    "TOO_MANY_EVENTS",
                    "a push may carry at most " + maxEventsPerPush + " events but had " + events.size());
        }
        int n = events.size();
        @Nullable Object[] results = new Object[n];
        // Events of one room, in request order, with their positions in the request.
        Map<String, List<PushEvent>> byRoom = new LinkedHashMap<>();
        Map<String, List<Integer>> slots = new HashMap<>();
        Set<String> blocked = new HashSet<>();
        for (int i = 0; i < n; i++) {
            Object json = events.get(i);
            String id = OfflineCodec.eventId(json);
            if (id == null) {
                throw new ApiError(400, "BAD_REQUEST", "events[" + i + "].id must be a non-empty string");
            }
            if (id.length() > MAX_EVENT_ID_LENGTH) {
                throw new ApiError(
                        400,
                        "INVALID_EVENT_ID",
                        "events[" + i + "].id must be at most " + MAX_EVENT_ID_LENGTH + " characters but had "
                                + id.length());
            }
            PushEvent e;
            try {
                e = OfflineCodec.decodeEvent(json, "events[" + i + "]");
            } catch (ProtocolException bad) {
                results[i] = rejected(id, "INVALID_EVENT: " + bad.getMessage());
                blockRecord(blocked, json);
                continue;
            }
            String problem = Route.idProblem("roomId", e.roomId(), Route.MAX_ROOM_ID_LENGTH);
            if (problem != null) {
                results[i] = rejected(id, "INVALID_ROOM_ID: " + problem);
                continue;
            }
            if (blocked.contains(e.roomId() + "\u0000" + e.recordId())) {
                results[i] = rejected(id, "an earlier event of record " + e.recordId() + " was rejected");
                continue;
            }
            byRoom.computeIfAbsent(e.roomId(), r -> new ArrayList<>()).add(e);
            slots.computeIfAbsent(e.roomId(), r -> new ArrayList<>()).add(i);
        }
        Map<String, Principal> principals = new HashMap<>();
        for (String roomId : byRoom.keySet()) {
            principals.put(roomId, authenticate(request, roomId));
        }
        checkClaims(principals);
        List<CompletableFuture<Void>> done = new ArrayList<>();
        for (Map.Entry<String, List<PushEvent>> group : byRoom.entrySet()) {
            String roomId = group.getKey();
            List<PushEvent> roomEvents = group.getValue();
            List<Integer> at = slots.get(roomId);
            CompletableFuture<List<EventResult>> applied;
            try {
                Principal principal = principals.get(roomId);
                // a read-only copy is read, never claimed: its events are rejected READ_ONLY
                Access a = readOnlyCopy.test(roomId)
                        ? readOnly(access.access(principal, roomId))
                        : access.accessToWrite(principal, roomId);
                applied = a == Access.READ_WRITE
                        ? room(roomId).applyEvents(roomEvents, principal, a)
                        : CompletableFuture.completedFuture(refusedAll(roomEvents, a));
            } catch (ApiError e) {
                throw e;
            } catch (RuntimeException e) {
                applied = CompletableFuture.failedFuture(e);
            }
            done.add(applied.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS)
                    .handle((list, error) -> {
                        for (int k = 0; k < roomEvents.size(); k++) {
                            if (error == null) {
                                results[at.get(k)] = OfflineCodec.resultJson(list.get(k));
                            } else {
                                results[at.get(k)] = retry(roomEvents.get(k).id(), error);
                            }
                        }
                        if (error != null) {
                            LOG.warn(
                                    "push of {} events to room {} got no answer: {}",
                                    roomEvents.size(),
                                    roomId,
                                    cause(error).toString());
                        }
                        return null;
                    }));
        }
        return CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).thenApply(v -> {
            List<Object> out = new ArrayList<>(n);
            for (Object r : results) {
                out.add(r);
            }
            return Map.of("results", out);
        });
    }

    /** Refuses, before anything is applied, a push that would claim more than {@value #MAX_CLAIMS_PER_PUSH}. */
    private void checkClaims(Map<String, Principal> principals) {
        if (!(access instanceof RoomPolicies policies)) {
            return;
        }
        int claims = 0;
        try {
            for (Map.Entry<String, Principal> room : principals.entrySet()) {
                if (!readOnlyCopy.test(room.getKey()) && policies.wouldClaim(room.getValue(), room.getKey())) {
                    claims++;
                }
            }
        } catch (SyncException e) {
            throw new ApiError(503, "STORE_UNAVAILABLE", String.valueOf(e.getMessage()));
        }
        if (claims > MAX_CLAIMS_PER_PUSH) {
            throw new ApiError(
                    403,
                    "TOO_MANY_CLAIMS",
                    "one request may claim at most " + MAX_CLAIMS_PER_PUSH + " rooms but this one would claim "
                            + claims);
        }
    }

    /** The results of events refused for their access: answered, never stored (the room is not even loaded). */
    private static List<EventResult> refusedAll(List<PushEvent> events, Access a) {
        String reason = a == Access.READ_ONLY ? "READ_ONLY" : a.name();
        List<EventResult> out = new ArrayList<>(events.size());
        for (PushEvent e : events) {
            out.add(new EventResult(e.id(), false, reason, -1));
        }
        return out;
    }

    private static Access readOnly(Access a) {
        return a == Access.READ_WRITE ? Access.READ_ONLY : a;
    }

    private static void blockRecord(Set<String> blocked, Object json) {
        if (json instanceof Map<?, ?> m
                && m.get("roomId") instanceof String room
                && m.get("recordId") instanceof String rec) {
            blocked.add(room + "\u0000" + rec);
        }
    }

    private static Map<String, Object> rejected(String id, String reason) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("status", "rejected");
        out.put("reason", reason);
        out.put("serverClock", -1L);
        return out;
    }

    private static Map<String, Object> retry(String id, Throwable error) {
        Throwable e = cause(error);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", id);
        out.put("status", "retry");
        out.put(
                "reason",
                e instanceof TimeoutException
                        ? "the room did not answer in time"
                        : "the room failed: " + e.getClass().getSimpleName());
        return out;
    }

    // ------------------------------------------------------------------------------------------ pull

    private CompletableFuture<Map<String, Object>> pull(Request request, Object body) {
        if (!(body instanceof Map<?, ?> m)) {
            throw new ApiError(400, "BAD_REQUEST", "the body must be {\"cursor\", \"rooms\", \"limit\"}");
        }
        Object cursorJson = m.get("cursor");
        if (cursorJson != null && !(cursorJson instanceof String)) {
            throw new ApiError(400, "BAD_CURSOR", "cursor must be a string returned by this server, or null");
        }
        PullCursor cursor;
        try {
            cursor = PullCursor.decode((String) cursorJson);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "BAD_CURSOR", e.getMessage());
        }
        if (!(m.get("rooms") instanceof List<?> roomList) || roomList.isEmpty()) {
            throw new ApiError(400, "BAD_REQUEST", "rooms must be a non-empty array of room ids");
        }
        if (roomList.size() > MAX_PULL_ROOMS) {
            throw new ApiError(
                    400,
                    "TOO_MANY_ROOMS",
                    "a pull may name at most " + MAX_PULL_ROOMS + " rooms but named " + roomList.size());
        }
        LinkedHashSet<String> roomIds = new LinkedHashSet<>();
        for (Object r : roomList) {
            if (!(r instanceof String id)) {
                throw new ApiError(400, "BAD_REQUEST", "rooms must be a non-empty array of room ids");
            }
            String problem = Route.idProblem("roomId", id, Route.MAX_ROOM_ID_LENGTH);
            if (problem != null) {
                throw new ApiError(400, "INVALID_ROOM_ID", problem);
            }
            roomIds.add(id);
        }
        Object limitJson = m.get("limit");
        long limit = DEFAULT_PULL_LIMIT;
        if (limitJson != null) {
            if (!(limitJson instanceof Long l)) {
                throw new ApiError(400, "BAD_REQUEST", "limit must be an integer");
            }
            limit = l;
        }
        if (limit < 1 || limit > maxPullLimit) {
            throw new ApiError(400, "BAD_REQUEST", "limit must be between 1 and " + maxPullLimit + " but was " + limit);
        }
        for (String roomId : roomIds) {
            Access a = access.access(authenticate(request, roomId), roomId);
            if (a != Access.READ_WRITE && a != Access.READ_ONLY) {
                throw new ApiError(403, a.name(), "no access to room " + roomId);
            }
        }
        PullState state = new PullState(cursor, (int) limit);
        CompletableFuture<PullState> chain = CompletableFuture.completedFuture(state);
        for (String roomId : roomIds) {
            chain = chain.thenCompose(s -> s.remaining == 0 || s.stopped
                    ? CompletableFuture.completedFuture(s)
                    : room(roomId).pull(s.cursor.position(roomId), s.remaining).thenApply(page -> s.add(roomId, page)));
        }
        return chain.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).thenApply(s -> s.reply(roomIds));
    }

    /** A pull in progress over its rooms, one room after the other. Confined to one future chain. */
    private static final class PullState {
        PullCursor cursor;
        int remaining;
        boolean stopped;
        final List<Object> changes = new ArrayList<>();
        final List<String> resync = new ArrayList<>();
        final Set<String> done = new HashSet<>();

        PullState(PullCursor cursor, int limit) {
            this.cursor = cursor;
            this.remaining = limit;
        }

        PullState add(String roomId, PullPage page) {
            for (PullPage.Change c : page.changes()) {
                Map<String, Object> out = new LinkedHashMap<>();
                out.put("roomId", roomId);
                out.put("recordId", c.recordId());
                if (c.typeName() != null) {
                    out.put("typeName", c.typeName());
                }
                out.put("operation", c.deleted() ? "delete" : "upsert");
                if (c.record() != null) {
                    out.put("record", c.record());
                }
                changes.add(out);
            }
            remaining -= page.changes().size();
            if (page.resync()) {
                resync.add(roomId);
            }
            cursor = cursor.with(roomId, page.position());
            if (page.hasMore()) {
                stopped = true;
            } else {
                done.add(roomId);
            }
            return this;
        }

        Map<String, Object> reply(Set<String> roomIds) {
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("changes", changes);
            out.put("cursor", cursor.encode());
            out.put("hasMore", !done.containsAll(roomIds));
            if (!resync.isEmpty()) {
                out.put("resync", resync);
            }
            return out;
        }
    }

    // ------------------------------------------------------------------------------------------ common

    private Principal authenticate(Request request, String roomId) {
        Map<String, List<String>> headers = new LinkedHashMap<>();
        request.getHeaders()
                .forEach(f -> headers.computeIfAbsent(f.getLowerCaseName(), k -> new ArrayList<>())
                        .add(f.getValue()));
        Map<String, List<String>> query = new LinkedHashMap<>();
        Fields fields = Request.extractQueryParameters(request);
        fields.forEach(f -> query.put(f.getName(), f.getValues()));
        try {
            return authenticator.authenticate(new AuthRequest(roomId, headers, query, Request.getRemoteAddr(request)));
        } catch (SyncException e) {
            throw new ApiError(401, e.reason().wireName(), String.valueOf(e.getMessage()));
        }
    }

    private Room room(String roomId) {
        try {
            return rooms.room(roomId);
        } catch (TooManyRoomsException full) {
            throw new ApiError(503, "TOO_MANY_ROOMS", String.valueOf(full.getMessage()));
        } catch (IllegalStateException closed) {
            throw new ApiError(503, "SHUTTING_DOWN", "the server is shutting down");
        }
    }

    private static @Nullable Object parseBody(byte[] bytes) {
        try {
            return Json.parse(new String(bytes, StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "BAD_REQUEST", "the body is not JSON: " + e.getMessage());
        }
    }

    private static Throwable cause(Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    private ApiError apiError(String path, Throwable error) {
        Throwable e = cause(error);
        if (e instanceof ApiError api) {
            return api;
        }
        if (e instanceof TimeoutException) {
            LOG.warn("POST {} timed out after {}", path, timeout);
            return new ApiError(503, "STORE_UNAVAILABLE", "no answer from the rooms in " + timeout);
        }
        LOG.warn("POST {} failed: {}", path, e.toString());
        return new ApiError(503, "STORE_UNAVAILABLE", "the room failed: " + e);
    }
}
