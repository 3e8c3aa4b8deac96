package dev.tandem.sync.server.internal.app;

import dev.tandem.sync.core.Access;
import dev.tandem.sync.core.Authenticator;
import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomAccess;
import dev.tandem.sync.core.RoomManager;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.core.TooManyRoomsException;
import dev.tandem.sync.core.internal.protocol.LogText;
import dev.tandem.sync.server.auth.RoomPolicies;
import dev.tandem.sync.server.auth.RoomPolicy;
import dev.tandem.sync.server.internal.http.ApiError;
import dev.tandem.sync.server.internal.http.BodyReader;
import dev.tandem.sync.server.internal.http.HttpAuth;
import dev.tandem.sync.server.internal.http.JsonBodies;
import dev.tandem.sync.server.internal.http.JsonError;
import dev.tandem.sync.server.internal.http.Route;
import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.SecureRandom;
import java.time.Duration;
import java.time.Instant;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
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
 * The app routes of a tldraw.com-style sync worker, in front of the wrapped handler:
 *
 * <ul>
 *   <li>{@code POST /snapshots} with {@code {"roomId": …}}: copies the room's current document into a new
 *       read-only room and returns {@code {"slug": …}}; viewers open it at {@code /ro/{slug}}. The copy is
 *       read-only for everyone, its creator included, on every route (WebSocket, {@code /sync/push}, snapshot PUT,
 *       restore, policy PUT). With {@link RoomPolicies} it gets the policy {@code {"owner": creator, "shared":
 *       true, "linkType": "view"}}, so whoever has the link reads it and nobody claims it.
 *   <li>{@code POST /uploads/{objectName}} and {@code GET /uploads/{objectName}}: assets in an {@link
 *       UploadStore}; the POST returns the content-addressed {@code objectName} to fetch it by.
 *   <li>{@code GET /unfurl?url=…}: bookmark metadata from an {@link Unfurler}.
 * </ul>
 *
 * <p>Errors are JSON {@code {"error": CODE, "message": …}}. Thread-safe; uploads and unfurls block a Jetty
 * thread for at most their size and time limits.
 */
public final class AppApi extends Handler.Wrapper {
    private static final Logger LOG = LoggerFactory.getLogger(AppApi.class);
    private static final String JSON = "application/json;charset=utf-8";
    private static final int MAX_SNAPSHOT_REQUEST_BYTES = 4096;
    private static final SecureRandom RANDOM = new SecureRandom();

    private final RoomManager rooms;
    private final @Nullable RoomStore store;
    private final ReadOnlyRooms readOnly;
    private final @Nullable UploadStore uploads;
    private final @Nullable Unfurler unfurler;
    private final Duration timeout;
    private final @Nullable Authenticator authenticator;
    private final RoomAccess access;
    private final BodyReader bodies;

    /**
     * Creates the app routes. With an {@code authenticator}, copying a room needs read access to it, and
     * uploads and unfurls need an authenticated principal; without one they are open, like the room routes.
     */
    public AppApi(
            RoomManager rooms,
            @Nullable RoomStore store,
            ReadOnlyRooms readOnly,
            @Nullable UploadStore uploads,
            @Nullable Unfurler unfurler,
            Duration timeout,
            @Nullable Authenticator authenticator,
            RoomAccess access,
            BodyReader bodies) {
        this.bodies = Objects.requireNonNull(bodies, "bodies");
        this.authenticator = authenticator;
        this.access = Objects.requireNonNull(access, "access");
        this.rooms = Objects.requireNonNull(rooms, "rooms");
        this.store = store;
        this.readOnly = Objects.requireNonNull(readOnly, "readOnly");
        this.uploads = uploads;
        this.unfurler = unfurler;
        this.timeout = Objects.requireNonNull(timeout, "timeout");
    }

