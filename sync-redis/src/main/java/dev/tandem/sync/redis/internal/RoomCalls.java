package dev.tandem.sync.redis.internal;

import dev.tandem.sync.core.Access;
import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.PullPage;
import dev.tandem.sync.core.PushEvent;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.core.VersionInfo;
import dev.tandem.sync.core.internal.protocol.OfflineCodec;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Room operations of HTTP requests (snapshot, restore, versions, offline push and pull, policy changes) relayed
 * to the room's owner, as sessions are: the node a request reached authenticated it and decided its access;
 * it sends the operation with the principal to the owner's channel ({@code Q}), the owner runs it on its room
 * and answers on the caller's channel ({@code R}). Arguments and results are JSON.
 *
 * <p>Bounded: at most {@link #MAX_PENDING} calls wait for an answer, each at most the call timeout. A call
 * whose owner moved before it ran is answered {@code moved} and the caller routes it again. Thread-safe.
 */
final class RoomCalls {
    private static final Logger LOG = LoggerFactory.getLogger(RoomCalls.class);
    static final int MAX_PENDING = 10_000;

    private final Relay relay;
    private final Executor pool;
    private final Duration timeout;
    /** The local room, taking it if nobody owns it; null if another node does. */
    private final Function<String, CompletableFuture<@Nullable Room>> ownedRoom;

    private final ConcurrentHashMap<String, CompletableFuture<Reply>> pending = new ConcurrentHashMap<>();

    /** An owner's answer: the value, and the room's clock and session count after the call. */
    record Reply(@Nullable Object value, long clock, int sessions) {}

    /** The owner moved before running the call; the caller routes it again. */
    static final class Moved extends RuntimeException {
        private static final long serialVersionUID = 1L;

        Moved() {
            super("the room moved", null, false, false);
        }
    }

    RoomCalls(
            Relay relay,
            Executor pool,
            Duration timeout,
            Function<String, CompletableFuture<@Nullable Room>> ownedRoom) {
        this.relay = relay;
        this.pool = pool;
        this.timeout = timeout;
        this.ownedRoom = ownedRoom;
    }

    // ---- caller side ------------------------------------------------------------------------------------

    /** Sends {@code method(args)} on the room to its owner; completes with its reply. */
    CompletableFuture<Reply> call(String owner, String roomId, String method, Map<String, Object> args) {
        if (pending.size() >= MAX_PENDING) {
            return CompletableFuture.failedFuture(
                    new IllegalStateException("too many room calls in flight (" + MAX_PENDING + ")"));
        }
        String id = UUID.randomUUID().toString();
        CompletableFuture<Reply> reply = new CompletableFuture<>();
        pending.put(id, reply);
        reply.orTimeout(timeout.toMillis(), TimeUnit.MILLISECONDS).whenComplete((r, e) -> pending.remove(id));
        String message = "Q" + id + "\n" + relay.nodeId() + "\n" + roomId + "\n" + method + "\n" + Json.stringify(args);
        relay.publish(owner, message).whenComplete((receivers, error) -> {
            if (error != null) {
                reply.completeExceptionally(error);
            } else if (receivers == null || receivers == 0) {
                reply.completeExceptionally(
                        new IllegalStateException("owner " + owner + " of room " + roomId + " is unreachable"));
            }
        });
        return reply;
    }

    /** Handles {@code Q} and {@code R} messages; returns false for other types. Runs on the subscriber thread. */
    boolean onMessage(RelayMessage m) {
        if (m.type() == 'R') {
            CompletableFuture<Reply> reply = pending.remove(m.cid());
            if (reply != null) {
                execute(() -> complete(reply, m.body()));
            }
            return true;
        }
        if (m.type() == 'Q') {
            execute(() -> serve(m));
            return true;
        }
        return false;
    }

    private void execute(Runnable task) {
        try {
            pool.execute(task);
        } catch (RejectedExecutionException e) {
            task.run();
        }
    }

    @SuppressWarnings("unchecked")
    private static void complete(CompletableFuture<Reply> reply, String body) {
        String[] f = body.split("\n", 2);
        try {
            Map<String, Object> json = (Map<String, Object>) Json.parse(f.length > 1 ? f[1] : "{}");
            switch (f[0]) {
                case "ok" ->
                    reply.complete(new Reply(
                            json.get("value"), number(json.get("clock")), (int) number(json.get("sessions"))));
                case "moved" -> reply.completeExceptionally(new Moved());
                default -> reply.completeExceptionally(error(json));
            }
        } catch (RuntimeException e) {
            reply.completeExceptionally(e);
        }
    }

    private static RuntimeException error(Map<String, Object> json) {
        String message = String.valueOf(json.get("message"));
        String reason = json.get("reason") instanceof String r ? r : null;
        return switch (String.valueOf(json.get("kind"))) {
            case "sync" ->
                new SyncException(reason == null ? CloseReason.UNKNOWN_ERROR : CloseReason.valueOf(reason), message);
            case "argument" -> new IllegalArgumentException(message);
            case "state" -> new IllegalStateException(message);
            default -> new IllegalStateException("the room's owner failed: " + message);
        };
    }

    // ---- owner side -------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    private void serve(RelayMessage m) {
        String[] f = m.fields(4);
        if (f.length < 4) {
            LOG.warn("node {}: malformed room call ignored", relay.nodeId());
            return;
        }
        String caller = f[0];
        String roomId = f[1];
        String method = f[2];
        Map<String, Object> args;
        try {
            args = (Map<String, Object>) Json.parse(f[3]);
        } catch (RuntimeException e) {
            answer(caller, m.cid(), "error", Map.of("kind", "argument", "message", "malformed room call"));
            return;
        }
        ownedRoom
                .apply(roomId)
                .thenCompose(room -> room == null
                        ? CompletableFuture.failedFuture(new Moved())
                        : run(room, method, args).thenApply(value -> {
                            Map<String, Object> out = new HashMap<>();
                            out.put("value", value);
                            out.put("clock", room.documentClock());
                            out.put("sessions", room.sessionCount());
                            return out;
                        }))
                .whenComplete((out, error) -> {
                    if (error == null) {
                        answer(caller, m.cid(), "ok", out);
                        return;
                    }
                    Throwable e = unwrap(error);
                    if (e instanceof Moved) {
                        answer(caller, m.cid(), "moved", Map.of());
                        return;
                    }
                    Map<String, Object> json = new HashMap<>();
                    json.put("message", String.valueOf(e.getMessage()));
                    if (e instanceof SyncException s) {
                        json.put("kind", "sync");
                        json.put("reason", s.reason().name());
                    } else if (e instanceof IllegalArgumentException) {
                        json.put("kind", "argument");
                    } else if (e instanceof IllegalStateException) {
                        json.put("kind", "state");
                    } else {
                        json.put("kind", "other");
                    }
                    answer(caller, m.cid(), "error", json);
                });
    }

    private void answer(String caller, String callId, String status, Map<String, Object> json) {
        relay.publish(caller, "R" + callId + "\n" + status + "\n" + Json.stringify(json));
    }

    @SuppressWarnings("unchecked")
    private static CompletableFuture<?> run(Room room, String method, Map<String, Object> args) {
        return switch (method) {
            case "snapshot" -> room.snapshot().thenApply(RoomSnapshot::toJson);
            case "loadSnapshot" ->
                room.loadSnapshot(RoomSnapshot.fromJson((String) args.get("snapshot")))
                        .thenApply(v -> null);
            case "flush" -> room.flush().thenApply(v -> null);
            case "saveVersion" -> room.saveVersion().thenApply(RoomCalls::versionJson);
            case "record" -> room.record((String) args.get("id"));
            case "applyEvents" -> {
                List<PushEvent> events = new ArrayList<>();
                List<Object> list = (List<Object>) args.get("events");
                for (int i = 0; i < list.size(); i++) {
                    events.add(OfflineCodec.decodeEvent(list.get(i), "events[" + i + "]"));
                }
                yield room.applyEvents(
                                events, principal((Map<String, Object>) args.get("principal")), Access.valueOf((String)
                                        args.get("access")))
                        .thenApply(results ->
                                results.stream().map(OfflineCodec::resultJson).toList());
            }
            case "pull" -> {
                List<Object> p = (List<Object>) args.get("since");
                PullPage.Position since = new PullPage.Position(number(p.get(0)), (String) p.get(1), number(p.get(2)));
                yield room.pull(since, (int) number(args.get("limit"))).thenApply(RoomCalls::pageJson);
            }
            case "sessions" ->
                room.sessions()
                        .thenApply(sessions ->
                                sessions.stream().map(RoomCalls::sessionJson).toList());
            case "revalidate" -> {
                Map<String, Object> decided = (Map<String, Object>) args.get("access");
                yield room.revalidate(info -> {
                            Object a = decided.get(info.sessionId());
                            // a session that joined after the caller listed them was decided by its entry node
                            return a instanceof String name
                                    ? Access.valueOf(name)
                                    : info.readOnly() ? Access.READ_ONLY : Access.READ_WRITE;
                        })
                        .thenApply(v -> null);
            }
            case "closeSession" ->
                room.closeSession(
                                (String) args.get("sessionId"),
                                args.get("reason") instanceof String r ? CloseReason.valueOf(r) : null)
                        .thenApply(v -> null);
            case "sendCustomMessage" -> room.sendCustomMessage((String) args.get("sessionId"), args.get("data"));
            default -> CompletableFuture.failedFuture(new IllegalArgumentException("unknown room call " + method));
        };
    }

    // ---- JSON forms -------------------------------------------------------------------------------------

    static Map<String, Object> principalJson(Principal p) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", p.id());
        out.put("claims", p.claims());
        return out;
    }

    @SuppressWarnings("unchecked")
    static Principal principal(Map<String, Object> json) {
        String id = (String) json.get("id");
        return Principal.ANONYMOUS.id().equals(id)
                ? Principal.ANONYMOUS
                : new Principal(id, (Map<String, Object>) json.get("claims"));
    }

    static Map<String, Object> versionJson(VersionInfo v) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", v.id());
        out.put("documentClock", v.documentClock());
        out.put("createdAt", v.createdAt().toEpochMilli());
        return out;
    }

    @SuppressWarnings("unchecked")
    static VersionInfo version(@Nullable Object json) {
        Map<String, Object> m = (Map<String, Object>) json;
        return new VersionInfo(
                (String) m.get("id"), number(m.get("documentClock")), Instant.ofEpochMilli(number(m.get("createdAt"))));
    }

    static Map<String, Object> pageJson(PullPage page) {
        List<Object> changes = new ArrayList<>(page.changes().size());
        for (PullPage.Change c : page.changes()) {
            Map<String, Object> m = new HashMap<>();
            m.put("recordId", c.recordId());
            m.put("typeName", c.typeName());
            m.put("deleted", c.deleted());
            m.put("record", c.record());
            m.put("clock", c.clock());
            changes.add(m);
        }
        Map<String, Object> out = new HashMap<>();
        out.put("changes", changes);
        out.put("position", positionJson(page.position()));
        out.put("hasMore", page.hasMore());
        out.put("resync", page.resync());
        return out;
    }

    static List<Object> positionJson(PullPage.Position p) {
        return List.of(p.clock(), p.recordId(), p.resyncFrom());
    }

    @SuppressWarnings("unchecked")
    static PullPage page(@Nullable Object json) {
        Map<String, Object> m = (Map<String, Object>) json;
        List<PullPage.Change> changes = new ArrayList<>();
        for (Object o : (List<Object>) m.get("changes")) {
            Map<String, Object> c = (Map<String, Object>) o;
            changes.add(new PullPage.Change(
                    (String) c.get("recordId"),
                    (String) c.get("typeName"),
                    Boolean.TRUE.equals(c.get("deleted")),
                    (Map<String, Object>) c.get("record"),
                    number(c.get("clock"))));
        }
        List<Object> p = (List<Object>) m.get("position");
        return new PullPage(
                changes,
                new PullPage.Position(number(p.get(0)), (String) p.get(1), number(p.get(2))),
                Boolean.TRUE.equals(m.get("hasMore")),
                Boolean.TRUE.equals(m.get("resync")));
    }

    static Map<String, Object> sessionJson(Room.SessionInfo s) {
        Map<String, Object> out = new HashMap<>();
        out.put("sessionId", s.sessionId());
        out.put("state", s.state());
        out.put("readOnly", s.readOnly());
        out.put("meta", s.meta());
        out.put("principal", principalJson(s.principal()));
        return out;
    }

    @SuppressWarnings("unchecked")
    static Room.SessionInfo session(Object json) {
        Map<String, Object> m = (Map<String, Object>) json;
        return new Room.SessionInfo(
                (String) m.get("sessionId"),
                (String) m.get("state"),
                Boolean.TRUE.equals(m.get("readOnly")),
                (Map<String, Object>) m.get("meta"),
                principal((Map<String, Object>) m.get("principal")));
    }

    static long number(@Nullable Object o) {
        return o instanceof Number n ? n.longValue() : 0L;
    }

    static Throwable unwrap(Throwable error) {
        Throwable e = error;
        while ((e instanceof java.util.concurrent.CompletionException
                        || e instanceof java.util.concurrent.ExecutionException)
                && e.getCause() != null) {
            e = e.getCause();
        }
        return e;
    }

    /** Returns whether a failed call may be sent again after routing anew. */
    static boolean isRetryable(Throwable error) {
        return unwrap(error) instanceof Moved;
    }

    static boolean isTimeout(Throwable error) {
        return unwrap(error) instanceof TimeoutException;
    }
}
