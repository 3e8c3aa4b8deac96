package dev.tandem.sync.server.internal.http;

import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.StoreHealth;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.core.TooManyRoomsException;
import dev.tandem.sync.core.VersionInfo;
import dev.tandem.sync.core.internal.protocol.LogText;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Supplier;
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
 * The server's HTTP routes beside the WebSocket ones: {@code GET /healthz}, {@code GET /metrics}, {@code GET|PUT
 * /rooms/{roomId}/snapshot}, {@code GET /rooms/{roomId}/versions}, {@code GET /rooms/{roomId}/versions/{id}}
 * and {@code POST /rooms/{roomId}/versions/{id}/restore}. Errors are JSON {@code {"error": CODE, "message":
 * …}}; request bodies are bounded.
 *
 * <p>Thread-safe. Reading a request body blocks a Jetty thread; room and store work completes the response
 * from the thread that finishes it.
 */
public final class RoomApi extends Handler.Abstract {
    private static final Logger LOG = LoggerFactory.getLogger(RoomApi.class);
    private static final String JSON = "application/json;charset=utf-8";
    private static final String PROMETHEUS = "text/plain; version=0.0.4; charset=utf-8";

    private final RoomDirectory rooms;
    private final @Nullable RoomStore store;
    private final @Nullable Supplier<String> metrics;
    private final long maxBodyBytes;
    private final Duration timeout;
    private final boolean passOnUnknownPaths;
    private final BodyReader bodies;

    /**
     * @param rooms the rooms to read and change
     * @param store the rooms' store (versions and health), or null for rooms kept only in memory
     * @param metrics returns the Prometheus text for {@code /metrics}, or null to serve no metrics
     * @param maxBodyBytes the largest request body accepted; larger ones get 413
     * @param timeout how long a request waits for a room or the store before 503
     * @param passOnUnknownPaths leaves a path that is none of these routes to the next handler (an application's)
     *     instead of answering a JSON 404
     * @param bodies reads request bodies within their deadline and minimum rate
     */
    public RoomApi(
            RoomDirectory rooms,
            @Nullable RoomStore store,
            @Nullable Supplier<String> metrics,
            long maxBodyBytes,
            Duration timeout,
            boolean passOnUnknownPaths,
            BodyReader bodies) {
        this.bodies = Objects.requireNonNull(bodies, "bodies");
        this.passOnUnknownPaths = passOnUnknownPaths;
        this.rooms = Objects.requireNonNull(rooms, "rooms");
        this.store = store;
        this.metrics = metrics;
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("maxBodyBytes must be > 0 but was " + maxBodyBytes);
        }
        this.maxBodyBytes = maxBodyBytes;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    /** A response: status, content type and body. */
    private record Reply(int status, String contentType, String body) {
        static Reply json(int status, Object value) {
            return new Reply(status, JSON, Json.stringify(value));
        }
    }

