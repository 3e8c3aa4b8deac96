package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.schema.ClientMigrations;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * What a push, an offline event or a host's update did, before it is committed: the effective document ops
 * (what to commit, and to send), the changed records' states before, and the author's presence change.
 *
 * @param docOps the effective document ops, in the order they were applied
 * @param before each patched or removed record's state before the change
 * @param presence the author's presence change, or null when its presence did not change
 */
record Change(
        LinkedHashMap<String, RecordOp> docOps,
        Map<String, FrozenMap> before,
        @Nullable PresenceChange presence) {

    /** A session's presence record changed by {@code op}, from {@code before} (null if new) to {@code after}. */
    record PresenceChange(String id, RecordOp op, @Nullable FrozenMap before, FrozenMap after) {}

    static Change ofDocument(LinkedHashMap<String, RecordOp> docOps, Map<String, FrozenMap> before) {
        return new Change(docOps, before, null);
    }

    /** Returns true when the change sends nothing to anyone. */
    boolean isEmpty() {
        return docOps.isEmpty() && presence == null;
    }

    /**
     * The patch every other session receives once the change is committed at {@code clock}, with the states
     * before and after that an older client's down-migration needs.
     */
    Outbox.Broadcast broadcast(DocumentState doc, @Nullable RoomSession author, long clock) {
        Map<String, FrozenMap> after = states(doc, docOps);
        if (presence == null) {
            return new Outbox.Broadcast(new NetworkDiff(docOps), author, before, after, clock);
        }
        LinkedHashMap<String, RecordOp> all = new LinkedHashMap<>(docOps);
        all.put(presence.id(), presence.op());
        Map<String, FrozenMap> allBefore = new HashMap<>(before);
        if (presence.before() != null) {
            allBefore.put(presence.id(), presence.before());
        }
        after.put(presence.id(), presence.after());
        return new Outbox.Broadcast(new NetworkDiff(all), author, allBefore, after, clock);
    }

    /** Current states of the records an effective diff touched (after commit). */
    static Map<String, FrozenMap> states(DocumentState doc, Map<String, RecordOp> ops) {
        Map<String, FrozenMap> out = new HashMap<>();
        for (String id : ops.keySet()) {
            FrozenMap r = doc.get(id);
            if (r != null) {
                out.put(id, r);
            }
        }
        return out;
    }

    /** Re-expresses a diff for an older client: puts down-migrated, patches re-diffed between versions. */
    static NetworkDiff downDiff(
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
}
