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
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.RedisPubSubAdapter;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link RedisCluster}: leases in Redis keys {@code <prefix>:lease:<roomId>} (value: the owner's node id),
 * relay on channels {@code <prefix>:node:<nodeId>}, one command connection (leases and publishes, so a node's
 * publishes keep their order) and one subscriber connection.
 *
 * <p>Invariants: a room is run here only inside an {@link OwnedRoom} term, whose lease this node acquired and
 * whose epoch it claimed in the store before the room was created; a term is dropped, and its room closed, as
 * soon as its lease is lost, its local validity passes or a commit is fenced, and never comes back.
 */
public final class ClusterNode implements RedisCluster {
    private static final Logger LOG = LoggerFactory.getLogger(ClusterNode.class);

    /** Takes the lease if free, or keeps it if already ours; returns the holder. */
    private static final String ACQUIRE = "local v = redis.call('get', KEYS[1])\n"
            + "if v == ARGV[1] then redis.call('pexpire', KEYS[1], ARGV[2]) return v end\n"
            + "if v then return v end\n"
            + "redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"
            + "return ARGV[1]";
    /** Compare-and-pexpire: 1 if still ours and renewed. */
    private static final String RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then\n"
            + " return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
    /** Compare-and-delete. */
    private static final String RELEASE =
            "if redis.call('get', KEYS[1]) == ARGV[1] then\n" + " return redis.call('del', KEYS[1]) else return 0 end";

    private final ClusterOptions options;
    private final RoomOptions baseOptions;
    private final RoomStore sharedStore;
    private final RoomFence fence;
    private final RedisClient client;
    private final ClientResources resources;
    private final StatefulRedisConnection<String, String> connection;
    private final RedisAsyncCommands<String, String> redis;
    private final StatefulRedisPubSubConnection<String, String> subscriber;
    private final ScheduledExecutorService timer;
    private final RoomManager rooms;
    private final long ttlNanos;
    private final long validNanos;

    private final ConcurrentHashMap<String, OwnedRoom> owned = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, FencedRoomStore> creating = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, CompletableFuture<Route>> acquiring = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, Room> retired = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, EntrySession> relayedOut = new ConcurrentHashMap<>();
    private final ConcurrentHashMap<String, RelayedSocket> relayedIn = new ConcurrentHashMap<>();
    private final Set<Object> connected = ConcurrentHashMap.newKeySet();
    private final AtomicInteger localSessions = new AtomicInteger();
    private final LongAdder messagesIn = new LongAdder();
    private final LongAdder messagesOut = new LongAdder();
    private final LongAdder bytesIn = new LongAdder();
    private final LongAdder bytesOut = new LongAdder();
    private volatile boolean closed;

    /** Where a session goes: the local room, or the owner node's channel. */
    private sealed interface Route permits Local, Remote {}

    private record Local(OwnedRoom term) implements Route {}

    private record Remote(String ownerNode) implements Route {}

    private ClusterNode(ClusterOptions options, RoomOptions roomOptions, RoomFence fence) {
        this.options = options;
        this.baseOptions = roomOptions;
        this.sharedStore = Objects.requireNonNull(roomOptions.store(), "store");
        this.fence = fence;
        this.ttlNanos = options.leaseTtl().toNanos();
        this.validNanos = ttlNanos - options.safetyMargin().toNanos();
        this.resources = ClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(
                        Delay.exponential(Duration.ofMillis(50), Duration.ofMillis(1000), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, RedisURI.create(options.redisUri()));
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(100_000)
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(Duration.ofSeconds(1))
                        .build())
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(2)))
                .build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> c, SocketAddress address) {
                connected.add(c);
                if (isRedisConnected()) {
                    LOG.info("node {}: connected to Redis", options.nodeId());
                }
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> c) {
                boolean was = isRedisConnected();
                connected.remove(c);
                if (was && !closed) {
                    LOG.warn(
                            "node {}: lost Redis; closing relayed sessions, owned rooms serve while leases last",
                            options.nodeId());
                    breakRelays("Redis connection lost");
                }
            }
        });
        this.timer = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tandem-cluster-" + options.nodeId());
            t.setDaemon(true);
            return t;
        });
        try {
            this.connection = client.connect();
            this.redis = connection.async();
            this.subscriber = client.connectPubSub();
        } catch (RuntimeException e) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            resources.shutdown();
            timer.shutdownNow();
            throw new IllegalStateException(
                    "cannot connect to Redis at " + options.redisUri() + ": " + e.getMessage(), e);
        }
        connected.add(connection);
        connected.add(subscriber);
        this.rooms = RoomManager.create(this::optionsFor);
        subscriber.addListener(new RedisPubSubAdapter<>() {
            @Override
            public void message(String channel, String message) {
                onRelayMessage(message);
            }
        });
        subscriber.sync().subscribe(channel(options.nodeId()));
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
        EntrySession entry = new EntrySession(this, UUID.randomUUID().toString(), roomId, socket, sessionOptions);
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
    public Stats stats() {
        return new Stats(
                owned.size(),
                localSessions.get(),
                relayedOut.size(),
                relayedIn.size(),
                messagesIn.sum(),
                messagesOut.sum(),
                bytesIn.sum(),
                bytesOut.sum(),
                isRedisConnected());
    }

    @Override
    public void close() {
        if (closed) {
            return;
        }
        closed = true;
        timer.shutdownNow();
        List<CompletableFuture<?>> releases = new ArrayList<>();
        for (OwnedRoom term : List.copyOf(owned.values())) {
            owned.remove(term.roomId, term);
            term.room.close();
            term.store.retire();
            term.room.sessions().whenComplete((sessions, e) -> term.store.abandon());
            releases.add(release(term.roomId));
        }
        breakRelays("node shutting down");
        try {
            CompletableFuture.allOf(releases.toArray(CompletableFuture[]::new)).get(2, TimeUnit.SECONDS);
        } catch (Exception e) {
            LOG.info("node {}: not every lease released on shutdown: {}", nodeId(), e.toString());
        }
        try {
            subscriber.close();
            connection.close();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
        LOG.info("Cluster node {} stopped", nodeId());
    }

    // ---- ownership ------------------------------------------------------------------------------------

    private CompletableFuture<Route> route(String roomId) {
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
        CompletableFuture<String> holder;
        try {
            holder = redis.<String>eval(
                            ACQUIRE,
                            ScriptOutputType.VALUE,
                            new String[] {leaseKey(roomId)},
                            nodeId(),
                            Long.toString(options.leaseTtl().toMillis()))
                    .toCompletableFuture();
        } catch (RuntimeException e) {
            holder = CompletableFuture.failedFuture(e);
        }
        return holder.thenCompose(h -> {
            if (h == null) {
                return CompletableFuture.failedFuture(
                        new IllegalStateException("lease of room " + roomId + " unreadable"));
            }
            if (!h.equals(nodeId())) {
                return CompletableFuture.completedFuture(new Remote(h));
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
        if (!unloaded) {
            LOG.warn("node {} stops serving room {} (epoch {}): {}", nodeId(), term.roomId, term.epoch, why);
        } else {
            LOG.info("node {} released room {} (epoch {}): {}", nodeId(), term.roomId, term.epoch, why);
        }
        retired.put(term.roomId, term.room);
        term.room.close();
        // the room's lane runs in order: once this completes, the close ran and no session is left
        term.room.sessions().whenComplete((s, e) -> term.store.abandon());
        release(term.roomId);
    }

    private void onFenced(String roomId, long epoch) {
        OwnedRoom term = owned.get(roomId);
        if (term != null && term.epoch == epoch) {
            drop(term, "a commit was fenced: another node took the room");
        }
    }

    private CompletableFuture<Long> release(String roomId) {
        try {
            return redis.<Long>eval(RELEASE, ScriptOutputType.INTEGER, new String[] {leaseKey(roomId)}, nodeId())
                    .toCompletableFuture()
                    .exceptionally(e -> 0L);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(0L);
        }
    }

    /** Renews every owned lease with compare-and-pexpire; a lease found not ours ends its term at once. */
    private void renewLeases() {
        for (OwnedRoom term : owned.values()) {
            if (term.room.isClosed()) {
                drop(term, "room unloaded");
                continue;
            }
            long sentAt = System.nanoTime();
            try {
                redis.<Long>eval(
                                RENEW,
                                ScriptOutputType.INTEGER,
                                new String[] {leaseKey(term.roomId)},
                                nodeId(),
                                Long.toString(options.leaseTtl().toMillis()))
                        .whenComplete((renewed, error) -> {
                            if (error != null) {
                                LOG.debug("renewing the lease of room {} failed: {}", term.roomId, error.toString());
                            } else if (renewed != null && renewed == 1L) {
                                term.extend(sentAt + validNanos);
                            } else {
                                drop(term, "lease lost");
                            }
                        });
            } catch (RuntimeException e) {
                LOG.debug("renewing the lease of room {} failed: {}", term.roomId, e.toString());
            }
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
        Map<String, List<EntrySession>> byRoom = new HashMap<>();
        for (EntrySession e : relayedOut.values()) {
            byRoom.computeIfAbsent(e.roomId, k -> new ArrayList<>()).add(e);
        }
        for (Map.Entry<String, List<EntrySession>> room : byRoom.entrySet()) {
            try {
                redis.get(leaseKey(room.getKey())).whenComplete((holder, error) -> {
                    if (error != null) {
                        return;
                    }
                    for (EntrySession e : room.getValue()) {
                        if (!Objects.equals(holder, e.owner())) {
                            e.fail("room owner changed from " + e.owner() + " to " + holder);
                        }
                    }
                });
            } catch (RuntimeException ignored) {
                // Redis unreachable: the disconnect listener closes the relays
            }
        }
    }

    // ---- relay --------------------------------------------------------------------------------------

    private void onRelayMessage(String message) {
        messagesIn.increment();
        bytesIn.add(message.length());
        RelayMessage m = RelayMessage.parse(message);
        if (m == null) {
            LOG.warn("node {}: malformed relay message ignored", nodeId());
            return;
        }
        switch (m.type()) {
            case 'O' -> onRelayOpen(m);
            case 'F' -> {
                RelayedSocket s = relayedIn.get(m.cid());
                if (s != null) {
                    s.onText(m.body());
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
            default -> LOG.warn("node {}: unknown relay message type {}", nodeId(), m.type());
        }
    }

    private void onRelayOpen(RelayMessage m) {
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
            LOG.warn("node {}: malformed relay open ignored", nodeId(), e);
            return;
        }
        RelayedSocket socket = new RelayedSocket(this, m.cid(), entryNode, roomId);
        // registered at once so the client's frames that follow are kept while the room is being taken
        relayedIn.put(m.cid(), socket);
        if (closed) {
            refuseRelayed(socket, "node is shutting down");
            return;
        }
        // the entry node saw this node's lease; this node may still be taking the room (claim, load)
        route(roomId).whenComplete((route, error) -> {
            if (error != null || !(route instanceof Local local)) {
                refuseRelayed(socket, error != null ? rootMessage(error) : "the room moved to another node");
                return;
            }
            if (!socket.isWaiting()) {
                relayedIn.remove(socket.cid, socket);
                return;
            }
            publish(entryNode, RelayMessage.accepted(m.cid()));
            try {
                socket.attach(local.term().room.connect(socket, sessionOptions));
            } catch (RuntimeException e) {
                LOG.warn("room {} refused relayed session {}", roomId, f[2], e);
                socket.close();
            }
        });
    }

    private void refuseRelayed(RelayedSocket socket, String why) {
        LOG.info("relayed session {} of room {} refused: {}", socket.cid, socket.roomId, why);
        relayedIn.remove(socket.cid, socket);
        publish(socket.entryNode, RelayMessage.ownerClosed(socket.cid, RelayMessage.NORMAL_CLOSE, ""));
    }

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
                    timer.execute(socket::onClose);
                }
            }
        });
    }

    /** The room closed a relayed session: tell the entry node, then report the close to the room. */
    void relayedClosed(RelayedSocket socket, int code, String reason) {
        publish(socket.entryNode, RelayMessage.ownerClosed(socket.cid, code, reason));
        if (relayedIn.remove(socket.cid, socket)) {
            executeQuietly(socket::onClose);
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
    private void breakRelays(String why) {
        for (EntrySession e : List.copyOf(relayedOut.values())) {
            e.fail(why);
        }
        for (RelayedSocket s : List.copyOf(relayedIn.values())) {
            if (relayedIn.remove(s.cid, s)) {
                executeQuietly(s::onClose);
            }
        }
    }

    void relayOpened(EntrySession e) {
        relayedOut.put(e.cid, e);
    }

    void relayClosed(EntrySession e) {
        relayedOut.remove(e.cid, e);
    }

    void localSessionOpened() {
        localSessions.incrementAndGet();
    }

    void localSessionClosed() {
        localSessions.decrementAndGet();
    }

    Duration relayOpenTimeout() {
        return options.relayOpenTimeout();
    }

    @Nullable
    ScheduledFuture<?> schedule(Duration delay, Runnable task) {
        try {
            return timer.schedule(task, delay.toNanos(), TimeUnit.NANOSECONDS);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            return null;
        }
    }

    private void executeQuietly(Runnable task) {
        try {
            timer.execute(task);
        } catch (java.util.concurrent.RejectedExecutionException e) {
            task.run();
        }
    }

    private boolean isRedisConnected() {
        return connected.size() >= 2;
    }

    private String leaseKey(String roomId) {
        return options.keyPrefix() + ":lease:" + roomId;
    }

    private String channel(String node) {
        return options.keyPrefix() + ":node:" + node;
    }

    private static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        return root.getMessage() == null ? root.getClass().getSimpleName() : root.getMessage();
    }
}