    private record Reply(int status, Object body) {}

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        String method = request.getMethod();
        boolean app = path.equals("/snapshots") || path.startsWith("/uploads/") || path.equals("/unfurl");
        if (app) {
            // the page may be served from elsewhere (Vite's dev server): these routes take no cookies
            response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_ORIGIN, "*");
            if (method.equals("OPTIONS")) {
                response.setStatus(204);
                response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_METHODS, "GET, HEAD, POST, PUT");
                response.getHeaders().put(HttpHeader.ACCESS_CONTROL_ALLOW_HEADERS, "content-type");
                response.getHeaders().put(HttpHeader.ACCESS_CONTROL_MAX_AGE, "600");
                callback.succeeded();
                return true;
            }
        }
        try {
            if (path.equals("/snapshots")) {
                allow(method, "POST");
                write(response, callback, createSnapshot(request));
                return true;
            }
            if (path.startsWith("/uploads/")) {
                String name = path.substring("/uploads/".length());
                if (method.equals("POST") || method.equals("PUT")) {
                    Principal uploader = authenticate(request, "");
                    String client = uploader == Principal.ANONYMOUS
                            ? "ip:" + Request.getRemoteAddr(request)
                            : "principal:" + uploader.id();
                    write(response, callback, upload(client, name, request));
                    return true;
                }
                allow(method, "GET, HEAD, POST");
                download(name, method.equals("HEAD"), response, callback);
                return true;
            }
            if (path.equals("/unfurl")) {
                allow(method, "GET");
                authenticate(request, "");
                write(response, callback, unfurl(request));
                return true;
            }
        } catch (ApiError e) {
            JsonError.write(response, callback, e.status, e.code, String.valueOf(e.getMessage()));
            return true;
        }
        return super.handle(request, response, callback);
    }

    /** Returns the request's principal; anonymous when the server has no authentication. */
    private Principal authenticate(Request request, String roomId) {
        if (authenticator == null) {
            return Principal.ANONYMOUS;
        }
        try {
            return authenticator.authenticate(HttpAuth.authRequest(request, roomId));
        } catch (SyncException e) {
            throw new ApiError(401, "NOT_AUTHENTICATED", String.valueOf(e.getMessage()));
        }
    }

    private Reply createSnapshot(Request request) {
        JsonBodies.requireJson(request);
        // who the request acts for is known from its headers: nobody unauthenticated gets a body read
        authenticate(request, "");
        String roomId =
                roomIdOf(new String(bodies.readBlocking(request, MAX_SNAPSHOT_REQUEST_BYTES), StandardCharsets.UTF_8));
        Principal creator = authenticate(request, roomId);
        Access allowed = access.access(creator, roomId);
        if (allowed.closeReason() != null) {
            throw new ApiError(
                    allowed == Access.NOT_FOUND ? 404 : 403, allowed.name(), "no read access to room " + roomId);
        }
        RoomSnapshot snapshot = await(snapshotOf(roomId));
        if (snapshot == null) {
            throw new ApiError(404, "ROOM_NOT_FOUND", "room " + roomId + " does not exist");
        }
        byte[] bytes = new byte[16];
        RANDOM.nextBytes(bytes);
        String slug = Base64.getUrlEncoder().withoutPadding().encodeToString(bytes);
        Map<String, Object> description = new LinkedHashMap<>();
        description.put("snapshotOf", roomId);
        description.put("documentClock", snapshot.documentClock());
        description.put("createdAt", Instant.now().toString());
        // mark first: no session may ever write to the copy, not even while it is being filled
        await(readOnly.mark(slug, Json.stringify(description)));
        if (access instanceof RoomPolicies policies) {
            // a copy is never claimed by whoever opens it first: whoever has the link may view it, nobody writes
            await(policies.save(slug, new RoomPolicy(creator.id(), true, RoomPolicy.LinkType.VIEW)));
        }
        Room copy = room(slug);
        await(copy.loadSnapshot(snapshot).thenCompose(v -> copy.flush()));
        LOG.info("room {} copied read-only to {}", roomId, slug);
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("slug", slug);
        out.put("snapshotOf", roomId);
        out.put("documentClock", snapshot.documentClock());
        out.put("path", "/ro/" + slug);
        return new Reply(201, out);
    }

    private CompletableFuture<@Nullable RoomSnapshot> snapshotOf(String roomId) {
        Optional<Room> loaded = rooms.find(roomId).filter(r -> !r.isClosed());
        if (loaded.isPresent()) {
            return loaded.get().snapshot().thenApply(s -> s);
        }
        if (store != null) {
            return store.load(roomId);
        }
        return CompletableFuture.completedFuture(null);
    }

    private static String roomIdOf(String body) {
        Object json;
        try {
            json = Json.parse(body);
        } catch (RuntimeException e) {
            throw new ApiError(400, "INVALID_JSON", "the body must be JSON {\"roomId\": …}");
        }
        if (!(json instanceof Map<?, ?> map) || !(map.get("roomId") instanceof String roomId)) {
            throw new ApiError(400, "INVALID_JSON", "the body must be JSON {\"roomId\": …}");
        }
        String problem = Route.idProblem("roomId", roomId, Route.MAX_ROOM_ID_LENGTH);
        if (problem != null) {
            throw new ApiError(400, "INVALID_ROOM_ID", problem);
        }
        return roomId;
    }

    private Reply upload(String client, String name, Request request) {
        UploadStore u = requireUploads();
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        BodyReader.GuardedStream in = bodies.stream(request);
        try (in) {
            UploadStore.StoredObject stored = u.put(client, name, type == null ? "" : type, request.getLength(), in);
            Map<String, Object> out = new LinkedHashMap<>();
            out.put("objectName", stored.objectName());
            out.put("size", stored.size());
            out.put("contentType", stored.contentType());
            return new Reply(201, out);
        } catch (UploadStore.Refused e) {
            throw new ApiError(e.status, e.code, String.valueOf(e.getMessage()));
        } catch (IOException e) {
            ApiError slow = in.tripped();
            if (slow != null) {
                throw slow;
            }
            LOG.warn("upload {} failed: {}", LogText.of(name), e.toString());
            throw new ApiError(500, "UPLOAD_FAILED", "cannot store the upload");
        }
    }

    private void download(String name, boolean head, Response response, Callback callback) {
        Path file = requireUploads()
                .get(name)
                .orElseThrow(() -> new ApiError(404, "OBJECT_NOT_FOUND", "no uploaded object " + name));
        long size;
        InputStream in;
        try {
            size = Files.size(file);
            in = Files.newInputStream(file);
        } catch (IOException e) {
            throw new ApiError(404, "OBJECT_NOT_FOUND", "no uploaded object " + name);
        }
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, UploadStore.contentType(name));
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, size);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "public, max-age=31536000, immutable");
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        // an uploaded SVG or PDF opened directly must not run script with the server's origin
        response.getHeaders().put("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; sandbox");
        if (head) {
            closeQuietly(in);
            callback.succeeded();
            return;
        }
        Content.copy(Content.Source.from(in), response, Callback.from(callback, () -> closeQuietly(in)));
    }

    @Override
    protected void doStop() throws Exception {
        try {
            super.doStop();
        } finally {
            if (unfurler != null) {
                unfurler.close();
            }
        }
    }

    private Reply unfurl(Request request) {
        if (unfurler == null) {
            throw new ApiError(501, "UNFURL_DISABLED", "this server does not unfurl links");
        }
        Fields query = Request.extractQueryParameters(request);
        String url = query.getValue("url");
        if (url == null || url.isBlank()) {
            throw new ApiError(400, "INVALID_URL", "give the page to unfurl as ?url=…");
        }
        try {
            return new Reply(200, unfurler.unfurl(url));
        } catch (Unfurler.Refused e) {
            throw new ApiError(e.status, e.code, String.valueOf(e.getMessage()));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "SHUTTING_DOWN", "the server is shutting down");
        }
    }

    private UploadStore requireUploads() {
        if (uploads == null) {
            throw new ApiError(501, "NO_UPLOAD_STORE", "this server has no upload directory");
        }
        return uploads;
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

    private <T> T await(CompletableFuture<T> future) {
        try {
            return future.get(timeout.toMillis(), TimeUnit.MILLISECONDS);
        } catch (TimeoutException e) {
            throw new ApiError(503, "STORE_UNAVAILABLE", "no answer from the room or store in " + timeout);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "SHUTTING_DOWN", "the server is shutting down");
        } catch (ExecutionException | CompletionException e) {
            Throwable cause = e.getCause() == null ? e : e.getCause();
            if (cause instanceof ApiError api) {
                throw api;
            }
            LOG.warn("app request failed: {}", cause.toString());
            throw new ApiError(503, "STORE_UNAVAILABLE", "the room or store failed: " + cause);
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

    private static void write(Response response, Callback callback, Reply reply) {
        response.setStatus(reply.status());
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, JSON);
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        response.write(true, ByteBuffer.wrap(Json.stringify(reply.body()).getBytes(StandardCharsets.UTF_8)), callback);
    }

    private static void closeQuietly(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // the response is already complete
        }
    }
}
