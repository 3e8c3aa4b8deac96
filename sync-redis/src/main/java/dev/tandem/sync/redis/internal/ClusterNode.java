package dev.tandem.sync.redis.internal;

import dev.tandem.sync.core.Durability;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomManager;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SessionSocket;
import dev.tandem.sync.core.SocketHandler;
import dev.tandem.sync.redis.ClusterOptions;
import dev.tandem.sync.redis.RedisCluster;
import dev.tandem.sync.redis.RoomFence;
import io.lettuce.core.RedisURI;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RedisCluster}: room ownership terms over {@link Leases} and the store's fence, sessions joined
 * locally or through the {@link Relay}; one command connection (leases and publishes, so a node's publishes keep
 * their order) and one subscriber connection.
 *
 * <p>Invariants: a room is run here only inside an {@link OwnedRoom} term, whose lease this node acquired and
 * whose epoch it claimed in the store before the room was created; a term is dropped, and its room closed, as
 * soon as its lease is lost, its local validity passes or a commit is fenced, and never comes back.
 */
public final class ClusterNode implements RedisCluster {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);
    /** How long a room call relayed to the owner waits for its answer. */
    private static final Duration CALL_TIMEOUT = Duration.ofSeconds(20);

    private final ClusterOptions options;
    private final RoomOptions baseOptions;
    private final RoomStore sharedStore;
    private final RoomFence fence;
    private final RedisLink redis;
    private final ScheduledExecutorService timer;
    private final ExecutorService relayPool;
    private final RoomManager rooms;
    private final Leases leases;
    private final Relay relay;
    private final RoomCalls calls;
    private final Handoff handoff;
    private final long validNanos;

    private final ConcurrentHashMap<String, OwnedRoom> owned = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, FencedRoomStore> creating = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CompletableFuture<Route>> acquiring = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Room> retired = new ConcurrentHashMap<>();
    private volatile boolean closed;
    private volatile boolean draining;

    /** Where a session goes: the local room, or the owner node's channel. */
    sealed interface Route permits Local, Remote {}

    record Local(OwnedRoom term) implements Route {}

    record Remote(String ownerNode) implements Route {}

    private ClusterNode(ClusterOptions options, RoomOptions roomOptions, RoomFence fence) {
        this.options = options;
        this.baseOptions = roomOptions;
        this.sharedStore = Objects.requireNonNull(roomOptions.store(), "store");
        this.fence = fence;
        this.validNanos = options.leaseTtl().toNanos() - options.safetyMargin().toNanos();
        this.timer = Executors.newSingleThreadScheduledExecutor(daemon("tandem-cluster-" + options.nodeId()));
        this.relayPool = Executors.newFixedThreadPool(
                Math.max(2, Runtime.getRuntime().availableProcessors()), daemon("tandem-relay-" + options.nodeId()));
        try {
            this.redis = new RedisLink(options, () -> {
                if (!closed) {
                    LOG.warn(
                            "node {}: lost Redis; closing relayed sessions, owned rooms serve while leases last",
                            options.nodeId());
                    relay().breakRelays("Redis connection lost");
                }
            });
        } catch (RuntimeException e) {
            timer.shutdownNow();
            relayPool.shutdownNow();
            throw e;
        }
        this.leases = new Leases(redis.commands(), options.keyPrefix(), options.nodeId(), options.leaseTtl());
        this.relay = new Relay(
                options.nodeId(),
                options.keyPrefix(),
                redis.commands(),
                timer,
                relayPool,
                options.relayOpenTimeout(),
                roomId -> route(roomId).thenApply(r -> r instanceof Local l ? l.term().room : null));
        this.calls = new RoomCalls(
                relay,
                relayPool,
                CALL_TIMEOUT,
                roomId -> route(roomId).thenApply(r -> r instanceof Local l ? l.term().room : null));
        this.handoff = new Handoff(this, relay, leases, relayPool);
        relay.otherMessages(m -> calls.onMessage(m) || handoff.onMessage(m));
        this.rooms = RoomManager.create(this::optionsFor);
        redis.subscriber().addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                relay.onMessage(message);
            }
        });
        redis.subscriber().sync().subscribe(relay.channel(options.nodeId()));
    }

    private static ThreadFactory daemon(String name) {
        AtomicInteger n = new AtomicInteger();
        return r -> {
            Thread t = new Thread(r, name + "-" + n.incrementAndGet());
            t.setDaemon(true);
            return t;
        };
    }

    public static ClusterNode start(ClusterOptions options, RoomOptions roomOptions, RoomFence fence) {
        if (roomOptions.store() == null) {
            throw new IllegalArgumentException("a cluster needs room options with the shared store");
        }
        if (roomOptions.durability() != Durability.SYNC) {
            LOG.warn(
                    "cluster node with durability {}: a fail-over loses changes acknowledged but not yet flushed",
                    roomOptions.durability());
        }
        ClusterNode node = new ClusterNode(options, roomOptions, fence);
        // a node restarted under the same id takes rooms again
        node.leases.clearDraining();
        long renewMs = options.renewInterval().toMillis();
        node.timer.scheduleWithFixedDelay(node::renewLeases, renewMs, renewMs, TimeUnit.MILLISECONDS);
        node.timer.scheduleWithFixedDelay(node::checkOwners, renewMs, renewMs, TimeUnit.MILLISECONDS);
        long checkMs = Math.max(20, Math.min(200, options.safetyMargin().toMillis() / 2));
        node.timer.scheduleWithFixedDelay(node::expireTerms, checkMs, checkMs, TimeUnit.MILLISECONDS);
        LOG.info(
                "Cluster node {} started (Redis {}, key prefix {}, lease {})",
                options.nodeId(),
                RedisURI.create(options.redisUri()).toString(),
                options.keyPrefix(),
                options.leaseTtl());
        return node;
    }

    private Relay relay() {
        return relay;
    }

    // ---- public API -----------------------------------------------------------------------------------

    @Override
    public String nodeId() {
        return options.nodeId();
    }

    @Override
    public SocketHandler connect(String roomId, SessionSocket socket, SessionOptions sessionOptions) {
        Objects.requireNonNull(roomId, "roomId");
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(sessionOptions, "sessionOptions");
        EntrySession entry = new EntrySession(relay, UUID.randomUUID().toString(), roomId, socket, sessionOptions);
        if (closed) {
            entry.refuse("node is shutting down");
            return entry;
        }
        route(roomId).whenComplete((route, error) -> {
            if (error != null) {
                entry.refuse(rootMessage(error));
            } else if (route instanceof Local l) {
                try {
                    entry.routeLocal(l.term().room);
                } catch (RuntimeException e) {
                    entry.refuse(rootMessage(e));
                }
            } else if (route instanceof Remote r) {
                if (!isRedisConnected()) {
                    entry.refuse("Redis is unreachable");
                } else {
                    entry.routeRemote(r.ownerNode());
                }
            }
        });
        return entry;
    }

    @Override
    public RoomManager rooms() {
        return rooms;
    }

    @Override
    public Room room(String roomId) {
        Objects.requireNonNull(roomId, "roomId");
        if (closed) {
            throw new IllegalStateException("node is shutting down");
        }
        return new RoutedRoom(this, calls, roomId);
    }

    @Override
    public Optional<Room> find(String roomId) {
        Objects.requireNonNull(roomId, "roomId");
        if (closed) {
            return Optional.empty();
        }
        if (ownedRoom(roomId) != null) {
            return Optional.of(room(roomId));
        }
        try {
            String holder = leases.holder(roomId).get(CALL_TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
            return holder == null ? Optional.empty() : Optional.of(room(roomId));
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted looking up the owner of room " + roomId, e);
        } catch (ExecutionException | TimeoutException e) {
            throw new IllegalStateException("cannot look up the owner of room " + roomId + ": " + rootMessage(e), e);
        }
    }

    /** Returns the room if this node owns it now, else null. */
    @Nullable
    Room ownedRoom(String roomId) {
        OwnedRoom term = owned.get(roomId);
        return term != null && term.valid(System.nanoTime()) && !term.room.isClosed() ? term.room : null;
    }

    @Override
    public Stats stats() {
        return new Stats(
                owned.size(),
                relay.localSessions(),
                relay.relayedOutCount(),
                relay.relayedInCount(),
                relay.messagesIn(),
                relay.messagesOut(),
                relay.bytesIn(),
                relay.bytesOut(),
                isRedisConnected());
    }

    @Override
    public int drain(Duration timeout) {
        Objects.requireNonNull(timeout, "timeout");
        if (timeout.isNegative()) {
            throw new IllegalArgumentException("timeout must be >= 0 but was " + timeout);
        }
        if (closed) {
            return 0;
        }
        draining = true;
        try {
            leases.markDraining(options.leaseTtl().multipliedBy(6)).get(1, TimeUnit.SECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        } catch (ExecutionException | TimeoutException e) {
            LOG.info("node {}: cannot mark itself draining: {}", nodeId(), e.toString());
        }
        List<OwnedRoom> terms = List.copyOf(owned.values());
        LOG.info("node {} draining: handing {} rooms to other nodes", nodeId(), terms.size());
        int moved = handoff.drain(terms, timeout);
        relay.closeRelayedOut(Handoff.MOVED_CODE, Handoff.MOVED_REASON);
        LOG.info("node {} drained: {} of {} rooms handed over", nodeId(), moved, terms.size());
        return moved;
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        relay.close();
        timer.shutdownNow();
        List<CompletableFuture<?>> releases = new ArrayList<>();
        for (OwnedRoom term : List.copyOf(owned.values())) {
            owned.remove(term.roomId, term);
            term.room.close();
            term.store.retire();
            term.room.sessions().whenComplete((sessions, e) -> term.store.abandon());
            releases.add(leases.release(term.roomId));
        }
        relay.breakRelays("node shutting down");
        try {
            CompletableFuture.allOf(releases.toArray(CompletableFuture[]::new)).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.info("node {}: not every lease released on shutdown: {}", nodeId(), e.toString());
        }
        try {
            redis.close();
        } finally {
            relayPool.shutdown();
        }
        LOG.info("Cluster node {} stopped", nodeId());
    }

    // ---- ownership ------------------------------------------------------------------------------------

    /** Completes with where the room runs: here (taking its lease if nobody holds it) or on its owner. */
    CompletableFuture<Route> route(String roomId) {
        OwnedRoom term = owned.get(roomId);
        if (term != null) {
            if (term.valid(System.nanoTime()) && !term.room.isClosed()) {
                return CompletableFuture.completedFuture(new Local(term));
            }
            drop(term, term.room.isClosed() ? "room unloaded" : "lease expired");
        }
        CompletableFuture<Route> mine = new CompletableFuture<>();
        CompletableFuture<Route> existing = acquiring.putIfAbsent(roomId, mine);
        if (existing != null) {
            return existing;
        }
        acquire(roomId).whenComplete((route, error) -> {
            acquiring.remove(roomId, mine);
            if (error != null) {
                mine.completeExceptionally(error);
            } else {
                mine.complete(route);
            }
        });
        return mine;
    }

    private CompletableFuture<Route> acquire(String roomId) {
        long sentAt = System.nanoTime();
        if (draining) {
            // a draining node takes no room: it only finds the owner
            return leases.holder(roomId).thenApply(holder -> {
                if (holder == null || holder.equals(nodeId())) {
                    throw new IllegalStateException("node " + nodeId() + " is draining and takes no room");
                }
                return new Remote(holder);
            });
        }
        return leases.acquire(roomId).thenCompose(holder -> {
            if (!holder.equals(nodeId())) {
                return CompletableFuture.completedFuture(new Remote(holder));
            }
            return fence.claim(roomId).thenApplyAsync(epoch -> (Route) begin(roomId, epoch, sentAt), timer);
        });
    }

    /** Starts a term: the lease is ours and the epoch claimed; creates the room instance of this term. */
    private Local begin(String roomId, long epoch, long leaseSentAt) {
        if (closed) {
            throw new IllegalStateException("node is shutting down");
        }
        Room previous = retired.get(roomId);
        if (previous != null) {
            if (!previous.isClosed()) {
                throw new IllegalStateException("the previous term of room " + roomId + " is still closing");
            }
            retired.remove(roomId, previous);
        }
        long validUntil = leaseSentAt + validNanos;
        if (System.nanoTime() - validUntil >= 0) {
            throw new IllegalStateException("lease of room " + roomId + " expired while claiming it");
        }
        FencedRoomStore store = new FencedRoomStore(sharedStore, fence, roomId, epoch, () -> onFenced(roomId, epoch));
        Room room;
        creating.put(roomId, store);
        try {
            room = rooms.room(roomId);
        } finally {
            creating.remove(roomId);
        }
        OwnedRoom term = new OwnedRoom(roomId, epoch, store, room, validUntil);
        owned.put(roomId, term);
        LOG.info("node {} owns room {} (epoch {})", nodeId(), roomId, epoch);
        return new Local(term);
    }

    private RoomOptions optionsFor(String roomId) {
        FencedRoomStore store = creating.get(roomId);
        if (store == null) {
            throw new IllegalStateException("room " + roomId + " is not owned by node " + nodeId());
        }
        return baseOptions.toBuilder().store(store).build();
    }

    /** Ends a term: the room closes (its sessions get a normal close) and the lease is released if still ours. */
    private void drop(OwnedRoom term, String why) {
        if (!owned.remove(term.roomId, term)) {
            return;
        }
        term.store.retire();
        boolean unloaded = term.room.isClosed();
        if (!unloaded && !term.handingOff) {
            LOG.warn("node {} stops serving room {} (epoch {}): {}", nodeId(), term.roomId, term.epoch, why);
        } else {
            LOG.info("node {} released room {} (epoch {}): {}", nodeId(), term.roomId, term.epoch, why);
        }
        retired.put(term.roomId, term.room);
        term.room.close();
        // the room's lane runs in order: once this completes, the close ran and no session is left
        term.room.sessions().whenComplete((s, e) -> term.store.abandon());
        leases.release(term.roomId);
    }

    /** Ends a term for the hand-over: see {@link #drop}. */
    void endTerm(OwnedRoom term, String why) {
        drop(term, why);
    }

    private void onFenced(String roomId, long epoch) {
        OwnedRoom term = owned.get(roomId);
        if (term != null && term.epoch == epoch) {
            drop(term, "a write was fenced: another node took the room");
        }
    }

    /** Renews every owned lease with compare-and-pexpire; a lease found not ours ends its term at once. */
    private void renewLeases() {
        for (OwnedRoom term : owned.values()) {
            if (term.room.isClosed()) {
                drop(term, "room unloaded");
                continue;
            }
            if (term.handingOff) {
                continue;
            }
            long sentAt = System.nanoTime();
            leases.renew(term.roomId).whenComplete((renewed, error) -> {
                if (error != null) {
                    LOG.debug("renewing the lease of room {} failed: {}", term.roomId, error.toString());
                } else if (renewed) {
                    term.extend(sentAt + validNanos);
                } else {
                    drop(term, "lease lost");
                }
            });
        }
    }

    /** Ends every term whose lease may have expired by the local clock, and terms whose room unloaded. */
    private void expireTerms() {
        long now = System.nanoTime();
        for (OwnedRoom term : owned.values()) {
            if (!term.valid(now)) {
                drop(term, "lease not renewed in time");
            } else if (term.room.isClosed()) {
                drop(term, "room unloaded");
            }
        }
        retired.values().removeIf(Room::isClosed);
    }

    /** Closes relayed sessions whose room's lease no longer names the owner they relay to. */
    private void checkOwners() {
        for (Map.Entry<String, List<EntrySession>> room :
                relay.relayedOutByRoom().entrySet()) {
            leases.holder(room.getKey()).whenComplete((holder, error) -> {
                if (error != null) {
                    // Redis unreachable: the disconnect listener closes the relays
                    return;
                }
                for (EntrySession e : room.getValue()) {
                    if (!Objects.equals(holder, e.owner())) {
                        // the room moved (or its owner died): the client reconnects at once and finds the owner
                        LOG.info(
                                "relayed session in room {} closed: owner changed from {} to {}",
                                e.roomId,
                                e.owner(),
                                holder);
                        e.moved(Handoff.MOVED_CODE, Handoff.MOVED_REASON);
                    }
                }
            });
        }
    }

    private boolean isRedisConnected() {
        return redis.isConnected();
    }

    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
