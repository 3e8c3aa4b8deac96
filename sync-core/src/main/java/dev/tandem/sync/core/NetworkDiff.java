package dev.tandem.sync.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;

/**
 * A change to a set of records keyed by record id: the protocol's {@code NetworkDiff}. Immutable and
 * thread-safe; iteration order is the order ops were added.
 */
public record NetworkDiff(Map<String, RecordOp> ops) {

    /** The diff with no ops. */
    public static final NetworkDiff EMPTY = new NetworkDiff(Map.of());

    public NetworkDiff {
        ops = Json.frozenCopy(Objects.requireNonNull(ops, "ops"));
    }

    /** Returns a diff holding the given ops in their iteration order. */
    public static NetworkDiff of(Map<String, RecordOp> ops) {
        return new NetworkDiff(new LinkedHashMap<>(ops));
    }

    /** Returns true when the diff holds no op. */
    public boolean isEmpty() {
        return ops.isEmpty();
    }

    /** Returns the number of records this diff touches. */
    public int size() {
        return ops.size();
    }
}