    /** An error that becomes a JSON error response. */
    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        CompletableFuture<Reply> reply;
        try {
            reply = route(path, method, request);
        } catch (ApiError e) {
            reply = CompletableFuture.failedFuture(e);
        }
        if (reply == null) {
            if (passOnUnknownPaths) {
                return false;
            }
            JsonError.write(response, callback, 404, "NOT_FOUND", "no route for " + path);
            return true;
        }
        reply.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((r, error) -> {
            Reply out = error == null ? r : errorReply(method, path, error);
            response.setStatus(out.status());
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, out.contentType());
            response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
            if (out.status() == 408 || out.status() == 413) {
                // as JsonError.write: the body may be left unread, so the connection cannot carry another request
                response.getHeaders().put(HttpHeader.CONNECTION, "close");
            }
            Content.Sink.write(response, true, out.body(), callback);
        });
        return true;
    }

    private @Nullable CompletableFuture<Reply> route(String path, String method, Request request) {
        if (path.equals("/healthz")) {
            allow(method, "GET");
            return CompletableFuture.completedFuture(health());
        }
        if (path.equals("/metrics") && metrics != null) {
            allow(method, "GET");
            return CompletableFuture.completedFuture(new Reply(200, PROMETHEUS, metrics.get()));
        }
        if (!path.startsWith("/rooms/")) {
            return null;
        }
        String[] parts = path.substring("/rooms/".length()).split("/", -1);
        String roomId = parts[0];
        if (parts.length == 2 && parts[1].equals("snapshot")) {
            checkId("roomId", roomId);
            if (method.equals("PUT")) {
                return putSnapshot(roomId, readBody(request));
            }
            allow(method, "GET, PUT");
            return getSnapshot(roomId);
        }
        if (parts.length == 2 && parts[1].equals("versions")) {
            checkId("roomId", roomId);
            allow(method, "GET");
            return requireStore().listVersions(roomId).thenApply(RoomApi::versionList);
        }
        if (parts.length == 3 && parts[1].equals("versions")) {
            checkId("roomId", roomId);
            checkId("versionId", parts[2]);
            allow(method, "GET");
            return requireStore()
                    .loadVersion(roomId, parts[2])
                    .thenApply(s -> new Reply(200, JSON, found(s, parts[2]).toJson()));
        }
        if (parts.length == 4 && parts[1].equals("versions") && parts[3].equals("restore")) {
            checkId("roomId", roomId);
            checkId("versionId", parts[2]);
            allow(method, "POST");
            return restore(roomId, parts[2]);
        }
        return null;
    }

    private Reply health() {
        if (store == null) {
            return Reply.json(200, Map.of("status", "ok", "store", "none"));
        }
        StoreHealth h = store.health();
        return h.healthy()
                ? Reply.json(200, Map.of("status", "ok", "store", h.detail()))
                : Reply.json(503, Map.of("status", "degraded", "store", h.detail()));
    }

    private CompletableFuture<Reply> getSnapshot(String roomId) {
        Optional<Room> loaded = rooms.find(roomId).filter(r -> !r.isClosed());
        CompletableFuture<@Nullable RoomSnapshot> snapshot;
        if (loaded.isPresent()) {
            snapshot = loaded.get().snapshot().thenApply(s -> s);
        } else if (store != null) {
            // an unloaded room is read from the store without loading it
            snapshot = store.load(roomId);
        } else {
            snapshot = CompletableFuture.completedFuture(null);
        }
        return snapshot.thenApply(s -> {
            if (s == null) {
                throw new ApiError(404, "ROOM_NOT_FOUND", "room " + roomId + " does not exist");
            }
            return new Reply(200, JSON, s.toJson());
        });
    }

    private CompletableFuture<Reply> putSnapshot(String roomId, String body) {
        RoomSnapshot snapshot = parseSnapshot(body);
        Room room = room(roomId);
        return room.loadSnapshot(snapshot)
                .thenCompose(v -> room.flush())
                .thenApply(v -> Reply.json(200, Map.of("roomId", roomId, "documentClock", room.documentClock())));
    }

    private CompletableFuture<Reply> restore(String roomId, String versionId) {
        RoomStore s = requireStore();
        return s.loadVersion(roomId, versionId).thenCompose(version -> {
            RoomSnapshot snapshot = found(version, versionId);
            Room room = room(roomId);
            return room.loadSnapshot(snapshot)
                    .thenCompose(v -> room.flush())
                    .thenCompose(v -> room.saveVersion())
                    .thenApply(saved -> {
                        Map<String, Object> out = new LinkedHashMap<>();
                        out.put("roomId", roomId);
                        out.put("restoredFrom", versionId);
                        out.put("documentClock", room.documentClock());
                        out.put("version", versionJson(saved));
                        return Reply.json(200, out);
                    });
        });
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

    private RoomStore requireStore() {
        if (store == null) {
            throw new ApiError(501, "NO_STORE", "this server keeps rooms in memory only and has no versions");
        }
        return store;
    }

    private static RoomSnapshot found(@Nullable RoomSnapshot version, String versionId) {
        if (version == null) {
            throw new ApiError(404, "VERSION_NOT_FOUND", "no version " + versionId);
        }
        return version;
    }

    private static RoomSnapshot parseSnapshot(String body) {
        try {
            return RoomSnapshot.fromJson(body);
        } catch (IllegalArgumentException e) {
            throw new ApiError(400, "INVALID_SNAPSHOT", String.valueOf(e.getMessage()));
        }
    }

    private static Reply versionList(List<VersionInfo> versions) {
        List<Object> out = new ArrayList<>(versions.size());
        for (VersionInfo v : versions) {
            out.add(versionJson(v));
        }
        return Reply.json(200, out);
    }

    private static Map<String, Object> versionJson(VersionInfo v) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", v.id());
        out.put("documentClock", v.documentClock());
        out.put("createdAt", v.createdAt().toString());
        return out;
    }

    private static void checkId(String name, String id) {
        String problem = Route.idProblem(name, id, Route.MAX_ROOM_ID_LENGTH);
        if (problem != null) {
            throw new ApiError(400, name.equals("roomId") ? "INVALID_ROOM_ID" : "INVALID_VERSION_ID", problem);
        }
    }

    private static void allow(String method, String allowed) {
        for (String m : allowed.split(", ")) {
            if (m.equals(method)) {
                return;
            }
        }
        throw new ApiError(405, "METHOD_NOT_ALLOWED", method + " is not allowed here; use " + allowed);
    }

    /** Reads the whole JSON body, refusing one larger than the limit or slower than the body deadline. */
    private String readBody(Request request) {
        JsonBodies.requireJson(request);
        return new String(bodies.readBlocking(request, maxBodyBytes), StandardCharsets.UTF_8);
    }

    private Reply errorReply(String method, String path, Throwable error) {
        Throwable e = error;
        while ((e instanceof CompletionException || e instanceof ExecutionException) && e.getCause() != null) {
            e = e.getCause();
        }
        if (e instanceof ApiError api) {
            return new Reply(api.status, JSON, JsonError.body(api.code, String.valueOf(api.getMessage())));
        }
        if (e instanceof TimeoutException) {
            LOG.warn("{} {} timed out after {}", method, LogText.of(path), timeout);
            return new Reply(
                    503, JSON, JsonError.body("STORE_UNAVAILABLE", "no answer from the room or store in " + timeout));
        }
        if (e instanceof SyncException sync) {
            return new Reply(422, JSON, JsonError.body(sync.reason().wireName(), String.valueOf(sync.getMessage())));
        }
        if (e instanceof IllegalArgumentException) {
            return new Reply(400, JSON, JsonError.body("INVALID_SNAPSHOT", String.valueOf(e.getMessage())));
        }
        LOG.warn("{} {} failed: {}", method, LogText.of(path), e.toString());
        return new Reply(
                503, JSON, JsonError.body("STORE_UNAVAILABLE", "the store failed; the server log has the details"));
    }
}
