package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.Access;
import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.PullPage;
import dev.tandem.sync.core.PushEvent;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomEvents;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.RoomTransaction;
import dev.tandem.sync.core.Scheduler;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SessionSocket;
import dev.tandem.sync.core.SocketHandler;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.core.VersionInfo;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.protocol.ClientMessage;
import dev.tandem.sync.core.internal.protocol.ProtocolCodec;
import dev.tandem.sync.core.internal.protocol.ServerMessage;
import dev.tandem.sync.core.internal.protocol.ServerMessage.PushAction;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room: one document, its sessions and their presence, driven by protocol messages. A front over its parts —
 * {@link Sessions} (states and timers), {@link Handshake} (connect and schema), {@link PushApplier} (what a
 * push changes), {@link Outbox} (sending and batch windows), {@link RoomPersistence} (the store and the release
 * of held messages), {@link OfflineEvents} and {@link PullPages} (offline push and pull) — with the room's
 * lifecycle (load, unload, tombstone pruning) and its one commit path, {@link #commit}. Every field is confined
 * to the room's {@link SerialLane}; public methods only post work to it. After every lane task the sessions a
 * send failed for are dropped ({@link Sessions#dropFailed}).
 */
public final class SyncRoom implements Room {
    private static final Logger LOG = LoggerFactory.getLogger(SyncRoom.class);

    private final String roomId;
    private final RoomOptions options;
    private final RoomEvents events;
    private final SerialLane lane;
    private final RoomPersistence persistence;
    private final Runnable onUnload;
    private final SchemaState schema;
    private final RecordChecks checks;
    private final PushApplier applier;
    private final Handshake handshake;
    private final Outbox outbox;
    private final Sessions sessions;
    private final OfflineEvents offline;
    private final RoomDocument document;

    private @Nullable RuntimeException loadFailure;
    private Scheduler.@Nullable Cancellable unloadTimer;
    private volatile boolean closed;

    public SyncRoom(String roomId, RoomOptions options) {
        this(roomId, options, () -> {});
    }

    /**
     * Creates a room; with a store in the options it loads from the store first (connections made meanwhile
     * wait). {@code onUnload} runs on the lane when the room unloaded itself after its last session left.
     */
    public SyncRoom(String roomId, RoomOptions options, Runnable onUnload) {
        this.roomId = Objects.requireNonNull(roomId, "roomId");
        this.options = Objects.requireNonNull(options, "options");
        this.onUnload = Objects.requireNonNull(onUnload, "onUnload");
        this.events = options.events();
        this.lane = new SerialLane(options.executor(), options.store() != null, this::afterTask);
        this.schema = new SchemaState(options.schema());
        this.checks = new RecordChecks(schema, options.limits());
        this.applier = new PushApplier(roomId, schema, checks, options.limits(), options.idGenerator());
        this.handshake = new Handshake(roomId, schema);
        LinkedHashMap<String, RoomSession> table = new LinkedHashMap<>();
        this.outbox = new Outbox(
                roomId, options.batchInterval(), options.batchPushResults(), options.scheduler(), lane, table.values());
        this.persistence = new RoomPersistence(roomId, options, lane, outbox::deliver);
        this.document = new RoomDocument(roomId, events, options.scheduler(), lane, schema, checks, persistence);
        this.sessions =
                new Sessions(roomId, options, lane, table, outbox, document::removePresence, this::scheduleUnload);
        this.offline = new OfflineEvents(
                roomId, applier, (txn, change, results) -> document.commit(txn, change, null, results, null));
        if (options.store() == null) {
            RoomSnapshot initial = options.initialSnapshot();
            if (initial != null) {
                document.loaded(schema.migrateSnapshot(initial).doc());
            }
            persistence.loaded(document.doc().clock);
        } else {
            load(options.store(), 0);
        }
    }

    /** Loads the document from the store, retrying with backoff, then opens the lane. */
    private void load(RoomStore store, int attempt) {
        long started = options.scheduler().nanoTime();
        CompletableFuture<@Nullable RoomSnapshot> f;
        try {
            f = store.load(roomId);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((stored, error) -> {
            if (error != null) {
                long delayMs = Math.min(options.maxCommitRetryDelay().toMillis(), 50L << Math.min(16, attempt));
                if (attempt == 0 || attempt % 20 == 0) {
                    LOG.warn(
                            "room {}: loading failed (attempt {}), retrying: {}",
                            roomId,
                            attempt + 1,
                            error.toString());
                }
                options.scheduler().schedule(Duration.ofMillis(delayMs), () -> load(store, attempt + 1));
                return;
            }
            // the lane is held: this thread owns the room's state until release()
            try {
                RoomSnapshot initial = options.initialSnapshot();
                if (stored != null) {
                    SchemaState.Loaded loaded = schema.migrateSnapshot(stored);
                    document.loaded(loaded.doc());
                    persistence.loaded(loaded.doc().clock);
                    if (loaded.migrated()) {
                        // stored under an older schema: every record goes back in the room's form, so that the
                        // store never holds old records under the new schema
                        persistence.record(document.everything(), document::snapshot);
                    }
                } else if (initial != null) {
                    document.loaded(schema.migrateSnapshot(initial).doc());
                    persistence.record(document.everything(), document::snapshot);
                }
                DocumentState doc = document.doc();
                events.roomLoaded(
                        roomId,
                        doc.clock,
                        doc.docs.size(),
                        Duration.ofNanos(options.scheduler().nanoTime() - started));
                LOG.info("room {} loaded: {} records at clock {}", roomId, doc.docs.size(), doc.clock);
                // a room loaded for HTTP use alone unloads like one whose last session left
                scheduleUnload();
            } catch (RuntimeException e) {
                loadFailure = e;
                LOG.error("room {}: stored document cannot be loaded", roomId, e);
            }
            lane.release();
        });
    }

    SerialLane lane() {
        return lane;
    }

    /** Ties up every lane task's loose ends: sessions a send failed for are dropped. */
    private void afterTask() {
        sessions.dropFailed();
    }

    // ---------------------------------------------------------------- public API (posts to the lane)

    @Override
    public String id() {
        return roomId;
    }

    @Override
    public SocketHandler connect(SessionSocket socket, SessionOptions options) {
        Objects.requireNonNull(socket, "socket");
        Objects.requireNonNull(options, "options");
        Connection connection = new Connection(this, socket, options, this.options);
        lane.execute(() -> openSession(connection));
        return connection;
    }

    @Override
    public CompletableFuture<Long> update(Consumer<RoomTransaction> changes) {
        Objects.requireNonNull(changes, "changes");
        return onLane(() -> document.update(changes));
    }

    @Override
    public CompletableFuture<@Nullable Map<String, Object>> record(String id) {
        return onLane(() -> HostTransaction.asPublic(document.doc().get(id)));
    }

    @Override
    public CompletableFuture<RoomSnapshot> snapshot() {
        return onLane(document::snapshot);
    }

    @Override
    public CompletableFuture<Void> loadSnapshot(RoomSnapshot snapshot) {
        Objects.requireNonNull(snapshot, "snapshot");
        return onLane(() -> {
            document.replace(snapshot);
            return null;
        });
    }

    @Override
    public CompletableFuture<List<EventResult>> applyEvents(
            List<PushEvent> events, Principal principal, Access access) {
        List<PushEvent> batch = List.copyOf(events);
        Objects.requireNonNull(access, "access");
        RoomStore store = options.store();
        Objects.requireNonNull(principal, "principal");
        List<String> keys = new ArrayList<>(batch.size());
        for (PushEvent e : batch) {
            keys.add(EventKey.of(principal, e.id()));
        }
        CompletableFuture<Map<String, EventResult>> stored =
                store == null ? CompletableFuture.completedFuture(Map.of()) : store.loadEventResults(roomId, keys);
        return stored.thenCompose(known -> onLane(() -> {
                    DocumentState doc = document.doc();
                    OfflineEvents.Outcome outcome =
                            offline.apply(doc, batch, principal, access, known, sessions.legacyAppendMode());
                    if (!outcome.unrecorded().isEmpty()) {
                        persistence.record(
                                document.delta(List.of()).withEvents(outcome.unrecorded()), document::snapshot);
                    }
                    CompletableFuture<List<EventResult>> done = new CompletableFuture<>();
                    persistence.emit(doc.clock, new Outbox.Completion<>(done, outcome.results()));
                    return done;
                }))
                .thenCompose(f -> f);
    }

    @Override
    public CompletableFuture<PullPage> pull(PullPage.Position since, int limit) {
        Objects.requireNonNull(since, "since");
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be > 0 but was " + limit);
        }
        return onLane(() -> PullPages.page(document.doc(), since, limit));
    }

    @Override
    public CompletableFuture<Void> flush() {
        return onLane(() -> persistence.flush(document.doc().clock)).thenCompose(f -> f);
    }

    @Override
    public CompletableFuture<VersionInfo> saveVersion() {
        return onLane(() -> persistence.saveVersion(document.snapshot())).thenCompose(f -> f);
    }

    @Override
    public boolean isClosed() {
        return closed;
    }

    @Override
    public CompletableFuture<Boolean> sendCustomMessage(String sessionId, @Nullable Object data) {
        Object frozen = Frozen.freeze(data);
        return onLane(() -> {
            RoomSession s = sessions.get(sessionId);
            if (s == null || !s.isConnected()) {
                return false;
            }
            String custom = ProtocolCodec.encode(new ServerMessage.Custom(frozen));
            persistence.emit(document.doc().clock, new Outbox.Control(s, custom));
            return true;
        });
    }

    @Override
    public CompletableFuture<Void> closeSession(String sessionId, @Nullable CloseReason reason) {
        return onLane(() -> {
            RoomSession s = sessions.get(sessionId);
            if (s != null) {
                if (reason == null) {
                    sessions.remove(s, null);
                } else {
                    sessions.reject(s, reason, "closed by the host");
                }
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<List<SessionInfo>> sessions() {
        return onLane(() -> {
            List<SessionInfo> out = new ArrayList<>();
            for (RoomSession s : sessions.all()) {
                out.add(info(s));
            }
            return out;
        });
    }

    @Override
    public CompletableFuture<Void> revalidate(Function<SessionInfo, Access> policy) {
        Objects.requireNonNull(policy, "policy");
        return onLane(() -> {
            for (RoomSession s : new ArrayList<>(sessions.all())) {
                Access access = policy.apply(info(s));
                CloseReason denied = access.closeReason();
                if (denied != null) {
                    sessions.reject(s, denied, "access revoked");
                } else {
                    s.readOnly = access == Access.READ_ONLY;
                }
            }
            return null;
        });
    }

    private static SessionInfo info(RoomSession s) {
        return new SessionInfo(s.sessionId, s.state.wireName, s.readOnly, s.meta, s.connection.options.principal());
    }

    @Override
    public long documentClock() {
        return document.publishedClock();
    }

    @Override
    public int sessionCount() {
        return sessions.count();
    }

    @Override
    public void close() {
        lane.execute(() -> {
            if (closed) {
                return;
            }
            shutDown();
            sessions.closeAll();
            document.clearPresence();
        });
    }

    private <T> CompletableFuture<T> onLane(Supplier<T> work) {
        CompletableFuture<T> f = new CompletableFuture<>();
        lane.execute(() -> {
            try {
                f.complete(work.get());
            } catch (Throwable t) {
                f.completeExceptionally(t);
            }
        });
        return f;
    }

    // ---------------------------------------------------------------- sessions and messages

    private void openSession(Connection connection) {
        if (loadFailure != null) {
            Sessions.closeQuietly(connection.socket, CloseReason.UNKNOWN_ERROR);
            return;
        }
        if (closed) {
            Sessions.closeQuietly(connection.socket, null);
            return;
        }
        if (sessions.open(connection) != null && unloadTimer != null) {
            unloadTimer.cancel();
            unloadTimer = null;
        }
    }

    void handleSocketClosed(Connection c) {
        sessions.socketClosed(c);
    }

    void rejectConnection(Connection c, CloseReason reason, String why) {
        sessions.rejectConnection(c, reason, why);
    }

    void handleMessage(Connection c, ClientMessage message) {
        RoomSession s = sessions.current(c);
        if (s == null || closed) {
            return;
        }
        try {
            if (message instanceof ClientMessage.Connect connect) {
                handleConnect(s, connect);
            } else if (message instanceof ClientMessage.Push push) {
                handlePush(s, push);
            } else if (message instanceof ClientMessage.Ping && s.isConnected()) {
                sessions.touch(s);
                // like tldraw, a pong does not flush batched data, so it may overtake it
                outbox.sendFrame(s, ProtocolCodec.encode(ServerMessage.Pong.INSTANCE));
            }
        } catch (SyncException e) {
            sessions.reject(s, e.reason(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("room {} failed handling a message from session {}", roomId, s.sessionId, e);
            sessions.reject(s, CloseReason.UNKNOWN_ERROR, String.valueOf(e.getMessage()));
        }
    }

    private void handleConnect(RoomSession s, ClientMessage.Connect connect) {
        if (s.state == RoomSession.State.AWAITING_REMOVAL) {
            return;
        }
        Handshake.Accepted accepted = handshake.accept(s, connect, document.doc(), document.presence());
        sessions.connected(s, accepted.migrations());
        persistence.emit(document.doc().clock, new Outbox.Reply(s, accepted.reply()));
        events.sessionConnected(roomId, s.sessionId, s.readOnly);
    }

    private void handlePush(RoomSession s, ClientMessage.Push push) {
        if (!s.isConnected()) {
            return; // like tldraw: pushes before the handshake get no reply
        }
        sessions.touch(s);
        DocumentState doc = document.doc();
        DocumentState.Txn txn = doc.new Txn();
        Change change = applier.applyPush(doc, txn, s, push, document.presence(), sessions.legacyAppendMode());
        PushAction[] action = new PushAction[1];
        document.commit(txn, change, s, Map.of(), clock -> {
            action[0] = PushApplier.verdict(push, change, s, doc);
            return new Outbox.Data(
                    s, ProtocolCodec.encode(new ServerMessage.PushResult(push.clientClock(), clock, action[0])));
        });
        events.pushHandled(roomId, s.sessionId, PushApplier.actionName(action[0]));
    }

    // ---------------------------------------------------------------- lifecycle

    private void scheduleUnload() {
        if (!persistence.hasStore() || closed || unloadTimer != null) {
            return;
        }
        unloadTimer = options.scheduler()
                .schedule(
                        options.unloadDelay(),
                        () -> lane.execute(() -> {
                            unloadTimer = null;
                            if (closed || !sessions.isEmpty()) {
                                return;
                            }
                            persistence
                                    .flush(document.doc().clock)
                                    .whenComplete((ok, e) -> lane.execute(() -> {
                                        if (closed
                                                || !sessions.isEmpty()
                                                || unloadTimer != null
                                                || !persistence.isFlushed()) {
                                            return;
                                        }
                                        persistence.saveVersionIfMoved(document.snapshot());
                                        shutDown();
                                        LOG.info("room {} unloaded at clock {}", roomId, document.publishedClock());
                                        events.roomUnloaded(roomId);
                                        onUnload.run();
                                    }));
                        }));
    }

    /** Stops the room's own timers; the store link keeps committing what is pending. */
    private void shutDown() {
        closed = true;
        persistence.stopTimers();
        document.stop();
        if (unloadTimer != null) {
            unloadTimer.cancel();
            unloadTimer = null;
        }
        outbox.stop();
    }
}
