package dev.tandem.sync.client.internal.engine;

import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.internal.json.FrozenMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;

/**
 * The client's records by id, indexed by type, with change trackers that capture the net effect of a series
 * of writes (tldraw's {@code extractingChanges}). Not thread-safe: the engine guards it with its lock.
 */
final class RecordTable {
    private final TreeMap<String, FrozenMap> records = new TreeMap<>();
    private final HashMap<String, TreeMap<String, FrozenMap>> byType = new HashMap<>();
    private final List<Tracker> trackers = new ArrayList<>(2);

    /** Captures the first value of every record written while it is open. */
    final class Tracker {
        private final LinkedHashMap<String, RecordsDiff.Change> originals = new LinkedHashMap<>();

        /** Stops tracking and returns the net change since this tracker was opened. */
        RecordsDiff finish() {
            trackers.remove(this);
            for (Map.Entry<String, RecordsDiff.Change> e : originals.entrySet()) {
                e.setValue(new RecordsDiff.Change(e.getValue().from(), records.get(e.getKey())));
            }
            return RecordsDiff.of(originals);
        }
    }

    /** Opens a tracker; trackers nest and overlap freely. */
    Tracker track() {
        Tracker t = new Tracker();
        trackers.add(t);
        return t;
    }

    @Nullable
    FrozenMap get(String id) {
        return records.get(id);
    }

    int size() {
        return records.size();
    }

    Collection<FrozenMap> values() {
        return records.values();
    }

    Collection<FrozenMap> ofType(String typeName) {
        TreeMap<String, FrozenMap> m = byType.get(typeName);
        return m == null ? List.of() : m.values();
    }

    /** Sets (or with null removes) a record; a write of an equal value changes nothing. */
    void set(String id, @Nullable FrozenMap value) {
        FrozenMap old = records.get(id);
        if (Objects.equals(old, value)) {
            return;
        }
        for (Tracker t : trackers) {
            t.originals.putIfAbsent(id, new RecordsDiff.Change(old, null));
        }
        if (old != null) {
            String oldType = typeOf(old);
            TreeMap<String, FrozenMap> m = byType.get(oldType);
            if (m != null) {
                m.remove(id);
                if (m.isEmpty()) {
                    byType.remove(oldType);
                }
            }
        }
        if (value == null) {
            records.remove(id);
        } else {
            records.put(id, value);
            byType.computeIfAbsent(typeOf(value), k -> new TreeMap<>()).put(id, value);
        }
    }

    /** Sets every record of {@code diff} back to its value before the change. */
    void revert(RecordsDiff diff) {
        for (Map.Entry<String, RecordsDiff.Change> e : diff.changes().entrySet()) {
            set(e.getKey(), e.getValue().from());
        }
    }

    /**
     * Applies a protocol diff as tldraw's client does: a put creates or replaces, a patch of a missing
     * record and a remove of a missing record are skipped.
     */
    void apply(NetworkDiff diff) {
        for (Map.Entry<String, RecordOp> e : diff.ops().entrySet()) {
            String id = e.getKey();
            RecordOp op = e.getValue();
            if (op instanceof RecordOp.Put put) {
                set(id, (FrozenMap) (Object) put.record());
            } else if (op instanceof RecordOp.Patch patch) {
                FrozenMap prev = records.get(id);
                if (prev != null && patch.diff().apply(prev) instanceof FrozenMap next) {
                    set(id, next);
                }
            } else if (records.containsKey(id)) {
                set(id, null);
            }
        }
    }

    static String typeOf(Map<String, ?> record) {
        return record.get("typeName") instanceof String s ? s : "";
    }
}
