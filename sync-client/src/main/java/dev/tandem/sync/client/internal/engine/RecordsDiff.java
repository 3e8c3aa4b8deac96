package dev.tandem.sync.client.internal.engine;

import dev.tandem.sync.client.ChangeSource;
import dev.tandem.sync.client.StoreChange;
import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.internal.json.FrozenMap;
import java.util.Collections;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A net change to a set of records, id → (value before, value after), null meaning absent: tldraw's {@code
 * RecordsDiff} with added ({@code from == null}), updated and removed ({@code to == null}) in one map. An
 * entry never has {@code from} equal to {@code to}. Immutable.
 */
final class RecordsDiff {
    static final RecordsDiff EMPTY = new RecordsDiff(Map.of());

    /** One record's change. */
    record Change(@Nullable FrozenMap from, @Nullable FrozenMap to) {}

    private final Map<String, Change> changes;

    private RecordsDiff(Map<String, Change> changes) {
        this.changes = changes;
    }

    /** Builds a diff from before/after values, dropping unchanged ones; takes ownership of the map. */
    static RecordsDiff of(LinkedHashMap<String, Change> changes) {
        changes.values().removeIf(c -> Objects.equals(c.from(), c.to()));
        return changes.isEmpty() ? EMPTY : new RecordsDiff(Collections.unmodifiableMap(changes));
    }

    Map<String, Change> changes() {
        return changes;
    }

    boolean isEmpty() {
        return changes.isEmpty();
    }

    /** Returns the change of this diff followed by {@code next}: tldraw's {@code squashRecordDiffs}. */
    RecordsDiff then(RecordsDiff next) {
        if (isEmpty()) {
            return next;
        }
        if (next.isEmpty()) {
            return this;
        }
        LinkedHashMap<String, Change> out = new LinkedHashMap<>(changes);
        for (Map.Entry<String, Change> e : next.changes.entrySet()) {
            Change first = out.get(e.getKey());
            FrozenMap from = first != null ? first.from() : e.getValue().from();
            out.put(e.getKey(), new Change(from, e.getValue().to()));
        }
        return of(out);
    }

    /**
     * Returns the protocol diff of this change, or null if empty: additions become puts, updates patches
     * ({@link ObjectDiff#diffRecord}), removals removes — tldraw's {@code getNetworkDiff}.
     */
    @Nullable
    NetworkDiff toNetworkDiff() {
        LinkedHashMap<String, RecordOp> ops = new LinkedHashMap<>();
        for (Map.Entry<String, Change> e : changes.entrySet()) {
            Change c = e.getValue();
            if (c.from() == null) {
                ops.put(e.getKey(), new RecordOp.Put(asRecord(c.to())));
            } else if (c.to() == null) {
                ops.put(e.getKey(), RecordOp.Remove.INSTANCE);
            } else {
                ObjectDiff d = ObjectDiff.diffRecord(asRecord(c.from()), asRecord(c.to()));
                if (d != null) {
                    ops.put(e.getKey(), new RecordOp.Patch(d));
                }
            }
        }
        return ops.isEmpty() ? null : new NetworkDiff(ops);
    }

    /** Returns this change as a listener event. */
    StoreChange toStoreChange(ChangeSource source) {
        Map<String, Map<String, Object>> added = new HashMap<>();
        Map<String, StoreChange.Update> updated = new HashMap<>();
        Map<String, Map<String, Object>> removed = new HashMap<>();
        for (Map.Entry<String, Change> e : changes.entrySet()) {
            Change c = e.getValue();
            if (c.from() == null) {
                added.put(e.getKey(), asRecord(c.to()));
            } else if (c.to() == null) {
                removed.put(e.getKey(), asRecord(c.from()));
            } else {
                updated.put(e.getKey(), new StoreChange.Update(asRecord(c.from()), asRecord(c.to())));
            }
        }
        return new StoreChange(source, added, updated, removed);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asRecord(@Nullable FrozenMap m) {
        return (Map<String, Object>) (Map<String, ?>) Objects.requireNonNull(m);
    }

    @Override
    public String toString() {
        return changes.toString();
    }
}
