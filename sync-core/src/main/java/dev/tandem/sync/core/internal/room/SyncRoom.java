package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.Access;
import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.PullPage;
import dev.tandem.sync.core.PushEvent;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.RecordValidator;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomCommit;
import dev.tandem.sync.core.RoomEvents;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.RoomTransaction;
import dev.tandem.sync.core.Scheduler;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SessionSocket;
import dev.tandem.sync.core.SocketHandler;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.core.SyncLimits;
import dev.tandem.sync.core.ValueOp;
import dev.tandem.sync.core.VersionInfo;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.json.JsonCodec;
import dev.tandem.sync.core.internal.json.JsonSize;
import dev.tandem.sync.core.internal.protocol.ClientMessage;
import dev.tandem.sync.core.internal.protocol.LogText;
import dev.tandem.sync.core.internal.protocol.ProtocolCodec;
import dev.tandem.sync.core.internal.protocol.ServerMessage;
import dev.tandem.sync.core.internal.protocol.ServerMessage.HydrationType;
import dev.tandem.sync.core.internal.protocol.ServerMessage.PushAction;
import dev.tandem.sync.core.internal.schema.ClientMigrations;
import dev.tandem.sync.core.internal.schema.SchemaNegotiation;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The room: one document, its sessions and their presence, driven by protocol messages. Every field is
 * confined to the room's {@link SerialLane}; public methods only post work to it.
 */
public final class SyncRoom implements Room {
    private static final Logger LOG = LoggerFactory.getLogger(SyncRoom.class);
    private static final Duration TOMBSTONE_PRUNE_DELAY = Duration.ofSeconds(1);
    private static final String DATA_PREFIX = "{\"type\":\"data\",\"data\":[";
    private static final String DATA_SUFFIX = "]}";
    /** tldraw 5.x sends the object-lane access on every connect; Tandem has no object lane, so all is write. */
    private static final String OBJECT_ACCESS_WRITE = "write";

    private final String roomId;
    private final RoomOptions options;
    private final RoomSchema schema;
    private final RoomEvents events;
    private final SerialLane lane;
    private final RoomPersistence persistence;
    private final Runnable onUnload;
    private @Nullable RuntimeException loadFailure;
    private Scheduler.@Nullable Cancellable unloadTimer;
    private final Supplier<String> ids;
    private final SyncLimits limits;

    private DocumentState doc;
    /** The serialized schema sent to clients; in pinned mode null until the first client connects. */
    private @Nullable FrozenMap serializedSchema;

    private @Nullable Map<String, Integer> sequences;
    private @Nullable String presenceType;
    /** Whether the last snapshot {@link #migrateSnapshot} read needed migrating up to the room's schema. */
    private boolean migratedOnLoad;
    /** presence id → presence record; never persisted. */
    private final LinkedHashMap<String, FrozenMap> presence = new LinkedHashMap<>();

    private final LinkedHashMap<String, RoomSession> sessions = new LinkedHashMap<>();
    /** Open batch windows in the order they opened (so by end time); stale entries are skipped. */
    private final ArrayDeque<Window> openWindows = new ArrayDeque<>();

    private Scheduler.@Nullable Cancellable windowTimer;

    private int legacyAppendSessions;
    /** Results of recent HTTP push events by id, oldest first, so re-sent events are answered at once. */
    private final LinkedHashMap<String, EventResult> recentEvents = new LinkedHashMap<>();

    private static final int MAX_RECENT_EVENTS = 10_000;
    /** Puts of the push being applied that tried to change a record's typeName; logged once per push. */
    private int typeNameChangesSkipped;

    private @Nullable String firstTypeNameChange;
    /** Sends that failed since the last {@link #dropFailedSessions()}; zero makes that a no-op. */
    private int failedSends;

    private Scheduler.Cancellable pruneTimer;
    private volatile boolean closed;

    private volatile long publishedClock;
    private volatile int publishedSessionCount;

    public SyncRoom(String roomId, RoomOptions options) {
        this(roomId, options, () -> {});
    }

