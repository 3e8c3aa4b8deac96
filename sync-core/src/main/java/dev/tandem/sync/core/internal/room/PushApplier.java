package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.core.SyncLimits;
import dev.tandem.sync.core.ValueOp;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.json.JsonSize;
import dev.tandem.sync.core.internal.protocol.ClientMessage;
import dev.tandem.sync.core.internal.protocol.LogText;
import dev.tandem.sync.core.internal.protocol.ServerMessage.PushAction;
import dev.tandem.sync.core.internal.schema.ClientMigrations;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Applies pushes to a document transaction and returns the {@link Change} to commit and send: a session's
 * presence and document ops (migrated up for an older client, checked by {@link RecordChecks}), an offline
 * event's op, or a host's writes; and, after the commit, the push's verdict. Writes nothing but the transaction
 * and, in pinned mode, the room's presence type. A {@link SyncException} abandons the transaction whole.
 * Confined to the room's lane.
 */
final class PushApplier {
    private static final Logger LOG = LoggerFactory.getLogger(SyncRoom.class);

    private final String roomId;
    private final SchemaState schema;
    private final RecordChecks checks;
    private final SyncLimits limits;
    private final Supplier<String> ids;
    /** Puts of the push being applied that tried to change a record's typeName; logged once per push. */
    private int typeNameChangesSkipped;

    private @Nullable String firstTypeNameChange;

    PushApplier(String roomId, SchemaState schema, RecordChecks checks, SyncLimits limits, Supplier<String> ids) {
        this.roomId = roomId;
        this.schema = schema;
        this.checks = checks;
        this.limits = limits;
        this.ids = ids;
    }

    /**
     * Applies a session's push (presence first, then its document ops unless the session is read-only) to
     * {@code txn}, checks the document's size, and returns what changed.
     */
    Change applyPush(
            DocumentState doc,
            DocumentState.Txn txn,
            RoomSession s,
            ClientMessage.Push push,
            Map<String, FrozenMap> presence,
            boolean legacyAppendMode) {
        ClientMigrations migrations = s.migrations;
        Change.PresenceChange presenceChange = null;
        if (push.presence() != null) {
            presenceChange = applyPresence(doc, s, push.presence(), migrations, presence);
        }
        NetworkDiff requested = push.diff();
        if (requested != null && requested.size() > limits.maxRecordsPerPush()) {
            throw new SyncException(
                    CloseReason.INVALID_RECORD,
                    "push of " + requested.size() + " records exceeds maxRecordsPerPush " + limits.maxRecordsPerPush());
        }
        LinkedHashMap<String, RecordOp> docOps = new LinkedHashMap<>();
        Map<String, FrozenMap> before = new HashMap<>();
        if (requested != null && !s.readOnly) {
            typeNameChangesSkipped = 0;
            for (Map.Entry<String, RecordOp> e : requested.ops().entrySet()) {
                applyDocumentOp(txn, e.getKey(), e.getValue(), migrations, legacyAppendMode, docOps, before);
            }
            logSkippedTypeNameChanges("session " + s.sessionId);
        }
        checks.checkDocumentSize(txn, doc);
        return new Change(docOps, before, presenceChange);
    }

    /** Applies one offline event's op to {@code txn} and returns what changed. */
    Change applyEventOp(DocumentState doc, DocumentState.Txn txn, String id, RecordOp op, boolean legacyAppendMode) {
        LinkedHashMap<String, RecordOp> ops = new LinkedHashMap<>();
        Map<String, FrozenMap> before = new HashMap<>();
        try {
            typeNameChangesSkipped = 0;
            applyDocumentOp(txn, id, op, null, legacyAppendMode, ops, before);
            logSkippedTypeNameChanges("an HTTP push");
        } catch (SyncException ex) {
            if (ex.reason() != CloseReason.UNKNOWN_ERROR) {
                throw ex;
            }
            // a patch of the id: UNKNOWN_ERROR only mirrors tldraw's socket verdict; here it is a bad record
            throw new SyncException(CloseReason.INVALID_RECORD, ex.getMessage(), ex);
        }
        if (!ops.isEmpty()) {
            checks.checkDocumentSize(txn, doc);
        }
        return Change.ofDocument(ops, before);
    }

