package dev.tandem.sync.core;

import dev.tandem.sync.core.internal.diff.Diffs;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A change to a JSON object (or list), key by key: the protocol's {@code ObjectDiff}. List elements are
 * addressed by their index as a decimal string.
 *
 * <p>Computed with {@link #diffRecord(Map, Map)} using tldraw 5.4.2's rules, applied with {@link
 * #apply(Object)} which never mutates its input. Immutable and thread-safe.
 */
public record ObjectDiff(Map<String, ValueOp> ops) {

    public ObjectDiff {
        ops = Json.frozenCopy(Objects.requireNonNull(ops, "ops"));
    }

    /** Returns a diff holding the given ops in their iteration order. */
    public static ObjectDiff of(Map<String, ValueOp> ops) {
        return new ObjectDiff(new LinkedHashMap<>(ops));
    }

    /** Returns true when the diff holds no op. */
    public boolean isEmpty() {
        return ops.isEmpty();
    }

    /**
     * Returns the diff that turns record {@code prev} into {@code next}, or {@code null} when they are
     * equal, following tldraw 5.4.2's {@code diffRecord}: {@code props} and {@code meta} are diffed
     * recursively, strings that only grow become appends, lists follow the append and patch thresholds.
     */
    public static @Nullable ObjectDiff diffRecord(Map<String, Object> prev, Map<String, Object> next) {
        return Diffs.diffRecord(prev, next, false);
    }

    /**
     * Like {@link #diffRecord(Map, Map)}, but in legacy append mode (a protocol v7 client is present)
     * string appends are sent as puts; list appends are unaffected.
     */
    public static @Nullable ObjectDiff diffRecord(
            Map<String, Object> prev, Map<String, Object> next, boolean legacyAppendMode) {
        return Diffs.diffRecord(prev, next, legacyAppendMode);
    }

    /**
     * Returns {@code value} with this diff applied. Returns the same instance when nothing changed,
     * otherwise a copy that shares unchanged children. A non-object input (null or a primitive) is
     * returned unchanged.
     */
    public @Nullable Object apply(@Nullable Object value) {
        return Diffs.applyObjectDiff(value, this);
    }
}