    /**
     * Creates a room; with a store in the options it loads from the store first (connections made meanwhile
     * wait). {@code onUnload} runs on the lane when the room unloaded itself after its last session left.
     */
    public SyncRoom(String roomId, RoomOptions options, Runnable onUnload) {
        this.roomId = java.util.Objects.requireNonNull(roomId, "roomId");
        this.options = java.util.Objects.requireNonNull(options, "options");
        this.onUnload = java.util.Objects.requireNonNull(onUnload, "onUnload");
        this.schema = options.schema();
        this.events = options.events();
        this.lane = new SerialLane(options.executor(), options.store() != null);
        this.persistence = new RoomPersistence(roomId, options, lane, this::dropFailedSessions);
        this.ids = options.idGenerator();
        this.limits = options.limits();
        this.presenceType = schema.presenceType();
        if (!schema.isPinned()) {
            this.serializedSchema = Frozen.freezeMap(schema.serialize());
            this.sequences = schema.sequences();
        }
        this.doc = new DocumentState();
        if (options.store() == null) {
            RoomSnapshot initial = options.initialSnapshot();
            if (initial != null) {
                this.doc = migrateSnapshot(initial);
            }
            persistence.durableClock = doc.clock;
            this.publishedClock = doc.clock;
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
                    doc = migrateSnapshot(stored);
                    persistence.durableClock = doc.clock;
                    if (migratedOnLoad) {
                        // stored under an older schema: every record goes back in the room's form, so that the
                        // store never holds old records under the new schema
                        persistence.record(delta(new ArrayList<>(doc.docs.keySet())), this::currentSnapshot);
                    }
                } else if (initial != null) {
                    doc = migrateSnapshot(initial);
                    persistence.record(delta(new ArrayList<>(doc.docs.keySet())), this::currentSnapshot);
                }
                publishedClock = doc.clock;
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

    // ---------------------------------------------------------------- public API (posts to the lane)

    @Override
    public String id() {
        return roomId;
    }

    @Override
    public SocketHandler connect(SessionSocket socket, SessionOptions options) {
        java.util.Objects.requireNonNull(socket, "socket");
        java.util.Objects.requireNonNull(options, "options");
        Connection connection = new Connection(this, socket, options, this.options);
        lane.execute(() -> openSession(connection));
        return connection;
    }

    @Override
    public CompletableFuture<Long> update(Consumer<RoomTransaction> changes) {
        java.util.Objects.requireNonNull(changes, "changes");
        return onLane(() -> hostUpdate(changes));
    }

    @Override
    public CompletableFuture<@Nullable Map<String, Object>> record(String id) {
        return onLane(() -> asPublic(doc.get(id)));
    }

    @Override
    public CompletableFuture<RoomSnapshot> snapshot() {
        return onLane(this::currentSnapshot);
    }

    @Override
    public CompletableFuture<Void> loadSnapshot(RoomSnapshot snapshot) {
        java.util.Objects.requireNonNull(snapshot, "snapshot");
        return onLane(() -> {
            replaceDocument(snapshot);
            return null;
        });
    }

    @Override
    public CompletableFuture<List<EventResult>> applyEvents(
            List<PushEvent> events, Principal principal, Access access) {
        List<PushEvent> batch = List.copyOf(events);
        java.util.Objects.requireNonNull(access, "access");
        RoomStore store = options.store();
        java.util.Objects.requireNonNull(principal, "principal");
        List<String> keys = new ArrayList<>(batch.size());
        for (PushEvent e : batch) {
            keys.add(EventKey.of(principal, e.id()));
        }
        CompletableFuture<Map<String, EventResult>> stored =
                store == null ? CompletableFuture.completedFuture(Map.of()) : store.loadEventResults(roomId, keys);
        return stored.thenCompose(known -> onLane(() -> applyEventsOnLane(batch, principal, access, known)))
                .thenCompose(f -> f);
    }

    private CompletableFuture<List<EventResult>> applyEventsOnLane(
            List<PushEvent> events, Principal principal, Access access, Map<String, EventResult> stored) {
        List<EventResult> results = new ArrayList<>(events.size());
        java.util.Set<String> blocked = new java.util.HashSet<>();
        // results are remembered and stored under the principal's key, and answered under the event's id
        LinkedHashMap<String, EventResult> unrecorded = new LinkedHashMap<>();
        for (PushEvent e : events) {
            String key = EventKey.of(principal, e.id());
            EventResult seen = recentEvents.get(key);
            if (seen == null) {
                seen = stored.get(key);
            }
            if (seen != null) {
                results.add(EventKey.answer(seen, e.id()));
                continue;
            }
            EventResult r;
            if (!e.roomId().equals(roomId)) {
                r = new EventResult(e.id(), false, "event is for room " + e.roomId(), doc.clock);
            } else if (blocked.contains(e.recordId())) {
                r = new EventResult(
                        e.id(), false, "an earlier event of record " + e.recordId() + " was rejected", doc.clock);
            } else if (access != Access.READ_WRITE) {
                r = new EventResult(e.id(), false, access == Access.READ_ONLY ? "READ_ONLY" : access.name(), doc.clock);
            } else {
                try {
                    r = applyEvent(e, key);
                } catch (SyncException ex) {
                    r = new EventResult(e.id(), false, ex.reason().wireName() + ": " + ex.getMessage(), doc.clock);
                }
            }
            if (!r.applied()) {
                blocked.add(e.recordId());
            }
            if (r.serverClock() < 0) {
                r = new EventResult(r.id(), r.applied(), r.reason(), doc.clock);
                unrecorded.put(key, EventKey.answer(r, key));
            } else if (!r.applied()) {
                unrecorded.put(key, EventKey.answer(r, key));
            }
            rememberEvent(key, r);
            results.add(r);
        }
        if (!unrecorded.isEmpty()) {
            persistence.record(delta(List.of()).withEvents(unrecorded), this::currentSnapshot);
        }
        CompletableFuture<List<EventResult>> done = new CompletableFuture<>();
        persistence.emit(doc.clock, () -> done.complete(results));
        dropFailedSessions();
        return done;
    }

    /**
     * Applies one event in its own transaction. Returns its result; a result with clock -1 is an applied
     * event that changed nothing (its result still has to be recorded).
     */
    private EventResult applyEvent(PushEvent e, String key) {
        DocumentState.Txn txn = doc.new Txn();
        LinkedHashMap<String, RecordOp> ops = new LinkedHashMap<>();
        Map<String, FrozenMap> before = new HashMap<>();
        String id = e.recordId();
        RecordOp op;
        if (e.operation() == PushEvent.Operation.DELETE) {
            op = RecordOp.Remove.INSTANCE;
        } else if (e.record() != null) {
            if (!e.typeName().equals(e.record().get("typeName"))) {
                throw new SyncException(
                        CloseReason.INVALID_RECORD, "record typeName does not match the event's " + e.typeName());
            }
            if (!id.equals(e.record().get("id"))) {
                throw new SyncException(
                        CloseReason.INVALID_RECORD, "record id " + e.record().get("id") + " does not match " + id);
            }
            if (e.operation() == PushEvent.Operation.UPDATE && txn.get(id) == null) {
                throw new SyncException(CloseReason.NOT_FOUND, "record " + id + " does not exist");
            }
            op = new RecordOp.Put(e.record());
        } else {
            if (txn.get(id) == null) {
                throw new SyncException(CloseReason.NOT_FOUND, "record " + id + " does not exist");
            }
            op = new RecordOp.Patch(e.patch());
        }
        try {
            typeNameChangesSkipped = 0;
            applyDocumentOp(txn, id, op, null, legacyAppendSessions > 0, ops, before);
            logSkippedTypeNameChanges("an HTTP push");
        } catch (SyncException ex) {
            if (ex.reason() != CloseReason.UNKNOWN_ERROR) {
                throw ex;
            }
            // a patch of the id: UNKNOWN_ERROR only mirrors tldraw's socket verdict; here it is a bad record
            throw new SyncException(CloseReason.INVALID_RECORD, ex.getMessage(), ex);
        }
        if (ops.isEmpty()) {
            return new EventResult(e.id(), true, null, -1);
        }
        checkDocumentSize(txn);
        boolean deleted = txn.commit();
        long clock = doc.clock;
        EventResult result = new EventResult(e.id(), true, null, clock);
        afterCommit(txn, deleted, Map.of(key, EventKey.answer(result, key)));
        NetworkDiff diff = new NetworkDiff(ops);
        Map<String, FrozenMap> after = txnStates(ops);
        persistence.emit(clock, () -> broadcast(diff, null, before, after, clock));
        events.changesCommitted(roomId, clock, ops.size());
        return result;
    }

    /** Logs, once per push, the puts it made that would have changed a record's typeName (skipped). */
    private void logSkippedTypeNameChanges(String from) {
        if (typeNameChangesSkipped > 0 && firstTypeNameChange != null) {
            LOG.debug(
                    "room {}: {} skipped {} puts that would change a record's typeName, the first of {}",
                    roomId,
                    LogText.of(from),
                    typeNameChangesSkipped,
                    LogText.of(firstTypeNameChange));
        }
        typeNameChangesSkipped = 0;
        firstTypeNameChange = null;
    }

    private void rememberEvent(String key, EventResult r) {
        recentEvents.put(key, r);
        if (recentEvents.size() > MAX_RECENT_EVENTS) {
            recentEvents.remove(recentEvents.keySet().iterator().next());
        }
    }

    @Override
    public CompletableFuture<PullPage> pull(PullPage.Position since, int limit) {
        java.util.Objects.requireNonNull(since, "since");
        if (limit <= 0) {
            throw new IllegalArgumentException("limit must be > 0 but was " + limit);
        }
        return onLane(() -> pullOnLane(since, limit));
    }

    private record Entry(long clock, String id, @Nullable FrozenMap state) {}

    private static boolean after(long clock, String id, PullPage.Position p) {
        return clock > p.clock() || (clock == p.clock() && !p.recordId().isEmpty() && id.compareTo(p.recordId()) > 0);
    }

    /** Returns whether (clock, id) would enter a full heap, or the heap is not full yet. */
    private static boolean belowTop(java.util.PriorityQueue<Entry> heap, int keep, long clock, String id) {
        if (heap.size() < keep) {
            return true;
        }
        Entry top = heap.peek();
        return clock < top.clock() || (clock == top.clock() && id.compareTo(top.id()) < 0);
    }

    private static void offer(
            java.util.PriorityQueue<Entry> heap, int keep, java.util.Comparator<Entry> order, Entry e) {
        if (heap.size() < keep) {
            heap.add(e);
        } else if (order.compare(e, heap.peek()) < 0) {
            heap.poll();
            heap.add(e);
        }
    }

    private PullPage pullOnLane(PullPage.Position since, int limit) {
        boolean continuing = since.resyncFrom() >= 0;
        boolean resync = continuing
                || since.clock() < 0
                || since.clock() > doc.clock
                || since.clock() < doc.tombstoneHistoryStartsAtClock;
        long resyncFrom = continuing ? since.resyncFrom() : doc.clock;
        PullPage.Position from = resync && !continuing ? PullPage.Position.START : since;
        // Keep only the first limit + 1 entries in (clock, id) order: a bounded max-heap, so a page costs
        // O(n log limit) over the room rather than sorting every later change.
        java.util.Comparator<Entry> order =
                java.util.Comparator.comparingLong(Entry::clock).thenComparing(Entry::id);
        int keep = limit + 1;
        java.util.PriorityQueue<Entry> heap = new java.util.PriorityQueue<>(Math.min(keep, 1024), order.reversed());
        for (Map.Entry<String, DocumentState.Doc> d : doc.docs.entrySet()) {
            long clock = d.getValue().lastChangedClock();
            String id = d.getKey();
            if (after(clock, id, from) && belowTop(heap, keep, clock, id)) {
                offer(heap, keep, order, new Entry(clock, id, d.getValue().state()));
            }
        }
        if (!resync) {
            for (Map.Entry<String, Long> t : doc.tombstones.entrySet()) {
                long clock = t.getValue();
                if (after(clock, t.getKey(), from) && belowTop(heap, keep, clock, t.getKey())) {
                    offer(heap, keep, order, new Entry(clock, t.getKey(), null));
                }
            }
        }
        List<Entry> entries = new ArrayList<>(heap);
        entries.sort(order);
        boolean hasMore = entries.size() > limit;
        List<Entry> page = hasMore ? entries.subList(0, limit) : entries;
        List<PullPage.Change> changes = new ArrayList<>(page.size());
        for (Entry en : page) {
            if (en.state() == null) {
                int colon = en.id().indexOf(':');
                changes.add(new PullPage.Change(
                        en.id(), colon > 0 ? en.id().substring(0, colon) : null, true, null, en.clock()));
            } else {
                changes.add(new PullPage.Change(
                        en.id(), (String) en.state().get("typeName"), false, asPublic(en.state()), en.clock()));
            }
        }
        PullPage.Position next;
        if (hasMore) {
            Entry last = page.get(page.size() - 1);
            next = new PullPage.Position(last.clock(), last.id(), resync ? resyncFrom : -1);
        } else {
            // after a resync, continue from where it started, so changes made meanwhile are not missed
            next = new PullPage.Position(resync ? resyncFrom : doc.clock, "");
        }
        return new PullPage(changes, next, hasMore, resync);
    }

    @Override
    public CompletableFuture<Void> flush() {
        return onLane(() -> persistence.flush(doc.clock)).thenCompose(f -> f);
    }

    @Override
    public CompletableFuture<VersionInfo> saveVersion() {
        return onLane(() -> persistence.saveVersion(currentSnapshot())).thenCompose(f -> f);
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
            persistence.emit(doc.clock, () -> sendNonData(s, custom));
            dropFailedSessions();
            return true;
        });
    }

    @Override
    public CompletableFuture<Void> closeSession(String sessionId, @Nullable CloseReason reason) {
        return onLane(() -> {
            RoomSession s = sessions.get(sessionId);
            if (s != null) {
                if (reason == null) {
                    removeSession(s, null);
                } else {
                    reject(s, reason, "closed by the host");
                }
            }
            return null;
        });
    }

    @Override
    public CompletableFuture<List<SessionInfo>> sessions() {
        return onLane(() -> {
            List<SessionInfo> out = new ArrayList<>();
            for (RoomSession s : sessions.values()) {
                out.add(info(s));
            }
            return out;
        });
    }

    @Override
    public CompletableFuture<Void> revalidate(java.util.function.Function<SessionInfo, Access> policy) {
        java.util.Objects.requireNonNull(policy, "policy");
        return onLane(() -> {
            for (RoomSession s : new ArrayList<>(sessions.values())) {
                Access access = policy.apply(info(s));
                CloseReason denied = access.closeReason();
                if (denied != null) {
                    reject(s, denied, "access revoked");
                } else {
                    s.readOnly = access == Access.READ_ONLY;
                }
            }
            dropFailedSessions();
            return null;
        });
    }

    private static SessionInfo info(RoomSession s) {
        return new SessionInfo(s.sessionId, s.state.wireName, s.readOnly, s.meta, s.connection.options.principal());
    }

    @Override
    public long documentClock() {
        return publishedClock;
    }

    @Override
    public int sessionCount() {
        return publishedSessionCount;
    }

    @Override
    public void close() {
        lane.execute(() -> {
            if (closed) {
                return;
            }
            shutDown();
            for (RoomSession s : new ArrayList<>(sessions.values())) {
                s.cancelTimers();
                closeQuietly(s.socket, null);
            }
            sessions.clear();
            presence.clear();
            publishedSessionCount = 0;
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

    // ---------------------------------------------------------------- session lifecycle

    private void openSession(Connection connection) {
        SessionOptions o = connection.options;
        if (loadFailure != null) {
            closeQuietly(connection.socket, CloseReason.UNKNOWN_ERROR);
            return;
        }
        if (closed) {
            closeQuietly(connection.socket, null);
            return;
        }
        RoomSession previous = sessions.get(o.sessionId());
        if (previous != null
                && !previous.connection
                        .options
                        .principal()
                        .id()
                        .equals(o.principal().id())) {
            // a session id names one principal's session: another principal never takes it over
            LOG.debug("room {} refuses session {}: it belongs to another principal", roomId, o.sessionId());
            events.sessionRejected(roomId, o.sessionId(), CloseReason.FORBIDDEN);
            closeQuietly(connection.socket, CloseReason.FORBIDDEN);
            return;
        }
        if (previous == null && sessions.size() >= limits.maxSessionsPerRoom()) {
            LOG.debug("room {} is full; refusing session {}", roomId, o.sessionId());
            events.sessionRejected(roomId, o.sessionId(), CloseReason.ROOM_FULL);
            closeQuietly(connection.socket, CloseReason.ROOM_FULL);
            return;
        }
        if (unloadTimer != null) {
            unloadTimer.cancel();
            unloadTimer = null;
        }
        previous = sessions.remove(o.sessionId());
        RoomSession s = new RoomSession(o.sessionId(), connection, o.readOnly(), o.meta());
        if (previous != null) {
            // a reconnect: the new connection takes over the session and its presence
            s.presenceId = previous.presenceId;
            if (previous.isConnected() && !previous.supportsStringAppend) {
                legacyAppendSessions--;
            }
            previous.cancelTimers();
            previous.state = RoomSession.State.AWAITING_REMOVAL;
            if (previous.socket != connection.socket) {
                closeQuietly(previous.socket, null);
            }
        }
        sessions.put(s.sessionId, s);
        publishedSessionCount = sessions.size();
        s.timer = options.scheduler()
                .schedule(
                        options.connectTimeout(),
                        () -> lane.execute(() -> {
                            if (sessions.get(s.sessionId) == s && s.state == RoomSession.State.AWAITING_CONNECT) {
                                LOG.debug("room {} session {} sent no connect in time", roomId, s.sessionId);
                                removeSession(s, null);
                            }
                        }));
        events.sessionOpened(roomId, s.sessionId);
    }

    /** Returns the live session of a connection, or null if the connection was replaced or closed. */
    private @Nullable RoomSession current(Connection c) {
        RoomSession s = sessions.get(c.options.sessionId());
        return s != null && s.connection == c ? s : null;
    }

    void handleSocketClosed(Connection c) {
        RoomSession s = current(c);
        if (s == null || s.state == RoomSession.State.AWAITING_REMOVAL) {
            return;
        }
        if (s.state == RoomSession.State.AWAITING_CONNECT) {
            removeSession(s, null);
        } else {
            cancelSession(s);
        }
    }

    void rejectConnection(Connection c, CloseReason reason, String why) {
        RoomSession s = current(c);
        if (s != null) {
            reject(s, reason, why);
        } else {
            closeQuietly(c.socket, reason);
        }
    }

    /** Moves a session into its removal grace period: presence stays, the same id may resume. */
    private void cancelSession(RoomSession s) {
        if (s.isConnected() && !s.supportsStringAppend) {
            legacyAppendSessions--;
        }
        s.cancelTimers();
        s.outgoing.clear();
        s.state = RoomSession.State.AWAITING_REMOVAL;
        closeQuietly(s.socket, null);
        Duration grace = options.removalGrace();
        if (grace.isZero()) {
            removeSession(s, null);
            return;
        }
        s.timer = options.scheduler()
                .schedule(
                        grace,
                        () -> lane.execute(() -> {
                            if (sessions.get(s.sessionId) == s) {
                                removeSession(s, null);
                            }
                        }));
    }

    private void reject(RoomSession s, CloseReason reason, String why) {
        LOG.debug("room {} rejects session {}: {} ({})", roomId, s.sessionId, reason, LogText.of(why));
        events.sessionRejected(roomId, s.sessionId, reason);
        if (s.requiresLegacyRejection) {
            sendNonData(
                    s,
                    ProtocolCodec.encode(new ServerMessage.IncompatibilityError(reason.legacyIncompatibilityReason())));
            removeSession(s, null);
        } else {
            removeSession(s, reason);
        }
    }

    /** Removes a session for good: closes its socket and broadcasts the removal of its presence. */
    private void removeSession(RoomSession s, @Nullable CloseReason reason) {
        if (sessions.get(s.sessionId) != s) {
            return;
        }
        if (s.isConnected() && !s.supportsStringAppend) {
            legacyAppendSessions--;
        }
        sessions.remove(s.sessionId);
        publishedSessionCount = sessions.size();
        s.cancelTimers();
        if (s.isConnected()) {
            flush(s);
        }
        s.state = RoomSession.State.AWAITING_REMOVAL;
        closeQuietly(s.socket, reason);
        if (s.presenceId != null && presence.remove(s.presenceId) != null) {
            NetworkDiff removal = new NetworkDiff(Map.of(s.presenceId, RecordOp.Remove.INSTANCE));
            long clock = doc.clock;
            persistence.emit(clock, () -> broadcast(removal, null, Map.of(), null, clock));
        }
        events.sessionRemoved(roomId, s.sessionId, sessions.size());
        if (sessions.isEmpty()) {
            events.roomEmpty(roomId);
            scheduleUnload();
        }
        dropFailedSessions();
    }

    private void scheduleIdleCheck(RoomSession s) {
        Duration idle = options.idleTimeout();
        if (idle.isZero()) {
            return;
        }
        long dueIn =
                s.lastInteractionNanos + idle.toNanos() - options.scheduler().nanoTime();
        s.timer = options.scheduler()
                .schedule(
                        Duration.ofNanos(Math.max(0, dueIn)),
                        () -> lane.execute(() -> {
                            if (sessions.get(s.sessionId) != s || !s.isConnected()) {
                                return;
                            }
                            if (options.scheduler().nanoTime() - s.lastInteractionNanos >= idle.toNanos()) {
                                LOG.debug("room {} session {} idle, cancelling", roomId, s.sessionId);
                                cancelSession(s);
                            } else {
                                scheduleIdleCheck(s);
                            }
                        }));
    }

    private static void closeQuietly(SessionSocket socket, @Nullable CloseReason reason) {
        try {
            if (reason == null) {
                socket.close();
            } else {
                socket.close(CloseReason.CLOSE_CODE, reason.wireName());
            }
        } catch (RuntimeException e) {
            LOG.debug("closing a socket failed", e);
        }
    }

    // ---------------------------------------------------------------- messages

    void handleMessage(Connection c, ClientMessage message) {
        RoomSession s = current(c);
        if (s == null || closed) {
            return;
        }
        try {
            if (message instanceof ClientMessage.Connect connect) {
                handleConnect(s, connect);
            } else if (message instanceof ClientMessage.Push push) {
                handlePush(s, push);
            } else if (message instanceof ClientMessage.Ping) {
                if (s.isConnected()) {
                    s.lastInteractionNanos = options.scheduler().nanoTime();
                    // like tldraw, a pong does not flush batched data, so it may overtake it
                    sendFrame(s, ProtocolCodec.encode(ServerMessage.Pong.INSTANCE));
                }
            }
        } catch (SyncException e) {
            reject(s, e.reason(), e.getMessage());
        } catch (RuntimeException e) {
            LOG.warn("room {} failed handling a message from session {}", roomId, s.sessionId, e);
            reject(s, CloseReason.UNKNOWN_ERROR, String.valueOf(e.getMessage()));
        }
        dropFailedSessions();
    }

    private void handleConnect(RoomSession s, ClientMessage.Connect connect) {
        if (s.state == RoomSession.State.AWAITING_REMOVAL) {
            return;
        }
        Integer version = connect.protocolVersion();
        if (version == null) {
            reject(s, CloseReason.CLIENT_TOO_OLD, "no protocol version");
            return;
        }
        int v = version;
        boolean wasLegacyAppend = s.isConnected() && !s.supportsStringAppend;
        if (v == 5) {
            v = 6;
        }
        if (v == 6) {
            s.requiresLegacyRejection = true;
            v = 7;
        }
        if (v == 7) {
            s.supportsStringAppend = false;
            v = 8;
        }
        if (v < ProtocolCodec.PROTOCOL_VERSION) {
            reject(s, CloseReason.CLIENT_TOO_OLD, "protocol version " + version);
            return;
        }
        if (v > ProtocolCodec.PROTOCOL_VERSION) {
            reject(s, CloseReason.SERVER_TOO_OLD, "protocol version " + version);
            return;
        }
        if (connect.schema() == null) {
            reject(s, CloseReason.CLIENT_TOO_OLD, "no schema");
            return;
        }
        FrozenMap replySchema = serializedSchema;
        @Nullable ClientMigrations migrations = null;
        if (serializedSchema == null) {
            // pinned mode: the first schema a writer sends becomes the room's schema
            Map<String, Integer> pinned = SchemaNegotiation.roomSequences(connect.schema());
            if (pinned == null || !(connect.schema().get("schemaVersion") instanceof Long sv) || sv > 2) {
                reject(s, CloseReason.CLIENT_TOO_OLD, "malformed schema");
                return;
            }
            replySchema = Frozen.freezeMap(connect.schema());
            if (!s.readOnly) {
                pin(replySchema, pinned);
                LOG.info("room {} pinned its schema from session {}", roomId, s.sessionId);
            }
            // a read-only session never fixes anything for a room: it is served in its own schema
        }
        if (serializedSchema != null) {
            SchemaNegotiation.Outcome outcome = SchemaNegotiation.negotiate(
                    sequences, schema.migrations(), schema::isRetroactive, connect.schema());
            if (outcome.rejection() != null) {
                reject(s, outcome.rejection(), "schema mismatch");
                return;
            }
            migrations = outcome.migrations();
        }

        DocumentState.ChangesSince changes = doc.changesSince(connect.lastServerClock());
        LinkedHashMap<String, RecordOp> diff = new LinkedHashMap<>();
        for (Map.Entry<String, FrozenMap> p : presence.entrySet()) {
            if (!p.getKey().equals(s.presenceId)) {
                diff.put(p.getKey(), new RecordOp.Put(down(migrations, p.getValue())));
            }
        }
        boolean wipeAll = false;
        if (changes != null) {
            wipeAll = changes.wipeAll();
            for (FrozenMap r : changes.puts()) {
                diff.put((String) r.get("id"), new RecordOp.Put(down(migrations, r)));
            }
            for (String id : changes.removes()) {
                diff.put(id, RecordOp.Remove.INSTANCE);
            }
        }
        if (wasLegacyAppend) {
            legacyAppendSessions--;
        }
        s.migrations = migrations;
        s.state = RoomSession.State.CONNECTED;
        s.lastInteractionNanos = options.scheduler().nanoTime();
        if (!s.supportsStringAppend) {
            legacyAppendSessions++;
        }
        if (s.timer != null) {
            s.timer.cancel();
            s.timer = null;
        }
        scheduleIdleCheck(s);
        ServerMessage.Connect reply = new ServerMessage.Connect(
                connect.connectRequestId(),
                wipeAll ? HydrationType.WIPE_ALL : HydrationType.WIPE_PRESENCE,
                ProtocolCodec.PROTOCOL_VERSION,
                replySchema,
                new NetworkDiff(diff),
                doc.clock,
                s.readOnly,
                OBJECT_ACCESS_WRITE);
        String encodedReply = ProtocolCodec.encode(reply);
        persistence.emit(doc.clock, () -> sendNonData(s, encodedReply));
        events.sessionConnected(roomId, s.sessionId, s.readOnly);
    }

    private static FrozenMap down(@Nullable ClientMigrations migrations, FrozenMap record) {
        return migrations == null || migrations.isEmpty() ? record : migrations.down(record);
    }

    private void handlePush(RoomSession s, ClientMessage.Push push) {
        if (!s.isConnected()) {
            return; // like tldraw: pushes before the handshake get no reply
        }
        s.lastInteractionNanos = options.scheduler().nanoTime();
        ClientMigrations migrations = s.migrations;
        boolean legacyAppendMode = legacyAppendSessions > 0;

        DocumentState.Txn txn = doc.new Txn();
        LinkedHashMap<String, RecordOp> docOps = new LinkedHashMap<>();
        Map<String, FrozenMap> before = new HashMap<>();
        LinkedHashMap<String, RecordOp> presenceOps = new LinkedHashMap<>();
        @Nullable FrozenMap newPresence = null;
        @Nullable FrozenMap oldPresence = null;

        // Everything below is computed against the transaction; a SyncException abandons it whole.
        if (push.presence() != null) {
            FrozenMap[] result = applyPresence(s, push.presence(), migrations, presenceOps);
            if (result != null) {
                oldPresence = result[0];
                newPresence = result[1];
            }
        }
        NetworkDiff requested = push.diff();
        if (requested != null && requested.size() > limits.maxRecordsPerPush()) {
            throw new SyncException(
                    CloseReason.INVALID_RECORD,
                    "push of " + requested.size() + " records exceeds maxRecordsPerPush " + limits.maxRecordsPerPush());
        }
        if (requested != null && !s.readOnly) {
            typeNameChangesSkipped = 0;
            for (Map.Entry<String, RecordOp> e : requested.ops().entrySet()) {
                applyDocumentOp(txn, e.getKey(), e.getValue(), migrations, legacyAppendMode, docOps, before);
            }
            logSkippedTypeNameChanges("session " + s.sessionId);
        }

        checkDocumentSize(txn);
        boolean deleted = txn.commit();
        if (newPresence != null) {
            presence.put(s.presenceId, newPresence);
        }
        afterCommit(txn, deleted);
        long clock = doc.clock;

        NetworkDiff effective = new NetworkDiff(docOps);
        PushAction action;
        if (docOps.isEmpty() && requested == null) {
            action = PushAction.Commit.INSTANCE;
        } else if (!docOps.isEmpty() && push.diffAsSent() && effective.equals(requested)) {
            action = PushAction.Commit.INSTANCE;
        } else if (docOps.isEmpty()) {
            action = PushAction.Discard.INSTANCE;
        } else {
            NetworkDiff rebase = effective;
            if (s.needsMigration()) {
                rebase = downDiff(s.migrations, docOps, before, txnStates(docOps));
            }
            action = new PushAction.RebaseWithDiff(rebase);
        }
        String result = ProtocolCodec.encode(new ServerMessage.PushResult(push.clientClock(), clock, action));
        persistence.emit(clock, () -> sendData(s, result));

        if (!docOps.isEmpty() || !presenceOps.isEmpty()) {
            LinkedHashMap<String, RecordOp> all = new LinkedHashMap<>(docOps);
            all.putAll(presenceOps);
            Map<String, FrozenMap> allBefore = before;
            Map<String, FrozenMap> after = txnStates(docOps);
            if (!presenceOps.isEmpty()) {
                allBefore = new HashMap<>(before);
                if (oldPresence != null) {
                    allBefore.put(s.presenceId, oldPresence);
                }
                after = new HashMap<>(after);
                after.put(s.presenceId, newPresence);
            }
            NetworkDiff diff = new NetworkDiff(all);
            Map<String, FrozenMap> b = allBefore;
            Map<String, FrozenMap> a = after;
            persistence.emit(clock, () -> broadcast(diff, s, b, a, clock));
        }
        if (!docOps.isEmpty()) {
            events.changesCommitted(roomId, doc.clock, docOps.size());
        }
        events.pushHandled(roomId, s.sessionId, actionName(action));
    }

    private static String actionName(PushAction action) {
        if (action instanceof PushAction.Commit) {
            return "commit";
        }
        return action instanceof PushAction.Discard ? "discard" : "rebaseWithDiff";
    }

    /** Current states of the records an effective diff touched (after commit). */
    private Map<String, FrozenMap> txnStates(Map<String, RecordOp> ops) {
        Map<String, FrozenMap> out = new HashMap<>();
        for (String id : ops.keySet()) {
            FrozenMap r = doc.get(id);
            if (r != null) {
                out.put(id, r);
            }
        }
        return out;
    }

    /**
     * Applies a push's presence op for this session. Returns {old, new} presence when it changed, null when
     * it did not; records the effective op in {@code presenceOps}.
     */
    private FrozenMap @Nullable [] applyPresence(
            RoomSession s, RecordOp op, @Nullable ClientMigrations migrations, Map<String, RecordOp> presenceOps) {
        if (op instanceof RecordOp.Remove) {
            return null;
        }
        if (presenceType == null) {
            if (!schema.isPinned() || s.readOnly || !(op instanceof RecordOp.Put put)) {
                // no presence in this room, a patch before any put, or a viewer, who never fixes the type
                return null;
            }
            if (!(put.record().get("typeName") instanceof String type) || type.isEmpty()) {
                throw new SyncException(CloseReason.INVALID_RECORD, "presence record without a typeName");
            }
            if (doc.hasType(type)) {
                throw new SyncException(
                        CloseReason.INVALID_RECORD, "presence type " + type + " is already a document type");
            }
            presenceType = type;
        }
        if (s.presenceId == null) {
            s.presenceId = presenceType + ":" + ids.get();
        }
        String pid = s.presenceId;
        FrozenMap prev = presence.get(pid);
        FrozenMap next;
        if (op instanceof RecordOp.Put put) {
            LinkedHashMap<String, @Nullable Object> m =
                    Frozen.freezeMap(put.record()).mutableCopy();
            m.put("id", pid);
            m.put("typeName", presenceType);
            next = Frozen.adoptMap(m);
            if (migrations != null && !migrations.isEmpty()) {
                next = migrations.up(next);
            }
        } else {
            if (prev == null) {
                return null;
            }
            LinkedHashMap<String, ValueOp> ops =
                    new LinkedHashMap<>(((RecordOp.Patch) op).diff().ops());
            ops.put("id", new ValueOp.Put(pid));
            ops.put("typeName", new ValueOp.Put(presenceType));
            ObjectDiff forced = new ObjectDiff(ops);
            if (migrations != null && !migrations.isEmpty()) {
                next = migrations.up(asFrozen(forced.apply(migrations.down(prev))));
            } else {
                next = asFrozen(forced.apply(prev));
            }
        }
        validate(next, schema.presenceValidator());
        checkRecordDepth(pid, next);
        checkRecordSize(pid, JsonSize.of(next));
        if (prev == null) {
            presenceOps.put(pid, new RecordOp.Put(next));
        } else {
            ObjectDiff d = ObjectDiff.diffRecord(prev, next);
            if (d == null) {
                return null;
            }
            presenceOps.put(pid, new RecordOp.Patch(d));
        }
        return new FrozenMap[] {prev, next};
    }

    private void applyDocumentOp(
            DocumentState.Txn txn,
            String id,
            RecordOp op,
            @Nullable ClientMigrations migrations,
            boolean legacyAppendMode,
            Map<String, RecordOp> docOps,
            Map<String, FrozenMap> before) {
        boolean migrate = migrations != null && !migrations.isEmpty();
        if (op instanceof RecordOp.Put put) {
            FrozenMap record = Frozen.freezeMap(put.record());
            checkRecordType(id, record);
            if (migrate) {
                record = migrations.up(record);
            }
            FrozenMap existing = txn.get(id);
            if (existing != null && !existing.get("typeName").equals(record.get("typeName"))) {
                if (typeNameChangesSkipped++ == 0) {
                    firstTypeNameChange = id;
                }
                return;
            }
            if (existing != null) {
                ObjectDiff d = ObjectDiff.diffRecord(existing, record);
                if (d == null) {
                    return;
                }
                admit(txn, id, record);
                before.putIfAbsent(id, existing);
                docOps.put(id, new RecordOp.Patch(d));
            } else {
                admit(txn, id, record);
                docOps.put(id, new RecordOp.Put(record));
            }
        } else if (op instanceof RecordOp.Patch patch) {
            FrozenMap existing = txn.get(id);
            if (existing == null) {
                return; // e.g. deleted concurrently
            }
            FrozenMap next = migrate
                    ? migrations.up(asFrozen(patch.diff().apply(migrations.down(existing))))
                    : asFrozen(patch.diff().apply(existing));
            ObjectDiff d = ObjectDiff.diffRecord(existing, next, legacyAppendMode);
            if (d == null) {
                return;
            }
            if (!existing.get("typeName").equals(next.get("typeName"))) {
                throw new SyncException(CloseReason.INVALID_RECORD, "a patch may not change the typeName of " + id);
            }
            admit(txn, id, next);
            before.putIfAbsent(id, existing);
            docOps.put(id, new RecordOp.Patch(d));
        } else {
            FrozenMap existing = txn.get(id);
            if (existing == null) {
                return;
            }
            txn.delete(id);
            before.putIfAbsent(id, existing);
            docOps.put(id, RecordOp.Remove.INSTANCE);
        }
    }

    /**
     * The one check every document record passes on its way in — a WebSocket push, an offline event, a snapshot
     * PUT, a restore, a host's update — after {@link #checkRecordType} (and, for an older client, its migration
     * up): the schema's validator (INVALID_RECORD), its id against its key (UNKNOWN_ERROR, as tldraw's storage
     * asserts it), and maxRecordChars (INVALID_RECORD); then the write. Presence records pass the presence
     * validator and the same size limit in {@link #applyPresence}.
     */
    private void admit(DocumentState.Txn txn, String id, FrozenMap record) {
        validate(record, validatorFor(record));
        checkId(id, record);
        checkRecordDepth(id, record);
        checkRecordSize(id, txn.set(id, record));
    }

    /** Refuses a record deeper than a Tandem client could parse once a message carries it. */
    private static void checkRecordDepth(String id, FrozenMap record) {
        if (JsonCodec.deeperThan(record, JsonCodec.MAX_RECORD_DEPTH)) {
            throw new SyncException(
                    CloseReason.INVALID_RECORD,
                    "record " + id + " is nested deeper than " + JsonCodec.MAX_RECORD_DEPTH + " levels");
        }
    }

    private void checkRecordSize(String id, long size) {
        if (size > limits.maxRecordChars()) {
            throw new SyncException(
                    CloseReason.INVALID_RECORD,
                    "record " + id + " of " + size + " characters exceeds maxRecordChars " + limits.maxRecordChars());
        }
    }

    private void checkDocumentSize(DocumentState.Txn txn) {
        if (txn.isEmpty()) {
            return;
        }
        long after = txn.totalSizeAfter();
        if (after > limits.maxDocumentChars() && after > doc.totalSize) {
            throw new SyncException(
                    CloseReason.INVALID_RECORD,
                    "document of " + after + " characters would exceed maxDocumentChars " + limits.maxDocumentChars());
        }
    }

    private static FrozenMap asFrozen(@Nullable Object value) {
        if (value instanceof FrozenMap m) {
            return m;
        }
        throw new SyncException(CloseReason.INVALID_RECORD, "a record must stay a JSON object");
    }

    /**
     * Checks, before anything else, that a put's record has a document type (whatever the schema, a
     * non-empty string); INVALID_RECORD otherwise, as in tldraw.
     */
    private void checkRecordType(String id, FrozenMap record) {
        if (!(record.get("typeName") instanceof String type) || type.isEmpty()) {
            throw new SyncException(CloseReason.INVALID_RECORD, "record " + id + " has no typeName");
        }
        if (type.equals(presenceType)) {
            throw new SyncException(CloseReason.INVALID_RECORD, "record " + id + " has the presence type " + type);
        }
        if (!schema.isPinned() && !schema.documentTypes().containsKey(type)) {
            throw new SyncException(CloseReason.INVALID_RECORD, "unknown record type " + type);
        }
    }

    /**
     * Checks, after validation and just before storing, that a record's id is its key. tldraw's storage
     * asserts this, so a mismatch is UNKNOWN_ERROR there, not INVALID_RECORD.
     */
    private static void checkId(String id, FrozenMap record) {
        if (!id.equals(record.get("id"))) {
            throw new SyncException(
                    CloseReason.UNKNOWN_ERROR, "record id " + record.get("id") + " does not match its key " + id);
        }
    }

    private @Nullable RecordValidator validatorFor(FrozenMap record) {
        return schema.isPinned() ? null : schema.documentTypes().get((String) record.get("typeName"));
    }

    @SuppressWarnings("unchecked")
    private static void validate(FrozenMap record, @Nullable RecordValidator validator) {
        if (validator == null) {
            return;
        }
        try {
            validator.validate((Map<String, Object>) (Map<String, ?>) record);
        } catch (RuntimeException e) {
            throw new SyncException(
                    CloseReason.INVALID_RECORD, "invalid record " + record.get("id") + ": " + e.getMessage(), e);
        }
    }

    // ---------------------------------------------------------------- host changes

    private long hostUpdate(Consumer<RoomTransaction> changes) {
        DocumentState.Txn txn = doc.new Txn();
        long clockBefore = doc.clock;
        changes.accept(new RoomTransaction() {
            @Override
            public @Nullable Map<String, Object> get(String id) {
                return asPublic(txn.get(id));
            }

            @Override
            public Collection<Map<String, Object>> records() {
                List<Map<String, Object>> out = new ArrayList<>();
                for (DocumentState.Doc d : doc.docs.values()) {
                    if (!txn.writes.containsKey((String) d.state().get("id"))) {
                        out.add(asPublic(d.state()));
                    }
                }
                for (FrozenMap w : txn.writes.values()) {
                    if (w != null) {
                        out.add(asPublic(w));
                    }
                }
                return out;
            }

            @Override
            public void put(Map<String, ?> record) {
                FrozenMap r = Frozen.freezeMap(record);
                if (!(r.get("id") instanceof String id)) {
                    throw new SyncException(CloseReason.INVALID_RECORD, "record " + r.get("id") + " has no string id");
                }
                checkRecordType(id, r);
                admit(txn, id, r);
            }

            @Override
            public void delete(String id) {
                txn.delete(id);
            }

            @Override
            public long clock() {
                return clockBefore;
            }
        });
        checkDocumentSize(txn);
        commitExternal(txn);
        return doc.clock;
    }

    /** Commits a transaction that came from the host, and broadcasts its effective changes to everyone. */
    private void commitExternal(DocumentState.Txn txn) {
        LinkedHashMap<String, RecordOp> ops = new LinkedHashMap<>();
        Map<String, FrozenMap> before = new HashMap<>();
        for (Map.Entry<String, @Nullable FrozenMap> w : new ArrayList<>(txn.writes.entrySet())) {
            FrozenMap prev = doc.get(w.getKey());
            FrozenMap next = w.getValue();
            if (next == null) {
                if (prev != null) {
                    ops.put(w.getKey(), RecordOp.Remove.INSTANCE);
                    before.put(w.getKey(), prev);
                } else {
                    txn.writes.remove(w.getKey());
                }
            } else if (prev == null) {
                ops.put(w.getKey(), new RecordOp.Put(next));
            } else {
                ObjectDiff d = ObjectDiff.diffRecord(prev, next);
                if (d == null) {
                    txn.writes.remove(w.getKey());
                } else {
                    ops.put(w.getKey(), new RecordOp.Patch(d));
                    before.put(w.getKey(), prev);
                }
            }
        }
        boolean deleted = txn.commit();
        afterCommit(txn, deleted);
        if (!ops.isEmpty()) {
            long clock = doc.clock;
            NetworkDiff diff = new NetworkDiff(ops);
            Map<String, FrozenMap> after = txnStates(ops);
            persistence.emit(clock, () -> broadcast(diff, null, before, after, clock));
            events.changesCommitted(roomId, doc.clock, ops.size());
        }
        dropFailedSessions();
    }

    private void replaceDocument(RoomSnapshot snapshot) {
        DocumentState incoming = migrateSnapshot(snapshot);
        DocumentState.Txn txn = doc.new Txn();
        for (Map.Entry<String, DocumentState.Doc> e : incoming.docs.entrySet()) {
            checkRecordType(e.getKey(), e.getValue().state());
            admit(txn, e.getKey(), e.getValue().state()); // an unchanged record is dropped from it on commit
        }
        for (String id : new ArrayList<>(doc.docs.keySet())) {
            if (!incoming.docs.containsKey(id)) {
                txn.delete(id);
            }
        }
        checkDocumentSize(txn);
        commitExternal(txn);
    }

    /**
     * Pinned mode: adopts a writer's (or a stored document's) schema. A tldraw schema brings tldraw's presence
     * type with it, so that no session's first presence record has to name it.
     */
    private void pin(FrozenMap serialized, Map<String, Integer> pinnedSequences) {
        serializedSchema = serialized;
        sequences = pinnedSequences;
        if (presenceType == null && pinnedSequences.containsKey("com.tldraw.instance_presence")) {
            presenceType = "instance_presence";
        }
    }

    /** Loads a snapshot and migrates its records up to the room's schema. */
    private DocumentState migrateSnapshot(RoomSnapshot snapshot) {
        DocumentState loaded = DocumentState.fromSnapshot(snapshot);
        Map<String, Object> snapshotSchema = snapshot.schema();
        if (snapshotSchema == null) {
            return loaded;
        }
        if (serializedSchema == null) {
            Map<String, Integer> seqs = SchemaNegotiation.roomSequences(snapshotSchema);
            if (seqs == null) {
                throw new IllegalArgumentException("snapshot schema is malformed");
            }
            pin(Frozen.freezeMap(snapshotSchema), seqs);
            return loaded;
        }
        SchemaNegotiation.Outcome outcome =
                SchemaNegotiation.negotiateUp(sequences, schema.migrations(), schema::isRetroactive, snapshotSchema);
        if (outcome.rejection() != null) {
            throw new IllegalArgumentException("snapshot schema cannot be migrated to the room's: "
                    + (outcome.rejection() == CloseReason.SERVER_TOO_OLD
                            ? "it is newer than the room's"
                            : "a migration step is missing")
                    + " (" + outcome.rejection() + ")");
        }
        ClientMigrations m = outcome.migrations();
        migratedOnLoad = m != null && !m.isEmpty();
        if (migratedOnLoad) {
            for (Map.Entry<String, DocumentState.Doc> e : loaded.docs.entrySet()) {
                DocumentState.Doc d = e.getValue();
                DocumentState.Doc up = new DocumentState.Doc(m.up(d.state()), d.lastChangedClock());
                loaded.totalSize += up.size() - d.size();
                e.setValue(up);
            }
        }
        return loaded;
    }

    /** Follows a committed transaction: pruning, the published clock, and the record for the store. */
    private void afterCommit(DocumentState.Txn txn, boolean deleted) {
        afterCommit(txn, deleted, Map.of());
    }

    /** As above, also recording push event results in the same durable change. */
    private void afterCommit(DocumentState.Txn txn, boolean deleted, Map<String, EventResult> eventResults) {
        if (deleted) {
            schedulePrune();
        }
        publishedClock = doc.clock;
        if (!persistence.hasStore()) {
            persistence.durableClock = doc.clock; // memory only: nothing to build for a store
        } else if (!txn.isEmpty()) {
            RoomCommit change = delta(txn.writes.keySet());
            persistence.record(
                    eventResults.isEmpty() ? change : change.withEvents(eventResults), this::currentSnapshot);
        }
    }

    /** The durable change of the given records at their current state (a tombstone if deleted). */
    private RoomCommit delta(Collection<String> ids) {
        LinkedHashMap<String, RoomSnapshot.Document> puts = new LinkedHashMap<>();
        LinkedHashMap<String, Long> tombstones = new LinkedHashMap<>();
        for (String id : ids) {
            DocumentState.Doc d = doc.docs.get(id);
            if (d != null) {
                puts.put(id, new RoomSnapshot.Document(d.state(), d.lastChangedClock()));
            } else {
                Long t = doc.tombstones.get(id);
                if (t != null) {
                    tombstones.put(id, t);
                }
            }
        }
        return new RoomCommit(roomId, doc.clock, puts, tombstones, doc.tombstoneHistoryStartsAtClock, serializedSchema);
    }

    private RoomSnapshot currentSnapshot() {
        return doc.toSnapshot(serializedSchema);
    }

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
                                    .flush(doc.clock)
                                    .whenComplete((ok, e) -> lane.execute(() -> {
                                        if (closed
                                                || !sessions.isEmpty()
                                                || unloadTimer != null
                                                || !persistence.isFlushed()) {
                                            return;
                                        }
                                        persistence.saveVersionIfMoved(currentSnapshot());
                                        shutDown();
                                        LOG.info("room {} unloaded at clock {}", roomId, doc.clock);
                                        events.roomUnloaded(roomId);
                                        onUnload.run();
                                    }));
                        }));
    }

    /** Stops the room's own timers; the store link keeps committing what is pending. */
    private void shutDown() {
        closed = true;
        persistence.stopTimers();
        if (pruneTimer != null) {
            pruneTimer.cancel();
            pruneTimer = null;
        }
        if (unloadTimer != null) {
            unloadTimer.cancel();
            unloadTimer = null;
        }
        if (windowTimer != null) {
            windowTimer.cancel();
            windowTimer = null;
        }
        openWindows.clear();
    }

    private void schedulePrune() {
        if (pruneTimer != null || doc.tombstones.size() <= DocumentState.MAX_TOMBSTONES) {
            return;
        }
        pruneTimer = options.scheduler()
                .schedule(
                        TOMBSTONE_PRUNE_DELAY,
                        () -> lane.execute(() -> {
                            pruneTimer = null;
                            if (!closed && doc.pruneTombstones()) {
                                persistence.record(delta(List.of()), this::currentSnapshot);
                                LOG.debug(
                                        "room {} pruned tombstones; history starts at {}",
                                        roomId,
                                        doc.tombstoneHistoryStartsAtClock);
                            }
                        }));
    }

    @SuppressWarnings("unchecked")
    private static @Nullable Map<String, Object> asPublic(@Nullable FrozenMap m) {
        return (Map<String, Object>) (Map<String, ?>) m;
    }

    // ---------------------------------------------------------------- outgoing

    /**
     * Sends a patch to every connected session but {@code author}. The patch is encoded once and the same
     * frame goes to every session that needs no migration.
     */
    private void broadcast(
            NetworkDiff diff,
            @Nullable RoomSession author,
            Map<String, FrozenMap> before,
            @Nullable Map<String, FrozenMap> after,
            long serverClock) {
        String encoded = null;
        String frame = null;
        for (RoomSession s : sessions.values()) {
            if (s == author || !s.isConnected()) {
                continue;
            }
            if (s.needsMigration()) {
                try {
                    NetworkDiff mine = downDiff(s.migrations, diff.ops(), before, after == null ? Map.of() : after);
                    sendData(s, ProtocolCodec.encode(new ServerMessage.Patch(mine, serverClock)));
                } catch (SyncException e) {
                    s.sendFailed = true; // dropped after this task, like any failed session
                    failedSends++;
                    LOG.debug("room {}: down-migration failed for session {}", roomId, s.sessionId, e);
                }
                continue;
            }
            if (encoded == null) {
                encoded = ProtocolCodec.encode(new ServerMessage.Patch(diff, serverClock));
            }
            if (options.batchInterval().isZero() || !s.batchWindowOpen) {
                if (frame == null) {
                    frame = DATA_PREFIX + encoded + DATA_SUFFIX;
                }
                sendFirstOfWindow(s, frame);
            } else {
                s.outgoing.add(encoded);
            }
        }
    }

    /** Re-expresses a diff for an older client: puts down-migrated, patches re-diffed between versions. */
    private static NetworkDiff downDiff(
            ClientMigrations m,
            Map<String, RecordOp> ops,
            Map<String, FrozenMap> before,
            Map<String, FrozenMap> after) {
        LinkedHashMap<String, RecordOp> out = new LinkedHashMap<>();
        for (Map.Entry<String, RecordOp> e : ops.entrySet()) {
            RecordOp op = e.getValue();
            if (op instanceof RecordOp.Put put) {
                out.put(e.getKey(), new RecordOp.Put(m.down(Frozen.freezeMap(put.record()))));
            } else if (op instanceof RecordOp.Patch) {
                FrozenMap b = before.get(e.getKey());
                FrozenMap a = after.get(e.getKey());
                if (b == null || a == null) {
                    continue;
                }
                ObjectDiff d = ObjectDiff.diffRecord(m.down(b), m.down(a));
                if (d != null) {
                    out.put(e.getKey(), new RecordOp.Patch(d));
                }
            } else {
                out.put(e.getKey(), op);
            }
        }
        return new NetworkDiff(out);
    }

    /** Sends one encoded data message, batching per session after the first one of a window. */
    private void sendData(RoomSession s, String encoded) {
        if (!s.isConnected()) {
            return;
        }
        if (options.batchInterval().isZero() || !s.batchWindowOpen) {
            sendFirstOfWindow(s, DATA_PREFIX + encoded + DATA_SUFFIX);
        } else {
            s.outgoing.add(encoded);
        }
    }

    private void sendFirstOfWindow(RoomSession s, String frame) {
        sendFrame(s, frame);
        if (options.batchInterval().isZero() || s.sendFailed) {
            return;
        }
        openWindow(s, options.scheduler().nanoTime());
    }

    private void openWindow(RoomSession s, long now) {
        long interval = options.batchInterval().toNanos();
        s.batchWindowOpen = true;
        s.windowEndsNanos = now + interval;
        openWindows.add(new Window(s, s.windowEndsNanos));
        if (windowTimer == null) {
            armWindowTimer(interval);
        }
    }

    /** Opens a session's next window without touching the timer (the caller arms it). */
    private void reopenWindow(RoomSession s, long now) {
        s.batchWindowOpen = true;
        s.windowEndsNanos = now + options.batchInterval().toNanos();
        openWindows.add(new Window(s, s.windowEndsNanos));
    }

    /**
     * One timer per room, not per session: a broadcast opens the windows of all its receivers at once, so they
     * end together and are flushed in one lane task.
     */
    private void armWindowTimer(long delayNanos) {
        windowTimer = options.scheduler()
                .schedule(
                        Duration.ofNanos(Math.max(0, delayNanos)),
                        () -> lane.executeHere(() -> {
                            windowTimer = null;
                            if (!closed) {
                                flushDueWindows();
                                dropFailedSessions();
                            }
                        }));
    }

    /**
     * Ends every batch window that ends now (or within an eighth of the interval). A window that batched
     * something sends it as one frame and opens the next window at once, so a session under steady traffic
     * gets at most one frame per interval and each message waits at most one interval; a window that batched
     * nothing closes, and the session's next message goes out at once.
     */
    private void flushDueWindows() {
        long now = options.scheduler().nanoTime();
        long slack = options.batchInterval().toNanos() / 8;
        Window w;
        while ((w = openWindows.peek()) != null) {
            RoomSession s = w.session();
            if (sessions.get(s.sessionId) != s || !s.batchWindowOpen || s.windowEndsNanos != w.endsNanos()) {
                openWindows.poll(); // the session left, or the window was reopened since
                continue;
            }
            if (w.endsNanos() > now + slack) {
                break;
            }
            openWindows.poll();
            s.batchWindowOpen = false;
            if (!s.outgoing.isEmpty()) {
                flush(s);
                if (!s.sendFailed && s.isConnected()) {
                    // queued last and ending a whole interval from now, past the slack: the loop stops there
                    reopenWindow(s, now);
                }
            }
        }
        if (w != null && windowTimer == null) {
            armWindowTimer(w.endsNanos() - now);
        }
    }

    /** A session's batch window, in the order windows opened. */
    private record Window(RoomSession session, long endsNanos) {}

    /** Sends everything batched for a session as one data frame; its batch window stays as it is. */
    private void flush(RoomSession s) {
        if (s.outgoing.isEmpty()) {
            return;
        }
        int length = DATA_PREFIX.length() + DATA_SUFFIX.length() + s.outgoing.size();
        for (String m : s.outgoing) {
            length += m.length();
        }
        StringBuilder b = new StringBuilder(length).append(DATA_PREFIX);
        for (int i = 0; i < s.outgoing.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(s.outgoing.get(i));
        }
        b.append(DATA_SUFFIX);
        s.outgoing.clear();
        sendFrame(s, b.toString());
    }

    /** Sends a message that is not data (connect, custom…): batched data goes out before it. */
    private void sendNonData(RoomSession s, String text) {
        flush(s);
        sendFrame(s, text);
    }

    private void sendFrame(RoomSession s, String text) {
        if (s.sendFailed) {
            return;
        }
        boolean sent;
        try {
            sent = s.socket.send(text);
        } catch (RuntimeException e) {
            LOG.debug("room {}: send to session {} failed", roomId, s.sessionId, e);
            sent = false;
        }
        if (!sent) {
            s.sendFailed = true;
            failedSends++;
        }
    }

    /** Drops sessions whose socket refused a frame: closed sockets are cancelled, full queues removed. */
    private void dropFailedSessions() {
        if (failedSends == 0) {
            return;
        }
        failedSends = 0;
        for (RoomSession s : new ArrayList<>(sessions.values())) {
            if (!s.sendFailed || sessions.get(s.sessionId) != s) {
                continue;
            }
            if (s.socket.isOpen()) {
                if (s.needsMigration() && s.isConnected()) {
                    LOG.debug("room {}: dropping session {}", roomId, s.sessionId);
                }
                events.slowConsumerDropped(roomId, s.sessionId);
                removeSession(s, null);
            } else if (s.isConnected()) {
                cancelSession(s);
            } else {
                removeSession(s, null);
            }
        }
        for (RoomSession s : sessions.values()) {
            if (s.sendFailed) {
                failedSends++; // still in its grace period: dropped on a later pass, as before
                break;
            }
        }
    }
}
