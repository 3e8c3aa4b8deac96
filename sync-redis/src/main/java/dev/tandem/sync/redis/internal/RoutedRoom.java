package dev.tandem.sync.redis.internal;

import dev.tandem.sync.core.Access;
import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.PullPage;
import dev.tandem.sync.core.PushEvent;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.RoomTransaction;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SessionSocket;
import dev.tandem.sync.core.SocketHandler;
import dev.tandem.sync.core.VersionInfo;
import dev.tandem.sync.core.internal.protocol.OfflineCodec;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;

/**
 * A room of the cluster as seen from any node: each operation runs on the room here when this node owns it
 * (taking its lease when nobody does), or is sent to its owner through {@link RoomCalls} with the principal the
 * caller authenticated. {@link #update} takes a callback, which cannot travel, and works only on the owner.
 * {@link #documentClock()} and {@link #sessionCount()} of a remote room are the values of the last call's reply.
 *
 * <p>Thread-safe. The handle never closes; {@link #close()} does nothing (the owner unloads the room).
 */
final class RoutedRoom implements Room {
    /** Routing attempts of one call when the owner moves under it. */
    private static final int MAX_ATTEMPTS = 3;

    private final ClusterNode node;
    private final RoomCalls calls;
    private final String roomId;
    private volatile long clock = -1;
    private volatile int sessions;

    RoutedRoom(ClusterNode node, RoomCalls calls, String roomId) {
        this.node = node;
        this.calls = calls;
        this.roomId = roomId;
    }

    private <T> CompletableFuture<T> via(
            String method,
            Map<String, Object> args,
            Function<Room, CompletableFuture<T>> local,
            Function<@Nullable Object, T> decode) {
        return attempt(method, args, local, decode, 1);
    }

    private <T> CompletableFuture<T> attempt(
            String method,
            Map<String, Object> args,
            Function<Room, CompletableFuture<T>> local,
            Function<@Nullable Object, T> decode,
            int attempt) {
        CompletableFuture<T> result = node.route(roomId).thenCompose(route -> {
            if (route instanceof ClusterNode.Local l) {
                Room room = l.term().room;
                return local.apply(room).whenComplete((v, e) -> {
                    clock = room.documentClock();
                    sessions = room.sessionCount();
                });
            }
            String owner = ((ClusterNode.Remote) route).ownerNode();
            return calls.call(owner, roomId, method, args).thenApply(reply -> {
                clock = reply.clock();
                sessions = reply.sessions();
                return decode.apply(reply.value());
            });
        });
        if (attempt >= MAX_ATTEMPTS) {
            return result;
        }
        return result.handle((v, e) -> e == null
                        ? CompletableFuture.completedFuture(v)
                        : RoomCalls.isRetryable(e)
                                ? attempt(method, args, local, decode, attempt + 1)
                                : CompletableFuture.<T>failedFuture(RoomCalls.unwrap(e)))
                .thenCompose(f -> f);
    }

    @Override
    public String id() {
        return roomId;
    }

    @Override
    public SocketHandler connect(SessionSocket socket, SessionOptions options) {
        return node.connect(roomId, socket, options);
    }

