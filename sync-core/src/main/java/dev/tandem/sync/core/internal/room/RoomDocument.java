package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.RoomCommit;
import dev.tandem.sync.core.RoomEvents;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.RoomTransaction;
import dev.tandem.sync.core.Scheduler;
import dev.tandem.sync.core.internal.json.FrozenMap;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.LongFunction;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A room's document and its sessions' presence, with the one path every change takes to the store and the
 * sessions ({@link #commit}), the host's changes, and tombstone pruning. Confined to the room's lane, but
 * {@link #publishedClock()}.
 */
final class RoomDocument {
    private static final Logger LOG = LoggerFactory.getLogger(SyncRoom.class);
    private static final Duration TOMBSTONE_PRUNE_DELAY = Duration.ofSeconds(1);

    private final String roomId;
    private final RoomEvents events;
    private final Scheduler scheduler;
    private final SerialLane lane;
    private final SchemaState schema;
    private final RecordChecks checks;
    private final RoomPersistence persistence;
    /** presence id → presence record; never persisted. */
    private final LinkedHashMap<String, FrozenMap> presence = new LinkedHashMap<>();

    private DocumentState doc = new DocumentState();
    private Scheduler.@Nullable Cancellable pruneTimer;
    private boolean stopped;
    private volatile long publishedClock;

    RoomDocument(
            String roomId,
            RoomEvents events,
            Scheduler scheduler,
            SerialLane lane,
            SchemaState schema,
            RecordChecks checks,
            RoomPersistence persistence) {
        this.roomId = roomId;
        this.events = events;
        this.scheduler = scheduler;
        this.lane = lane;
        this.schema = schema;
        this.checks = checks;
        this.persistence = persistence;
    }

    DocumentState doc() {
        return doc;
    }

    /** The presence records by presence id, a live view. */
    Map<String, FrozenMap> presence() {
        return presence;
    }

    /** The document clock as last committed, readable from any thread. */
    long publishedClock() {
        return publishedClock;
    }

    /** Starts from a loaded document (before the lane opens, or on it). */
    void loaded(DocumentState loaded) {
        doc = loaded;
        publishedClock = loaded.clock;
    }

    /**
     * The one path from an applied change to the store and the sessions: commits the transaction (the clock
     * advances at most once), puts the author's presence, records the durable change (with the offline
     * {@code eventResults}, in the same store commit), then releases — in this order, and in durable mode only
     * once the new clock is durable — the author's reply and the broadcast to everyone else. Returns the clock.
     */
    long commit(
            DocumentState.Txn txn,
            Change change,
            @Nullable RoomSession author,
            Map<String, EventResult> eventResults,
            @Nullable LongFunction<Outbox.Message> reply) {
        boolean deleted = txn.commit();
        if (change.presence() != null) {
            presence.put(change.presence().id(), change.presence().after());
        }
        if (deleted) {
            schedulePrune();
        }
        long clock = doc.clock;
        publishedClock = clock;
        if (!txn.isEmpty()) {
            persistence.recordCommitted(
                    clock,
                    () -> eventResults.isEmpty()
                            ? delta(txn.writes.keySet())
                            : delta(txn.writes.keySet()).withEvents(eventResults),
                    this::snapshot);
        }
        if (reply != null) {
            persistence.emit(clock, reply.apply(clock));
        }
        if (!change.isEmpty()) {
            persistence.emit(clock, change.broadcast(doc, author, clock));
        }
        if (!change.docOps().isEmpty()) {
            events.changesCommitted(roomId, clock, change.docOps().size());
        }
        return clock;
    }

    /** Runs a host's {@code Room.update} and commits its effective changes; returns the clock. */
    long update(Consumer<RoomTransaction> changes) {
        DocumentState.Txn txn = doc.new Txn();
        changes.accept(new HostTransaction(doc, txn, checks));
        checks.checkDocumentSize(txn, doc);
        commit(txn, PushApplier.hostChange(doc, txn), null, Map.of(), null);
        return doc.clock;
    }

    /** Replaces the document by a snapshot (migrated up), as one host change. */
    void replace(RoomSnapshot snapshot) {
        DocumentState incoming = schema.migrateSnapshot(snapshot).doc();
        DocumentState.Txn txn = doc.new Txn();
        for (Map.Entry<String, RoomSnapshot.Document> e : incoming.docs.entrySet()) {
            FrozenMap state = DocumentState.state(e.getValue());
            checks.checkRecordType(e.getKey(), state);
            checks.admit(txn, e.getKey(), state); // an unchanged record is dropped from it on commit
        }
        for (String id : new ArrayList<>(doc.docs.keySet())) {
            if (!incoming.docs.containsKey(id)) {
                txn.delete(id);
            }
        }
        checks.checkDocumentSize(txn, doc);
        commit(txn, PushApplier.hostChange(doc, txn), null, Map.of(), null);
    }

    /** A departed session's presence goes, and everyone else is told. */
    void removePresence(RoomSession s) {
        if (s.presenceId != null && presence.remove(s.presenceId) != null) {
            NetworkDiff removal = new NetworkDiff(Map.of(s.presenceId, RecordOp.Remove.INSTANCE));
            persistence.emit(doc.clock, new Outbox.Broadcast(removal, null, Map.of(), Map.of(), doc.clock));
        }
    }

    /** The durable change of the given records at their current state (a tombstone if deleted). */
    RoomCommit delta(Collection<String> ids) {
        LinkedHashMap<String, RoomSnapshot.Document> puts = new LinkedHashMap<>();
        LinkedHashMap<String, Long> tombstones = new LinkedHashMap<>();
        for (String id : ids) {
            RoomSnapshot.Document d = doc.docs.get(id);
            if (d != null) {
                puts.put(id, d); // shared with the store, not copied
            } else {
                Long t = doc.tombstones.get(id);
                if (t != null) {
                    tombstones.put(id, t);
                }
            }
        }
        return new RoomCommit(
                roomId, doc.clock, puts, tombstones, doc.tombstoneHistoryStartsAtClock, schema.serialized);
    }

    /** The durable change of every record, for a document that has to be stored whole. */
    RoomCommit everything() {
        return delta(new ArrayList<>(doc.docs.keySet()));
    }

    RoomSnapshot snapshot() {
        return doc.toSnapshot(schema.serialized);
    }

    /** Stops pruning (the room unloads or closes). */
    void stop() {
        stopped = true;
        doc.compactHot(); // a store in memory keeps these records
        if (pruneTimer != null) {
            pruneTimer.cancel();
            pruneTimer = null;
        }
    }

    void clearPresence() {
        presence.clear();
    }

    private void schedulePrune() {
        if (pruneTimer != null || doc.tombstones.size() <= DocumentState.MAX_TOMBSTONES) {
            return;
        }
        pruneTimer = scheduler.schedule(
                TOMBSTONE_PRUNE_DELAY,
                () -> lane.execute(() -> {
                    pruneTimer = null;
                    if (!stopped && doc.pruneTombstones()) {
                        persistence.record(delta(List.of()), this::snapshot);
                        LOG.debug(
                                "room {} pruned tombstones; history starts at {}",
                                roomId,
                                doc.tombstoneHistoryStartsAtClock);
                    }
                }));
    }
}
