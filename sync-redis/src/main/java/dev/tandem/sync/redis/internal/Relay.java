package dev.tandem.sync.redis.internal;

import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.SessionOptions;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The session relay of one node: its channel {@code <prefix>:node:<nodeId>} receives {@link RelayMessage}s, which
 * go to the entry sessions of this node ({@link EntrySession}, client here, room elsewhere) and to the relayed
 * sessions of rooms this node owns ({@link RelayedSocket}, room here, client elsewhere). The subscriber thread only
 * parses the envelope: a relayed session's frames are decoded by the room on that session's {@link SessionLane},
 * in order, on a shared pool. Publishes go out on the node's one command connection, so they keep their order.
 *
 * <p>Thread-safe.
 */
final class Relay {
    private static final Logger LOG = LoggerFactory.getLogger(Relay.class);
    /** The most relayed frames of one session waiting to be decoded; past it the session is closed normally. */
    static final int MAX_QUEUED_FRAMES = 1024;

    private final String nodeId;
    private final String keyPrefix;
    private final RedisAsyncCommands<String, String> redis;
    private final ScheduledExecutorService timer;
    private final ExecutorService frames;
    private final Duration relayOpenTimeout;
    /** The local room of a relayed open, taking the room if needed; completes with null if another node owns it. */
    private final Function<String, CompletableFuture<@Nullable Room>> ownedRoom;

    private final ConcurrentHashMap<String, EntrySession> relayedOut = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, RelayedSocket> relayedIn = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, EntrySession> localEntries = new ConcurrentHashMap<>();
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder messagesOut = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private volatile boolean closed;
    private volatile @Nullable Function<RelayMessage, Boolean> otherMessages;

    Relay(
            String nodeId,
            String keyPrefix,
            RedisAsyncCommands<String, String> redis,
            ScheduledExecutorService timer,
            ExecutorService frames,
            Duration relayOpenTimeout,
            Function<String, CompletableFuture<@Nullable Room>> ownedRoom) {
        this.nodeId = nodeId;
        this.keyPrefix = keyPrefix;
        this.redis = redis;
        this.timer = timer;
        this.frames = frames;
        this.relayOpenTimeout = relayOpenTimeout;
        this.ownedRoom = ownedRoom;
    }

    /** Handles the message types this relay does not know (room calls); returns whether it knew the type. */
    void otherMessages(Function<RelayMessage, Boolean> handler) {
        this.otherMessages = handler;
    }

    String nodeId() {
        return nodeId;
    }

    String channel(String node) {
        return keyPrefix + ":node:" + node;
    }

    /** Refuses relayed opens from now on (the node is stopping). */
    void close() {
        closed = true;
    }

    // ---- incoming ---------------------------------------------------------------------------------------

    /** A message on this node's channel; runs on the subscriber thread, so it never decodes a frame. */
    void onMessage(String message) {
        messagesIn.increment();
        bytesIn.add(message.length());
        RelayMessage m = RelayMessage.parse(message);
        if (m == null) {
            LOG.warn("node {}: malformed relay message ignored", nodeId);
            return;
        }
        switch (m.type()) {
            case 'O' -> onOpen(m);
            case 'F' -> {
                RelayedSocket s = relayedIn.get(m.cid());
                if (s != null && !s.onText(m.body())) {
                    LOG.info("relayed session {} of room {} closed: too many frames queued", s.cid, s.roomId);
                    s.close();
                }
            }
            case 'C' -> {
                RelayedSocket s = relayedIn.remove(m.cid());
                if (s != null) {
                    s.onClose();
                }
            }
            case 'A' -> {
                EntrySession e = relayedOut.get(m.cid());
                if (e != null) {
                    e.accepted();
                }
            }
            case 'S' -> {
                EntrySession e = relayedOut.get(m.cid());
                if (e != null) {
                    e.deliver(m.body());
                }
            }
            case 'X' -> {
                EntrySession e = relayedOut.get(m.cid());
                if (e != null) {
                    String[] f = m.fields(2);
                    e.closedByOwner(Integer.parseInt(f[0]), f.length > 1 ? f[1] : "");
                }
            }
            default -> {
                Function<RelayMessage, Boolean> other = otherMessages;
                if (other == null || !other.apply(m)) {
                    LOG.warn("node {}: unknown relay message type {}", nodeId, m.type());
                }
            }
        }
    }