    @Override
    public CompletableFuture<Long> update(Consumer<RoomTransaction> changes) {
        return node.route(roomId)
                .thenCompose(route -> route instanceof ClusterNode.Local l
                        ? l.term().room.update(changes)
                        : CompletableFuture.failedFuture(new IllegalStateException(
                                "room " + roomId + " is owned by node " + ((ClusterNode.Remote) route).ownerNode()
                                        + "; update runs only on the owner")));
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<@Nullable Map<String, Object>> record(String id) {
        return via("record", Map.of("id", id), r -> r.record(id), v -> (Map<String, Object>) v);
    }

    @Override
    public CompletableFuture<RoomSnapshot> snapshot() {
        return via("snapshot", Map.of(), Room::snapshot, v -> RoomSnapshot.fromJson((String) v));
    }

    @Override
    public CompletableFuture<Void> loadSnapshot(RoomSnapshot snapshot) {
        return via("loadSnapshot", Map.of("snapshot", snapshot.toJson()), r -> r.loadSnapshot(snapshot), v -> null);
    }

    @Override
    public CompletableFuture<Void> flush() {
        return via("flush", Map.of(), Room::flush, v -> null);
    }

    @Override
    public CompletableFuture<VersionInfo> saveVersion() {
        return via("saveVersion", Map.of(), Room::saveVersion, RoomCalls::version);
    }

    @Override
    public boolean isClosed() {
        return false;
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<List<EventResult>> applyEvents(
            List<PushEvent> events, Principal principal, Access access) {
        List<Object> json = new ArrayList<>(events.size());
        for (PushEvent e : events) {
            json.add(OfflineCodec.eventJson(e));
        }
        Map<String, Object> args = new HashMap<>();
        args.put("events", json);
        args.put("principal", RoomCalls.principalJson(principal));
        args.put("access", access.name());
        return via("applyEvents", args, r -> r.applyEvents(events, principal, access), v -> {
            List<Object> list = (List<Object>) v;
            List<EventResult> out = new ArrayList<>(list.size());
            for (int i = 0; i < list.size(); i++) {
                out.add(OfflineCodec.decodeResult(list.get(i), "results[" + i + "]"));
            }
            return out;
        });
    }

    @Override
    public CompletableFuture<PullPage> pull(PullPage.Position since, int limit) {
        Map<String, Object> args = new HashMap<>();
        args.put("since", RoomCalls.positionJson(since));
        args.put("limit", limit);
        return via("pull", args, r -> r.pull(since, limit), RoomCalls::page);
    }

    @Override
    public CompletableFuture<Boolean> sendCustomMessage(String sessionId, @Nullable Object data) {
        Map<String, Object> args = new HashMap<>();
        args.put("sessionId", sessionId);
        args.put("data", data);
        return via("sendCustomMessage", args, r -> r.sendCustomMessage(sessionId, data), v -> Boolean.TRUE.equals(v));
    }

    @Override
    public CompletableFuture<Void> closeSession(String sessionId, @Nullable CloseReason reason) {
        Map<String, Object> args = new HashMap<>();
        args.put("sessionId", sessionId);
        args.put("reason", reason == null ? null : reason.name());
        return via("closeSession", args, r -> r.closeSession(sessionId, reason), v -> null);
    }

    @Override
    @SuppressWarnings("unchecked")
    public CompletableFuture<List<SessionInfo>> sessions() {
        return via("sessions", Map.of(), Room::sessions, v -> {
            List<SessionInfo> out = new ArrayList<>();
            for (Object s : (List<Object>) v) {
                out.add(RoomCalls.session(s));
            }
            return out;
        });
    }

    @Override
    public long documentClock() {
        Room local = node.ownedRoom(roomId);
        return local != null ? local.documentClock() : clock;
    }

    @Override
    public int sessionCount() {
        Room local = node.ownedRoom(roomId);
        return local != null ? local.sessionCount() : sessions;
    }

    /** Does nothing: the owner unloads the room once its last session left. */
    @Override
    public void close() {}

    /**
     * Re-decides every session of the room: on the owner directly; elsewhere the sessions are listed from the
     * owner, decided here (the policy is a callback) and the decisions sent back.
     */
    @Override
    public CompletableFuture<Void> revalidate(Function<SessionInfo, Access> policy) {
        Room local = node.ownedRoom(roomId);
        if (local != null) {
            return local.revalidate(policy);
        }
        return sessions().thenCompose(list -> {
            Map<String, Object> decided = new LinkedHashMap<>();
            for (SessionInfo s : list) {
                decided.put(s.sessionId(), policy.apply(s).name());
            }
            return via("revalidate", Map.of("access", decided), r -> r.revalidate(policy), v -> null);
        });
    }
}