    /**
     * Returns the effective change of a host's transaction, dropping from it the writes that change nothing
     * (a put of an equal record, a delete of a missing one).
     */
    static Change hostChange(DocumentState doc, DocumentState.Txn txn) {
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
        return Change.ofDocument(ops, before);
    }

    /**
     * The verdict of a committed push: {@code commit} when the client's diff took effect as sent (or it sent
     * none), {@code discard} when nothing of it did, otherwise {@code rebaseWithDiff} with the effective diff
     * (down-migrated for an older client).
     */
    static PushAction verdict(ClientMessage.Push push, Change change, RoomSession s, DocumentState doc) {
        LinkedHashMap<String, RecordOp> docOps = change.docOps();
        NetworkDiff requested = push.diff();
        NetworkDiff effective = new NetworkDiff(docOps);
        if (docOps.isEmpty() && requested == null) {
            return PushAction.Commit.INSTANCE;
        } else if (!docOps.isEmpty() && push.diffAsSent() && effective.equals(requested)) {
            return PushAction.Commit.INSTANCE;
        } else if (docOps.isEmpty()) {
            return PushAction.Discard.INSTANCE;
        }
        NetworkDiff rebase = effective;
        if (s.needsMigration()) {
            rebase = Change.downDiff(s.migrations, docOps, change.before(), Change.states(doc, docOps));
        }
        return new PushAction.RebaseWithDiff(rebase);
    }

    static String actionName(PushAction action) {
        if (action instanceof PushAction.Commit) {
            return "commit";
        }
        return action instanceof PushAction.Discard ? "discard" : "rebaseWithDiff";
    }

    /**
     * Applies a push's presence op for this session. Returns the change when the presence changed, null when
     * it did not.
     */
    private Change.@Nullable PresenceChange applyPresence(
            DocumentState doc,
            RoomSession s,
            RecordOp op,
            @Nullable ClientMigrations migrations,
            Map<String, FrozenMap> presence) {
        if (op instanceof RecordOp.Remove) {
            return null;
        }
        if (schema.presenceType == null) {
            if (!schema.schema.isPinned() || s.readOnly || !(op instanceof RecordOp.Put put)) {
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
            schema.presenceType = type;
        }
        String presenceType = schema.presenceType;
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
                next = migrations.up(RecordChecks.asFrozen(forced.apply(migrations.down(prev))));
            } else {
                next = RecordChecks.asFrozen(forced.apply(prev));
            }
        }
        checks.checkPresence(pid, next, JsonSize.of(next));
        if (prev == null) {
            return new Change.PresenceChange(pid, new RecordOp.Put(next), null, next);
        }
        ObjectDiff d = ObjectDiff.diffRecord(prev, next);
        return d == null ? null : new Change.PresenceChange(pid, new RecordOp.Patch(d), prev, next);
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
            checks.checkRecordType(id, record);
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
                checks.admit(txn, id, record);
                before.putIfAbsent(id, existing);
                docOps.put(id, new RecordOp.Patch(d));
            } else {
                checks.admit(txn, id, record);
                docOps.put(id, new RecordOp.Put(record));
            }
        } else if (op instanceof RecordOp.Patch patch) {
            FrozenMap existing = txn.get(id);
            if (existing == null) {
                return; // e.g. deleted concurrently
            }
            FrozenMap next = migrate
                    ? migrations.up(RecordChecks.asFrozen(patch.diff().apply(migrations.down(existing))))
                    : RecordChecks.asFrozen(patch.diff().apply(existing));
            ObjectDiff d = ObjectDiff.diffRecord(existing, next, legacyAppendMode);
            if (d == null) {
                return;
            }
            if (!existing.get("typeName").equals(next.get("typeName"))) {
                throw new SyncException(CloseReason.INVALID_RECORD, "a patch may not change the typeName of " + id);
            }
            checks.admit(txn, id, next);
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
}