    private void onOpen(RelayMessage m) {
        String[] f = m.fields(5);
        if (f.length < 5) {
            return;
        }
        String entryNode = f[0];
        String roomId = f[1];
        SessionOptions sessionOptions;
        try {
            sessionOptions = new RelayMessage.SessionOptionsJson(f[2], "1".equals(f[3]), f[4]).toOptions();
        } catch (RuntimeException e) {
            LOG.warn("node {}: malformed relay open ignored", nodeId, e);
            return;
        }
        RelayedSocket socket =
                new RelayedSocket(this, m.cid(), entryNode, roomId, new SessionLane(frames, MAX_QUEUED_FRAMES));
        // registered at once so the client's frames that follow are kept while the room is being taken
        relayedIn.put(m.cid(), socket);
        if (closed) {
            refuse(socket, "node is shutting down");
            return;
        }
        // the entry node saw this node's lease; this node may still be taking the room (claim, load)
        ownedRoom.apply(roomId).whenComplete((room, error) -> {
            if (error != null || room == null) {
                refuse(socket, error != null ? ClusterNode.rootMessage(error) : "the room moved to another node");
                return;
            }
            if (!socket.isWaiting()) {
                relayedIn.remove(socket.cid, socket);
                return;
            }
            publish(entryNode, RelayMessage.accepted(m.cid()));
            try {
                socket.attach(room.connect(socket, sessionOptions));
            } catch (RuntimeException e) {
                LOG.warn("room {} refused relayed session {}", roomId, f[2], e);
                socket.close();
            }
        });
    }

    private void refuse(RelayedSocket socket, String why) {
        LOG.info("relayed session {} of room {} refused: {}", socket.cid, socket.roomId, why);
        relayedIn.remove(socket.cid, socket);
        publish(socket.entryNode, RelayMessage.ownerClosed(socket.cid, RelayMessage.NORMAL_CLOSE, ""));
    }

    // ---- outgoing ---------------------------------------------------------------------------------------

    /** Publishes an owner's frame to the entry node; a failed or unheard publish ends the session. */
    void publishToEntry(RelayedSocket socket, String message) {
        publish(socket.entryNode, message).whenComplete((receivers, error) -> {
            if (error != null || receivers == null || receivers == 0) {
                if (relayedIn.remove(socket.cid, socket)) {
                    LOG.info(
                            "relayed session {} of room {} lost its entry node {}",
                            socket.cid,
                            socket.roomId,
                            socket.entryNode);
                    socket.onClose();
                }
            }
        });
    }

    /** The room closed a relayed session: tell the entry node, then report the close to the room. */
    void relayedClosed(RelayedSocket socket, int code, String reason) {
        publish(socket.entryNode, RelayMessage.ownerClosed(socket.cid, code, reason));
        if (relayedIn.remove(socket.cid, socket)) {
            socket.onClose();
        }
    }

    CompletableFuture<Long> publish(@Nullable String node, String message) {
        if (node == null) {
            return CompletableFuture.completedFuture(0L);
        }
        messagesOut.increment();
        bytesOut.add(message.length());
        try {
            return redis.publish(channel(node), message).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Closes every relayed session, both directions: relay messages may have been lost. */
    void breakRelays(String why) {
        for (EntrySession e : List.copyOf(relayedOut.values())) {
            e.fail(why);
        }
        for (RelayedSocket s : List.copyOf(relayedIn.values())) {
            if (relayedIn.remove(s.cid, s)) {
                s.onClose();
            }
        }
    }

    /** Returns the entry sessions relayed to other owners, by room. */
    Map<String, List<EntrySession>> relayedOutByRoom() {
        Map<String, List<EntrySession>> byRoom = new HashMap<>();
        for (EntrySession e : relayedOut.values()) {
            byRoom.computeIfAbsent(e.roomId, k -> new ArrayList<>()).add(e);
        }
        return byRoom;
    }

    // ---- bookkeeping of sessions, for EntrySession ------------------------------------------------------

    void relayOpened(EntrySession e) {
        relayedOut.put(e.cid, e);
    }

    void relayClosed(EntrySession e) {
        relayedOut.remove(e.cid, e);
    }

    void localSessionOpened(EntrySession e) {
        localEntries.put(e.cid, e);
    }

    void localSessionClosed(EntrySession e) {
        localEntries.remove(e.cid, e);
    }

    /**
     * The room moved to another node (this node handed it over): closes its sessions, local and relayed in, with
     * {@code code}, so their clients reconnect at once and reach the new owner.
     */
    void closeRoomSessions(String roomId, int code, String reason) {
        for (EntrySession e : List.copyOf(localEntries.values())) {
            if (e.roomId.equals(roomId)) {
                e.moved(code, reason);
            }
        }
        for (RelayedSocket s : List.copyOf(relayedIn.values())) {
            if (s.roomId.equals(roomId)) {
                s.close(code, reason);
            }
        }
    }

    /** This node is going away: closes its clients relayed to other owners with {@code code}. */
    void closeRelayedOut(int code, String reason) {
        for (EntrySession e : List.copyOf(relayedOut.values())) {
            e.moved(code, reason);
        }
    }

    Duration relayOpenTimeout() {
        return relayOpenTimeout;
    }

    @Nullable
    ScheduledFuture<?> schedule(Duration delay, Runnable task) {
        try {
            return timer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (RejectedExecutionException e) {
            return null;
        }
    }

    int localSessions() {
        return localEntries.size();
    }

    int relayedOutCount() {
        return relayedOut.size();
    }

    int relayedInCount() {
        return relayedIn.size();
    }

    long messagesIn() {
        return messagesIn.sum();
    }

    long messagesOut() {
        return messagesOut.sum();
    }

    long bytesIn() {
        return bytesIn.sum();
    }

    long bytesOut() {
        return bytesOut.sum();
    }
}
