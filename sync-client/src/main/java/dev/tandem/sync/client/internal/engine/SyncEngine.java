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
import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.Scheduler;
import dev.tandem.sync.core.internal.protocol.Chunker;
import dev.tandem.sync.core.internal.protocol.ClientMessage;
import dev.tandem.sync.core.internal.protocol.ProtocolCodec;
import dev.tandem.sync.core.internal.protocol.ProtocolException;
import dev.tandem.sync.core.internal.protocol.ServerMessage;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The live client: the connection loop of tldraw's {@code TLSyncClient} ({@code reference/tldraw-sync-protocol.md}
 * §5) over a {@link ClientTransport}, with pings, pushes paced to the push rate, and reconnects (§7). The document
 * itself, its speculative changes and the rebase are the {@link ClientDocument}'s.
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
    private final StoreView store;
    private final ClientEvents events;

    // ---- the document (guarded by this) ----
    private final ClientDocument document;
    private @Nullable String latestConnectRequestId;

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
        this.document = new ClientDocument(config.presenceType(), config.sessionId(), config.presence());
        this.store = new StoreView(this, config.presenceType());
        this.events = new ClientEvents(config, lane, this, this::statusUnderLock);
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
        return document.readOnly();
    }

    @Override
    public synchronized long lastServerClock() {
        return document.lastServerClock();
    }

    @Override
    public synchronized boolean hasUnconfirmedChanges() {
        return document.hasUnconfirmedChanges();
    }

    @Override
    public synchronized void presenceChanged() {
        document.markPresenceDirty();
        if (document.connectedToRoom()) {
            requestFlush();
        }
    }

    @Override
    public Subscription addListener(SyncListener listener) {
        return events.addListener(listener);
    }

    @Override
    public Flow.Publisher<SyncStatus> statusPublisher() {
        return events.statusPublisher();
    }

    @Override
    public Flow.Publisher<StoreChange> changes() {
        return events.changes();
    }

    @Override
    public Flow.Publisher<StoreChange> changes(int bufferSize) {
        return events.changesPublisher(bufferSize);
    }

    Subscription addStoreListener(StoreListener listener) {
        return events.addStoreListener(listener);
    }

    /** Returns the status; the caller holds the lock. */
    private SyncStatus statusUnderLock() {
        return status;
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
        events.completeAll();
        if (ownedExecutor != null) {
            lane.execute(ownedExecutor::shutdown);
        }
    }

    // ------------------------------------------------------------------------------------------------
    // Local changes (any thread)

    /** Applies a local change; {@code change} writes through the table. */
    synchronized void changeLocally(Consumer<RecordTable> change) {
        document.changeLocally(change, d -> {
            if (document.connectedToRoom()) {
                requestFlush();
            }
            events.emit(d.toStoreChange(ChangeSource.LOCAL));
        });
    }

    synchronized <T> T read(java.util.function.Function<RecordTable, T> reader) {
        return document.read(reader);
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
        if (!document.connectedToRoom() || connection == null || closed) {
            return;
        }
        ClientMessage.Push push = document.nextPush();
        if (push == null) {
            return;
        }
        lastPushAt = scheduler.nanoTime();
        send(push);
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
            events.deliver(l -> l.onCustomMessage(data));
        } else if (message instanceof ServerMessage.IncompatibilityError e) {
            LOG.warn("Server reported incompatibility: {}", e.reason());
        }
    }

    private void receiveData(List<ServerMessage.DataMessage> data) {
        if (document.receive(data)) {
            lane.execute(this::rebase); // runs after frames already queued, so they rebase together
        }
    }

    private synchronized void rebase() {
        ClientDocument.Rebased rebased = document.rebase();
        events.emit(rebased.change());
        if (rebased.mismatch() != null) {
            LOG.warn("Resetting the connection: {}", rebased.mismatch());
            restartConnection();
        }
    }

    private void handleConnect(ServerMessage.Connect c) {
        if (!c.connectRequestId().equals(latestConnectRequestId)) {
            return; // a reply to an older attempt
        }
        StoreChange hydrated = document.connect(c);
        if (hydrated == null) {
            LOG.warn("Unexpected connect reply while connected; resetting");
            restartConnection();
            return;
        }
        backoff.reset();
        cancel(connectTimer);
        connectTimer = null;
        events.emit(hydrated);
        boolean ro = document.readOnly();
        events.deliver(l -> l.onConnected(ro));
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

    /** Drops everything tied to the connection; speculative changes stay. */
    private void resetConnection() {
        events.emit(document.disconnect());
        firstUnansweredPingAt = -1;
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
        send(new ClientMessage.Connect(
                id, document.lastServerClock(), ProtocolCodec.PROTOCOL_VERSION, config.schema()));
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
        if (gen != generation || closed || document.connectedToRoom()) {
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
        if (gen != generation || !document.connectedToRoom() || closed) {
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
        if (document.presenceDirty()) {
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
        events.deliver(l -> l.onStatusChange(next));
    }

    @Override
    public String toString() {
        return "SyncClient[" + config.sessionId() + " " + config.uri() + "]";
    }
}
