package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.RoomTransaction;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A host's {@link RoomTransaction} ({@code Room.update}) over a document transaction: reads see its own writes,
 * and every put passes {@link RecordChecks} like a client's. Valid only during the host's callback, on the
 * room's lane.
 */
final class HostTransaction implements RoomTransaction {
    private final DocumentState doc;
    private final DocumentState.Txn txn;
    private final RecordChecks checks;
    private final long clockBefore;

    HostTransaction(DocumentState doc, DocumentState.Txn txn, RecordChecks checks) {
        this.doc = doc;
        this.txn = txn;
        this.checks = checks;
        this.clockBefore = doc.clock;
    }

    /** A frozen record as the read-only map the public API hands out. */
    @SuppressWarnings("unchecked")
    static @Nullable Map<String, Object> asPublic(@Nullable FrozenMap m) {
        return (Map<String, Object>) (Map<String, ?>) m;
    }

    @Override
    public @Nullable Map<String, Object> get(String id) {
        return asPublic(txn.get(id));
    }

    @Override
    public Collection<Map<String, Object>> records() {
        List<Map<String, Object>> out = new ArrayList<>();
        for (Map.Entry<String, RoomSnapshot.Document> d : doc.docs.entrySet()) {
            if (!txn.writes.containsKey(d.getKey())) {
                out.add(asPublic(DocumentState.state(d.getValue())));
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
        checks.checkRecordType(id, r);
        checks.admit(txn, id, r);
    }

    @Override
    public void delete(String id) {
        txn.delete(id);
    }

    @Override
    public long clock() {
        return clockBefore;
    }
}
