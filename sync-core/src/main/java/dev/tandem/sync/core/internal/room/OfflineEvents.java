package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.Access;
import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.PushEvent;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.SyncException;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * An offline client's push events ({@code Room.applyEvents}), each applied in its own transaction through the
 * room's one commit path, with idempotency: an event id seen before (recently, or in the store) is answered
 * with its first result and changes nothing. After a rejected event, later events of the same record are
 * rejected too. Confined to the room's lane.
 */
final class OfflineEvents {
    private static final int MAX_RECENT_EVENTS = 10_000;

    /** The room's one path from an applied change to the store and the sessions; returns the new clock. */
    interface Committer {
        long commit(DocumentState.Txn txn, Change change, Map<String, EventResult> eventResults);
    }

    /**
     * The results of a batch, in order, and those that no document commit recorded (rejected events, and
     * events that changed nothing): the room records them in the store on their own.
     */
    record Outcome(List<EventResult> results, Map<String, EventResult> unrecorded) {}

    private final String roomId;
    private final PushApplier applier;
    private final Committer committer;
    /** Results of recent events by key, oldest first, so re-sent events are answered at once. */
    private final LinkedHashMap<String, EventResult> recent = new LinkedHashMap<>();

    OfflineEvents(String roomId, PushApplier applier, Committer committer) {
        this.roomId = roomId;
        this.applier = applier;
        this.committer = committer;
    }

    /** Applies a batch of events for a principal; {@code stored} holds the results the store already knows. */
    Outcome apply(
            DocumentState doc,
            List<PushEvent> events,
            Principal principal,
            Access access,
            Map<String, EventResult> stored,
            boolean legacyAppendMode) {
        List<EventResult> results = new ArrayList<>(events.size());
        Set<String> blocked = new HashSet<>();
        // results are remembered and stored under the principal's key, and answered under the event's id
        LinkedHashMap<String, EventResult> unrecorded = new LinkedHashMap<>();
        for (PushEvent e : events) {
            String key = EventKey.of(principal, e.id());
            EventResult seen = recent.get(key);
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
                    r = applyEvent(doc, e, key, legacyAppendMode);
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
            remember(key, r);
            results.add(r);
        }
        return new Outcome(results, unrecorded);
    }

    /**
     * Applies one event in its own transaction. Returns its result; a result with clock -1 is an applied event
     * that changed nothing (its result still has to be recorded).
     */
    private EventResult applyEvent(DocumentState doc, PushEvent e, String key, boolean legacyAppendMode) {
        DocumentState.Txn txn = doc.new Txn();
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
        Change change = applier.applyEventOp(doc, txn, id, op, legacyAppendMode);
        if (change.docOps().isEmpty()) {
            return new EventResult(e.id(), true, null, -1);
        }
        // the result is stored with the change; a transaction that changes something advances the clock once
        EventResult result = new EventResult(e.id(), true, null, doc.clock + 1);
        committer.commit(txn, change, Map.of(key, EventKey.answer(result, key)));
        return result;
    }

    private void remember(String key, EventResult r) {
        recent.put(key, r);
        if (recent.size() > MAX_RECENT_EVENTS) {
            recent.remove(recent.keySet().iterator().next());
        }
    }
}
