package dev.tandem.sync.client.internal.engine;

import dev.tandem.sync.client.ChangeSource;
import dev.tandem.sync.client.ClientTransport;
import dev.tandem.sync.client.Store;
import dev.tandem.sync.client.StoreChange;
import dev.tandem.sync.client.StoreListener;
import dev.tandem.sync.client.Subscription;
import dev.tandem.sync.client.SyncClient;
import dev.tandem.sync.client.SyncListener;
import dev.tandem.sync.client.SyncStatus;
import dev.tandem.sync.client.internal.flow.ListenerPublisher;
import dev.tandem.sync.client.internal.flow.SubscriberRegistry;
import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.Scheduler;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.protocol.Chunker;
import dev.tandem.sync.core.internal.protocol.ClientMessage;
import dev.tandem.sync.core.internal.protocol.ProtocolCodec;
import dev.tandem.sync.core.internal.protocol.ProtocolException;
import dev.tandem.sync.core.internal.protocol.ServerMessage;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live client: tldraw's {@code TLSyncClient} algorithm ({@code reference/tldraw-sync-protocol.md} §5)
 * over a {@link ClientTransport}, with reconnects (§7).
 *
 * <p>State invariant: the record table equals the last known server state with {@link #speculative} applied
 * on top; {@link #speculative} equals the pending pushes' diffs followed by {@link #unsent}, re-applied on
 * that server state (plus, while offline, every change made since the connection was lost).
 *
 * <p>Threading: every field is guarded by {@code this}. Transport events, timers and the rebase run on the
 * client's lane ({@link SerialExecutor}), which also delivers every listener call, outside the lock. Local
 * changes run on the caller's thread under the lock and hand their events to the lane. The publishers'
 * listeners only buffer on the lane; their subscribers are called on the publisher executor.
 */
public final class SyncEngine implements SyncClient {
    private static final Logger LOG = LoggerFactory.getLogger(SyncEngine.class);
    private static final AtomicInteger THREAD_IDS = new AtomicInteger();

    private final ClientConfig config;
    private final Scheduler scheduler;
    private final SerialExecutor lane;
    private final @Nullable ExecutorService ownedExecutor;
    private final Backoff backoff;
    private final long pushIntervalNanos;
    private final long tickNanos;
    private final CopyOnWriteArrayList<SyncListener> listeners = new CopyOnWriteArrayList<>();
    private final CopyOnWriteArrayList<StoreListener> storeListeners = new CopyOnWriteArrayList<>();
    private final StoreView store;
    private final SubscriberRegistry subscribers = new SubscriberRegistry();
    private final ListenerPublisher<SyncStatus> statusPublisher;
    private final ListenerPublisher<StoreChange> changes;

    // ---- document state (guarded by this) ----
    private final RecordTable table = new RecordTable();
    private RecordsDiff speculative = RecordsDiff.EMPTY;
    private RecordsDiff unsent = RecordsDiff.EMPTY;
    private final ArrayDeque<PendingPush> pending = new ArrayDeque<>();
    private final List<ServerMessage.DataMessage> incoming = new ArrayList<>();
    private boolean rebaseQueued;
    private long lastServerClock = -1;
    private long clientClock;
    private boolean connectedToRoom;
    private boolean readOnly;
    private @Nullable String latestConnectRequestId;
    private @Nullable FrozenMap lastPushedPresence;
    private boolean presenceDirty;

    // ---- connection state (guarded by this) ----
    private int generation;
    private ClientTransport.@Nullable Connection connection;
    private SyncStatus status = SyncStatus.OFFLINE;
    private boolean closed;
    private long lastServerInteraction;
    private long firstUnansweredPingAt = -1;
    private long lastPingAt;
    private long lastPushAt = Long.MIN_VALUE / 2;
    private boolean flushScheduled;
    private Scheduler.@Nullable Cancellable flushTimer;
    private Scheduler.@Nullable Cancellable reconnectTimer;
    private Scheduler.@Nullable Cancellable connectTimer;
    private Scheduler.@Nullable Cancellable tickTimer;

    /** A push sent and not yet answered. */
    private record PendingPush(long clientClock, @Nullable NetworkDiff diff) {}

    /** A push_result that does not answer the oldest pending push: the connection is out of step. */
    private static final class PushResultMismatch extends Exception {
        PushResultMismatch(String message) {
            super(message, null, false, false);
        }
    }

    /** Creates the client and starts connecting. */
    public static SyncEngine start(ClientConfig config) {
        SyncEngine engine = new SyncEngine(config);
        synchronized (engine) {
            engine.openConnection();
        }
        return engine;
    }

    private SyncEngine(ClientConfig config) {
        this.config = config;
        this.scheduler = config.scheduler();
        if (config.executor() == null) {
            int id = THREAD_IDS.incrementAndGet();
            this.ownedExecutor = Executors.newSingleThreadExecutor(r -> {
                Thread t = new Thread(r, "tandem-client-" + id);
                t.setDaemon(true);
                return t;
            });
            this.lane = new SerialExecutor(ownedExecutor);
        } else {
            this.ownedExecutor = null;
            this.lane = new SerialExecutor(config.executor());
        }
        this.backoff = new Backoff(config.backoffMin(), config.backoffMax(), config.backoffJitter(), config.random());
        this.pushIntervalNanos = 1_000_000_000L / config.pushRatePerSecond();
        this.tickNanos =
                Math.min(config.pingInterval().toNanos(), Duration.ofSeconds(1).toNanos());
        this.listeners.addAll(config.listeners());
        this.storeListeners.addAll(config.storeListeners());
        this.store = new StoreView(this, config.presenceType());
        this.statusPublisher = ListenerPublisher.conflating(
                "the status of " + config.sessionId(), subscribers, config.publisherExecutor(), this::attachStatus);
        this.changes = changesPublisher(DEFAULT_CHANGES_BUFFER);
    }

    // ------------------------------------------------------------------------------------------------
    // Public API

    @Override
    public Store store() {
        return store;
    }

    @Override
    public synchronized SyncStatus status() {
        return status;
    }

    @Override
    public String sessionId() {
        return config.sessionId();
    }

    @Override
    public URI uri() {
        return config.uri();
    }

    @Override
    public synchronized boolean isReadOnly() {
        return readOnly;
    }

    @Override
    public synchronized long lastServerClock() {
        return lastServerClock;
    }

    @Override
    public synchronized boolean hasUnconfirmedChanges() {
        return !speculative.isEmpty() || !pending.isEmpty();
    }

    @Override
    public synchronized void presenceChanged() {
        presenceDirty = true;
        if (connectedToRoom) {
            requestFlush();
        }
    }

    @Override
    public Subscription addListener(SyncListener listener) {
        Objects.requireNonNull(listener, "listener");
        listeners.add(listener);
        return () -> listeners.remove(listener);
    }

    @Override
    public Flow.Publisher<SyncStatus> statusPublisher() {
        return statusPublisher;
    }

    @Override
    public Flow.Publisher<StoreChange> changes() {
        return changes;
    }

    @Override
    public Flow.Publisher<StoreChange> changes(int bufferSize) {
        return changesPublisher(bufferSize);
    }

    private ListenerPublisher<StoreChange> changesPublisher(int bufferSize) {
        return ListenerPublisher.buffering(
                "the store changes of " + config.sessionId(),
                bufferSize,
                subscribers,
                config.publisherExecutor(),
                sink -> addStoreListener(sink::accept));
    }

    /**
     * Attaches a status listener that first receives the current status, then every later one, exactly once
     * each: the listener is added on the lane, by a task queued under the lock, so deliveries queued earlier
     * (of older statuses) miss it and those queued later reach it after the current status.
     */
    private Subscription attachStatus(Consumer<SyncStatus> sink) {
        StatusAttachment attachment = new StatusAttachment(sink);
        synchronized (this) {
            SyncStatus now = status;
            lane.execute(() -> {
                if (attachment.register()) {
                    sink.accept(now);
                }
            });
        }
        return attachment;
    }

    /** A status listener of a publisher's subscriber, added on the lane and removable from any thread. */
    private final class StatusAttachment implements SyncListener, Subscription {
        private final Consumer<SyncStatus> sink;
        private boolean cancelled; // guarded by this

        StatusAttachment(Consumer<SyncStatus> sink) {
            this.sink = sink;
        }

        synchronized boolean register() {
            if (cancelled) {
                return false;
            }
            listeners.add(this);
            return true;
        }

        @Override
        public synchronized void cancel() {
            cancelled = true;
            listeners.remove(this);
        }

        @Override
        public void onStatusChange(SyncStatus next) {
            sink.accept(next);
        }
    }

    Subscription addStoreListener(StoreListener listener) {
        Objects.requireNonNull(listener, "listener");
        storeListeners.add(listener);
        return () -> storeListeners.remove(listener);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
            cancelTimers();
            ClientTransport.Connection c = connection;
            connection = null;
            generation++;
            if (c != null) {
                c.close();
            }
            resetConnection();
            if (status.kind() != SyncStatus.Kind.ERROR) {
                setStatus(SyncStatus.OFFLINE);
            }
            LOG.info("Sync client {} closed", config.sessionId());
        }
        // after the final status and store changes, which are already queued on the lane
        lane.execute(subscribers::completeAll);
        if (ownedExecutor != null) {
            lane.execute(ownedExecutor::shutdown);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Local changes (any thread)

    /** Applies a local change; {@code change} writes through the table. */
    synchronized void changeLocally(Consumer<RecordTable> change) {
        RecordTable.Tracker t = table.track();
        try {
            change.accept(table);
        } finally {
            RecordsDiff d = t.finish();
            if (!d.isEmpty()) {
                speculative = speculative.then(d);
                if (connectedToRoom) {
                    unsent = unsent.then(d);
                    requestFlush();
                }
                emit(d.toStoreChange(ChangeSource.LOCAL));
            }
        }
    }

    synchronized <T> T read(java.util.function.Function<RecordTable, T> reader) {
        return reader.apply(table);
    }

    // ------------------------------------------------------------------------------------------------
    // Pushing

    /** Schedules a flush no sooner than one push interval after the previous push. */
    private void requestFlush() {
        if (flushScheduled || closed) {
            return;
        }
        flushScheduled = true;
        long delay = lastPushAt + pushIntervalNanos - scheduler.nanoTime();
        if (delay <= 0) {
            lane.execute(this::flush);
        } else {
            flushTimer = scheduler.schedule(Duration.ofNanos(delay), () -> lane.execute(this::flush));
        }
    }

    private synchronized void flush() {
        flushScheduled = false;
        flushTimer = null;
        pushNow();
    }

    /** Sends the unsent changes and changed presence as one push, if connected and there is any. */
    private void pushNow() {
        if (!connectedToRoom || connection == null || closed) {
            return;
        }
        NetworkDiff diff = unsent.toNetworkDiff();
        unsent = RecordsDiff.EMPTY;
        RecordOp presenceOp = presenceOp();
        if (diff == null && presenceOp == null) {
            return;
        }
        long clock = clientClock++;
        pending.add(new PendingPush(clock, diff));
        lastPushAt = scheduler.nanoTime();
        send(new ClientMessage.Push(clock, diff, presenceOp));
    }

    /** Returns the presence op to push: a put the first time per connection, then patches. */
    private @Nullable RecordOp presenceOp() {
        var supplier = config.presence();
        presenceDirty = false;
        if (supplier == null) {
            return null;
        }
        Map<String, ?> raw;
        try {
            raw = supplier.get();
        } catch (RuntimeException e) {
            LOG.warn("presence supplier failed", e);
            return null;
        }
        if (raw == null) {
            return null;
        }
        FrozenMap next = presenceRecord(raw);
        FrozenMap last = lastPushedPresence;
        lastPushedPresence = next;
        if (last == null) {
            return new RecordOp.Put(RecordsDiff.asRecord(next));
        }
        ObjectDiff d = ObjectDiff.diffRecord(RecordsDiff.asRecord(last), RecordsDiff.asRecord(next));
        return d == null ? null : new RecordOp.Patch(d);
    }

    private FrozenMap presenceRecord(Map<String, ?> raw) {
        if (raw.get("id") instanceof String && raw.get("typeName") instanceof String) {
            return Frozen.freezeMap(raw);
        }
        java.util.LinkedHashMap<String, Object> r = new java.util.LinkedHashMap<>(raw);
        r.putIfAbsent("id", config.presenceType() + ":" + config.sessionId());
        r.putIfAbsent("typeName", config.presenceType());
        return Frozen.freezeMap(r);
    }

    private void send(ClientMessage message) {
        ClientTransport.Connection c = connection;
        if (c == null) {
            return;
        }
        for (String frame : Chunker.chunk(ProtocolCodec.encode(message))) {
            if (!c.sendText(frame)) {
                LOG.debug("frame not sent: connection closing");
                return;
            }
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Receiving (lane)

    private synchronized void onText(int gen, String text) {
        if (gen != generation || closed) {
            return;
        }
        lastServerInteraction = scheduler.nanoTime();
        ServerMessage message;
        try {
            message = ProtocolCodec.decodeServer(text);
        } catch (ProtocolException e) {
            LOG.warn("Malformed message from server, restarting the connection: {}", e.getMessage());
            restartConnection();
            return;
        }
        if (message instanceof ServerMessage.Connect c) {
            handleConnect(c);
        } else if (message instanceof ServerMessage.Data d) {
            receiveData(d.data());
        } else if (message instanceof ServerMessage.DataMessage m) {
            receiveData(List.of(m)); // legacy top-level patch or push_result
        } else if (message instanceof ServerMessage.Pong) {
            firstUnansweredPingAt = -1;
        } else if (message instanceof ServerMessage.Custom custom) {
            Object data = custom.data();
            deliver(l -> l.onCustomMessage(data));
        } else if (message instanceof ServerMessage.IncompatibilityError e) {
            LOG.warn("Server reported incompatibility: {}", e.reason());
        }
    }

    private void receiveData(List<ServerMessage.DataMessage> data) {
        if (!connectedToRoom) {
            return; // tldraw drops data that arrives before the connect reply
        }
        incoming.addAll(data);
        if (!rebaseQueued) {
            rebaseQueued = true;
            lane.execute(this::rebase); // runs after frames already queued, so they rebase together
        }
    }

    /**
     * Revert speculative changes, apply the server's changes in order, re-apply what is still pending or
     * unsent, and record that as the new speculative change.
     */
    private synchronized void rebase() {
        rebaseQueued = false;
        if (!connectedToRoom || incoming.isEmpty() || closed) {
            incoming.clear();
            return;
        }
        RecordTable.Tracker all = table.track();
        PushResultMismatch mismatch = null;
        table.revert(speculative);
        long clock = lastServerClock;
        try {
            for (ServerMessage.DataMessage m : incoming) {
                if (m instanceof ServerMessage.Patch p) {
                    table.apply(p.diff());
                    clock = p.serverClock();
                } else if (m instanceof ServerMessage.PushResult r) {
                    PendingPush head = pending.peekFirst();
                    if (head == null || head.clientClock() != r.clientClock()) {
                        throw new PushResultMismatch("push_result for clientClock " + r.clientClock()
                                + " but the oldest pending push is "
                                + (head == null ? "none" : String.valueOf(head.clientClock())));
                    }
                    if (r.action() instanceof ServerMessage.PushAction.Commit) {
                        if (head.diff() != null) {
                            table.apply(head.diff());
                        }
                    } else if (r.action() instanceof ServerMessage.PushAction.RebaseWithDiff rb) {
                        table.apply(rb.diff());
                    }
                    pending.removeFirst();
                    clock = r.serverClock();
                }
            }
        } catch (PushResultMismatch e) {
            mismatch = e;
        }
        incoming.clear();
        RecordTable.Tracker spec = table.track();
        for (PendingPush p : pending) {
            if (p.diff() != null) {
                table.apply(p.diff());
            }
        }
        NetworkDiff unsentDiff = unsent.toNetworkDiff();
        if (unsentDiff != null) {
            table.apply(unsentDiff);
        }
        speculative = spec.finish();
        lastServerClock = clock;
        emit(all.finish().toStoreChange(ChangeSource.REMOTE));
        if (mismatch != null) {
            LOG.warn("Resetting the connection: {}", mismatch.getMessage());
            restartConnection();
        }
    }

    private void handleConnect(ServerMessage.Connect c) {
        if (!c.connectRequestId().equals(latestConnectRequestId)) {
            return; // a reply to an older attempt
        }
        if (connectedToRoom || !pending.isEmpty()) {
            LOG.warn("Unexpected connect reply while connected; resetting");
            lastServerClock = 0; // as tldraw: rehydrate from the start of history
            restartConnection();
            return;
        }
        RecordTable.Tracker all = table.track();
        RecordsDiff stash = speculative;
        speculative = RecordsDiff.EMPTY;
        boolean wipeAll = c.hydrationType() == ServerMessage.HydrationType.WIPE_ALL;
        if (!wipeAll) {
            table.revert(stash);
        }
        List<String> removals = new ArrayList<>();
        for (FrozenMap r : table.values()) {
            if (wipeAll || isPresence(r)) {
                removals.add((String) r.get("id"));
            }
        }
        for (String id : removals) {
            table.set(id, null);
        }
        table.apply(c.diff());
        connectedToRoom = true;
        readOnly = c.isReadonly();
        RecordTable.Tracker spec = table.track();
        NetworkDiff stashDiff = stash.toNetworkDiff();
        if (stashDiff != null) {
            table.apply(stashDiff);
        }
        speculative = spec.finish();
        unsent = speculative; // offline changes the server lacks go out as one push
        lastServerClock = c.serverClock();
        lastPushedPresence = null;
        backoff.reset();
        cancel(connectTimer);
        connectTimer = null;
        emit(all.finish().toStoreChange(ChangeSource.REMOTE));
        boolean ro = readOnly;
        deliver(l -> l.onConnected(ro));
        setStatus(SyncStatus.ONLINE);
        LOG.debug(
                "Connected to {} ({}, clock {})",
                config.uri(),
                c.hydrationType().wireName(),
                c.serverClock());
        pushNow();
        lastPingAt = scheduler.nanoTime();
        scheduleTick(generation);
    }

    private boolean isPresence(Map<String, ?> record) {
        return config.presenceType().equals(RecordTable.typeOf(record));
    }

    /** Drops everything tied to the connection; speculative changes stay. */
    private void resetConnection() {
        RecordTable.Tracker t = table.track();
        List<String> presence = new ArrayList<>();
        for (FrozenMap r : table.ofType(config.presenceType())) {
            presence.add((String) r.get("id"));
        }
        for (String id : presence) {
            table.set(id, null);
        }
        emit(t.finish().toStoreChange(ChangeSource.REMOTE));
        lastPushedPresence = null;
        connectedToRoom = false;
        firstUnansweredPingAt = -1;
        pending.clear();
        incoming.clear();
        unsent = RecordsDiff.EMPTY;
        cancel(tickTimer);
        tickTimer = null;
        cancel(flushTimer);
        flushTimer = null;
        flushScheduled = false;
    }

    // ------------------------------------------------------------------------------------------------
    // Connection lifecycle (lane)

    private void openConnection() {
        if (closed || status.kind() == SyncStatus.Kind.ERROR) {
            return;
        }
        int gen = ++generation;
        setStatus(SyncStatus.CONNECTING);
        connectTimer = scheduler.schedule(config.connectTimeout(), () -> lane.execute(() -> onConnectTimeout(gen)));
        connection = config.transport().connect(config.uri(), new ClientTransport.Listener() {
            @Override
            public void onOpen() {
                lane.execute(() -> SyncEngine.this.onOpen(gen));
            }

            @Override
            public void onText(String text) {
                lane.execute(() -> SyncEngine.this.onText(gen, text));
            }

            @Override
            public void onClosed(int code, String reason) {
                lane.execute(() -> SyncEngine.this.onClosed(gen, code, reason));
            }

            @Override
            public void onFailure(Throwable cause) {
                lane.execute(() -> SyncEngine.this.onFailure(gen, cause));
            }
        });
    }

    private synchronized void onOpen(int gen) {
        if (gen != generation || closed) {
            return;
        }
        String id = UUID.randomUUID().toString();
        latestConnectRequestId = id;
        lastServerInteraction = scheduler.nanoTime();
        send(new ClientMessage.Connect(id, lastServerClock, ProtocolCodec.PROTOCOL_VERSION, config.schema()));
    }

    private synchronized void onClosed(int gen, int code, String reason) {
        if (gen != generation || closed) {
            return;
        }
        connection = null;
        if (code == CloseReason.CLOSE_CODE) {
            String why = reason.isEmpty() ? CloseReason.UNKNOWN_ERROR.wireName() : reason;
            LOG.warn("Sync client {} rejected by the server: {}", config.sessionId(), why);
            resetConnection();
            cancelTimers();
            setStatus(SyncStatus.error(why));
            return;
        }
        LOG.debug("Connection closed ({} {}), reconnecting", code, reason);
        connectionLost();
    }

    private synchronized void onFailure(int gen, Throwable cause) {
        if (gen != generation || closed) {
            return;
        }
        connection = null;
        LOG.debug("Connection failed, reconnecting: {}", cause.toString());
        connectionLost();
    }

    private synchronized void onConnectTimeout(int gen) {
        if (gen != generation || closed || connectedToRoom) {
            return;
        }
        LOG.debug("No connect reply within {}, reconnecting", config.connectTimeout());
        restartConnection();
    }

    /** Closes the current connection (if any) and reconnects after a backoff delay. */
    private void restartConnection() {
        ClientTransport.Connection c = connection;
        connection = null;
        generation++;
        if (c != null) {
            c.close();
        }
        connectionLost();
    }

    private void connectionLost() {
        resetConnection();
        cancel(connectTimer);
        connectTimer = null;
        if (closed || status.kind() == SyncStatus.Kind.ERROR) {
            return;
        }
        setStatus(SyncStatus.OFFLINE);
        cancel(reconnectTimer);
        reconnectTimer = scheduler.schedule(backoff.next(), () -> lane.execute(this::reconnect));
    }

    private synchronized void reconnect() {
        reconnectTimer = null;
        if (connection == null) {
            openConnection();
        }
    }

    /** Pings while connected and detects a dead connection: silence and an unanswered ping. */
    private void scheduleTick(int gen) {
        cancel(tickTimer);
        tickTimer = scheduler.schedule(Duration.ofNanos(tickNanos), () -> lane.execute(() -> tick(gen)));
    }

    private synchronized void tick(int gen) {
        if (gen != generation || !connectedToRoom || closed) {
            return;
        }
        long now = scheduler.nanoTime();
        if (firstUnansweredPingAt >= 0
                && now - lastServerInteraction >= config.deadAfter().toNanos()) {
            LOG.info("No message from the server for {}, reconnecting", config.deadAfter());
            restartConnection();
            return;
        }
        if (now - lastPingAt >= config.pingInterval().toNanos()) {
            lastPingAt = now;
            if (firstUnansweredPingAt < 0) {
                firstUnansweredPingAt = now;
            }
            send(ClientMessage.Ping.INSTANCE);
        }
        if (presenceDirty) {
            requestFlush();
        }
        scheduleTick(gen);
    }

    private void cancelTimers() {
        for (Scheduler.Cancellable c :
                new Scheduler.Cancellable[] {flushTimer, reconnectTimer, connectTimer, tickTimer}) {
            cancel(c);
        }
        flushTimer = null;
        reconnectTimer = null;
        connectTimer = null;
        tickTimer = null;
        flushScheduled = false;
    }

    private static void cancel(Scheduler.@Nullable Cancellable c) {
        if (c != null) {
            c.cancel();
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Events

    private void setStatus(SyncStatus next) {
        if (status.equals(next)) {
            return;
        }
        status = next;
        deliver(l -> l.onStatusChange(next));
    }

    private void deliver(Consumer<SyncListener> call) {
        lane.execute(() -> {
            for (SyncListener l : listeners) {
                try {
                    call.accept(l);
                } catch (RuntimeException e) {
                    LOG.error("sync listener failed", e);
                }
            }
        });
    }

    private void emit(StoreChange change) {
        if (change.isEmpty()) {
            return;
        }
        lane.execute(() -> {
            for (StoreListener l : storeListeners) {
                try {
                    l.onChange(change);
                } catch (RuntimeException e) {
                    LOG.error("store listener failed", e);
                }
            }
        });
    }

    @Override
    public String toString() {
        return "SyncClient[" + config.sessionId() + " " + config.uri() + "]";
    }
}
