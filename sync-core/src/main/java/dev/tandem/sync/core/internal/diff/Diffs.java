package dev.tandem.sync.core.internal.diff;

import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.ValueOp;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenList;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.json.FrozenOps;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * tldraw 5.4.2's object diff algorithm: {@code diffRecord} computes the {@link ObjectDiff} that turns one
 * record into another, {@code applyObjectDiff} applies one. Both work on frozen JSON values (see {@link
 * Frozen}), so {@link Object#equals} is the deep equality tldraw uses ({@code lodash.isEqual}).
 *
 * <p>Results equal tldraw 5.4.2's as JSON, op order included, except in these cases, none of which arise
 * with tldraw's record types or with diffs tldraw computes:
 *
 * <ul>
 *   <li>A list on one side and an object on the other is a {@code put}, never a {@code patch}: 5.4.2's patch
 *       of that shape does not apply back (tldraw 5.5 has the same fix).
 *   <li>Keys are an object's own keys. 5.4.2 tests presence with JavaScript's {@code in}, which also sees
 *       inherited members, so it never adds a key named like one ({@code toString}, {@code constructor})
 *       and turns deleting one into a {@code put} of {@code null}; tldraw 5.5 has the same fix.
 *   <li>Keys named {@code __proto__} are skipped: diffs never hold an op for one and ops keyed so are ignored
 *       when applying, as in tldraw 5.5; in 5.4.2 they change a prototype, which JSON never shows.
 *   <li>When applying to a list, only canonical index keys ({@code "0"}, {@code "17"}) address elements; a
 *       {@code put} may extend the list by one element but a sparse write is ignored (5.4.2 pads with
 *       holes, an unbounded allocation when a peer is hostile); a {@code delete} sets the element to {@code
 *       null}, as JSON writes 5.4.2's hole.
 *   <li>Ops without a visible effect (an empty append, deleting a {@code null} element) return the input
 *       itself where 5.4.2 returns an equal copy.
 * </ul>
 *
 * <p>Stateless and thread-safe. Public only because {@link ObjectDiff} delegates here; not an API.
 */
public final class Diffs {
    private static final String PROPS = "props";
    private static final String META = "meta";
    private static final String PROTO = "__proto__";
    private static final ValueOp.Delete DELETE = ValueOp.Delete.INSTANCE;

    /** Marks "this op changes nothing", since {@code null} is a JSON value. */
    private static final Object UNCHANGED = new Object();

    private Diffs() {}

    /**
     * Returns the diff that turns {@code prev} into {@code next}, or {@code null} when they are deep-equal.
     * With {@code legacyAppendMode}, string appends are sent as puts (for protocol v7 clients).
     */
    public static @Nullable ObjectDiff diffRecord(
            Map<String, Object> prev, Map<String, Object> next, boolean legacyAppendMode) {
        Objects.requireNonNull(prev, "prev");
        Objects.requireNonNull(next, "next");
        LinkedHashMap<String, ValueOp> ops =
                diffObject(Frozen.freezeMap(prev), Frozen.freezeMap(next), true, legacyAppendMode);
        return ops == null ? null : new ObjectDiff(FrozenOps.adopt(ops));
    }

    /**
     * Returns {@code value} with {@code diff} applied, without mutating it. Returns {@code value} itself when
     * no op changes anything; otherwise a frozen copy that shares every unchanged child. A value that is
     * not an object or a list is returned unchanged.
     */
    public static @Nullable Object applyObjectDiff(@Nullable Object value, ObjectDiff diff) {
        Objects.requireNonNull(diff, "diff");
        if (value instanceof FrozenMap map) {
            return applyToMap(map, diff);
        }
        if (value instanceof FrozenList list) {
            return applyToList(list, diff);
        }
        if (value instanceof Map<?, ?> || value instanceof List<?>) {
            Object frozen = Frozen.freeze(value);
            Object applied = applyObjectDiff(frozen, diff);
            return applied == frozen ? value : applied;
        }
        return value;
    }

    /**
     * Diffs two objects key by key. Only at the top level ({@code topLevel}) are {@code props} and {@code
     * meta} diffed as values; at every level, any other key holding two objects is compared whole and put.
     */
    private static @Nullable LinkedHashMap<String, ValueOp> diffObject(
            FrozenMap prev, FrozenMap next, boolean topLevel, boolean legacyAppendMode) {
        if (prev == next) {
            return null;
        }
        LinkedHashMap<String, ValueOp> ops = null;
        int shared = 0;
        for (Map.Entry<String, @Nullable Object> e : prev.entrySet()) {
            String key = e.getKey();
            if (PROTO.equals(key)) {
                continue;
            }
            @Nullable Object prevValue = e.getValue();
            @Nullable Object nextValue = next.get(key);
            if (nextValue == null && !next.containsKey(key)) {
                ops = add(ops, key, DELETE);
                continue;
            }
            shared++;
            ValueOp op;
            if ((topLevel && (PROPS.equals(key) || META.equals(key)))
                    || (prevValue instanceof FrozenList && nextValue instanceof FrozenList)
                    || (prevValue instanceof String && nextValue instanceof String)) {
                op = diffValue(prevValue, nextValue, legacyAppendMode);
            } else {
                op = Objects.equals(prevValue, nextValue) ? null : new ValueOp.Put(nextValue);
            }
            if (op != null) {
                ops = add(ops, key, op);
            }
        }
        if (shared != next.size()) {
            for (Map.Entry<String, @Nullable Object> e : next.entrySet()) {
                if (!prev.containsKey(e.getKey()) && !PROTO.equals(e.getKey())) {
                    ops = add(ops, e.getKey(), new ValueOp.Put(e.getValue()));
                }
            }
        }
        return ops;
    }

    /** Diffs two values reached through props/meta or a list element: the only place objects recurse. */
    private static @Nullable ValueOp diffValue(@Nullable Object prev, @Nullable Object next, boolean legacyAppendMode) {
        if (prev == next) {
            return null;
        }
        if (prev instanceof FrozenList prevList && next instanceof FrozenList nextList) {
            return diffList(prevList, nextList, legacyAppendMode);
        }
        if (prev instanceof String prevString && next instanceof String nextString) {
            return diffString(prevString, nextString, legacyAppendMode);
        }
        if (prev instanceof FrozenMap prevMap && next instanceof FrozenMap nextMap) {
            LinkedHashMap<String, ValueOp> ops = diffObject(prevMap, nextMap, false, legacyAppendMode);
            return ops == null ? null : new ValueOp.Patch(new ObjectDiff(FrozenOps.adopt(ops)));
        }
        return Objects.equals(prev, next) ? null : new ValueOp.Put(next);
    }

    private static @Nullable ValueOp diffString(String prev, String next, boolean legacyAppendMode) {
        if (prev.equals(next)) {
            return null;
        }
        if (!legacyAppendMode && next.startsWith(prev)) {
            // Offsets count UTF-16 code units, as JavaScript's String.length does.
            return new ValueOp.Append(next.substring(prev.length()), prev.length());
        }
        return new ValueOp.Put(next);
    }

    private static @Nullable ValueOp diffList(FrozenList prev, FrozenList next, boolean legacyAppendMode) {
        if (prev == next) {
            return null;
        }
        int size = prev.size();
        if (size == next.size()) {
            return diffSameSizeList(prev, next, legacyAppendMode);
        }
        if (next.size() < size) {
            return new ValueOp.Put(next);
        }
        for (int i = 0; i < size; i++) {
            if (!Objects.equals(prev.get(i), next.get(i))) {
                return new ValueOp.Put(next);
            }
        }
        return new ValueOp.Append(Frozen.adoptList(new ArrayList<>(next.subList(size, next.size()))), size);
    }

    /** Patches at most {@code max(size / 5, 1)} changed indices; more than that puts the whole list. */
    private static @Nullable ValueOp diffSameSizeList(FrozenList prev, FrozenList next, boolean legacyAppendMode) {
        int size = prev.size();
        double maxPatched = Math.max(size / 5.0, 1.0);
        int[] changed = null;
        int count = 0;
        for (int i = 0; i < size; i++) {
            if (!Objects.equals(prev.get(i), next.get(i))) {
                if (count + 1 > maxPatched) {
                    return new ValueOp.Put(next);
                }
                if (changed == null) {
                    changed = new int[Math.min((int) maxPatched, 8)];
                } else if (count == changed.length) {
                    changed = Arrays.copyOf(changed, Math.min((int) maxPatched, count * 2));
                }
                changed[count++] = i;
            }
        }
        if (changed == null) {
            return null;
        }
        LinkedHashMap<String, ValueOp> ops = new LinkedHashMap<>();
        for (int c = 0; c < count; c++) {
            int i = changed[c];
            Object prevItem = prev.get(i);
            Object nextItem = next.get(i);
            ValueOp op;
            if (!isTruthy(prevItem) || !isTruthy(nextItem)) {
                op = new ValueOp.Put(nextItem);
            } else if (isObjectOrList(prevItem) && isObjectOrList(nextItem)) {
                op = diffValue(prevItem, nextItem, legacyAppendMode);
            } else {
                op = new ValueOp.Put(nextItem);
            }
            if (op != null) {
                ops.put(Integer.toString(i), op);
            }
        }
        return new ValueOp.Patch(new ObjectDiff(FrozenOps.adopt(ops)));
    }

    private static LinkedHashMap<String, ValueOp> add(
            @Nullable LinkedHashMap<String, ValueOp> ops, String key, ValueOp op) {
        LinkedHashMap<String, ValueOp> result = ops == null ? new LinkedHashMap<>() : ops;
        result.put(key, op);
        return result;
    }

    /** JavaScript truthiness: {@code null}, {@code false}, {@code 0}, {@code NaN} and {@code ""} are falsy. */
    private static boolean isTruthy(@Nullable Object value) {
        if (value == null || Boolean.FALSE.equals(value)) {
            return false;
        }
        if (value instanceof String s) {
            return !s.isEmpty();
        }
        if (value instanceof Long l) {
            return l != 0L;
        }
        if (value instanceof Double d) {
            return d != 0.0 && !d.isNaN();
        }
        return true;
    }

    private static boolean isObjectOrList(@Nullable Object value) {
        return value instanceof FrozenMap || value instanceof FrozenList;
    }

    private static FrozenMap applyToMap(FrozenMap target, ObjectDiff diff) {
        LinkedHashMap<String, @Nullable Object> copy = null;
        for (Map.Entry<String, ValueOp> e : diff.ops().entrySet()) {
            String key = e.getKey();
            if (PROTO.equals(key)) {
                continue;
            }
            ValueOp op = e.getValue();
            Object current = target.get(key);
            if (op instanceof ValueOp.Delete) {
                if (current != null || target.containsKey(key)) {
                    copy = copy == null ? target.mutableCopy() : copy;
                    copy.remove(key);
                }
                continue;
            }
            boolean present = current != null || target.containsKey(key);
            Object replacement = applyOp(current, present, op);
            if (replacement != UNCHANGED) {
                copy = copy == null ? target.mutableCopy() : copy;
                copy.put(key, replacement);
            }
        }
        return copy == null ? target : Frozen.adoptMap(copy);
    }

    private static FrozenList applyToList(FrozenList target, ObjectDiff diff) {
        Map<String, ValueOp> ops = diff.ops();
        if (ops.isEmpty()) {
            return target;
        }
        int[] indices = new int[ops.size()];
        ValueOp[] byIndex = new ValueOp[ops.size()];
        int n = 0;
        boolean ascending = true;
        for (Map.Entry<String, ValueOp> e : ops.entrySet()) {
            int index = arrayIndex(e.getKey());
            if (index < 0) {
                continue; // not an element: JSON cannot carry the property it would name
            }
            ascending &= n == 0 || indices[n - 1] < index;
            indices[n] = index;
            byIndex[n] = e.getValue();
            n++;
        }
        if (!ascending) {
            sortByIndex(indices, byIndex, n);
        }
        ArrayList<@Nullable Object> copy = null;
        int size = target.size();
        for (int k = 0; k < n; k++) {
            int index = indices[k];
            ValueOp op = byIndex[k];
            boolean present = index < size;
            Object current = present ? target.get(index) : null;
            Object replacement;
            if (op instanceof ValueOp.Delete) {
                replacement = current == null ? UNCHANGED : null;
            } else {
                replacement = applyOp(current, present, op);
            }
            if (replacement == UNCHANGED) {
                continue;
            }
            int length = copy == null ? size : copy.size();
            if (index > length) {
                continue; // a sparse write: tldraw never sends one, and it would cost unbounded memory
            }
            copy = copy == null ? target.mutableCopy() : copy;
            if (index == length) {
                copy.add(replacement);
            } else {
                copy.set(index, replacement);
            }
        }
        return copy == null ? target : Frozen.adoptList(copy);
    }

    /** Returns the new value of one key or element under a put, append or patch, or {@link #UNCHANGED}. */
    private static @Nullable Object applyOp(@Nullable Object current, boolean present, ValueOp op) {
        if (op instanceof ValueOp.Put put) {
            Object value = Frozen.freeze(put.value());
            return present && Objects.equals(current, value) ? UNCHANGED : value;
        }
        if (op instanceof ValueOp.Append append) {
            return applyAppend(current, append);
        }
        if (op instanceof ValueOp.Patch patch) {
            if (current instanceof FrozenMap || current instanceof FrozenList) {
                Object patched = applyObjectDiff(current, patch.diff());
                return patched == current ? UNCHANGED : patched;
            }
            return UNCHANGED;
        }
        throw new IllegalArgumentException("unknown op " + op);
    }

    /** Appends only onto a value of the same kind whose length is exactly the offset; else ignores. */
    private static Object applyAppend(@Nullable Object current, ValueOp.Append append) {
        Object value = append.value();
        int offset = append.offset();
        if (current instanceof FrozenList list && value instanceof List<?> tail && list.size() == offset) {
            if (tail.isEmpty()) {
                return UNCHANGED;
            }
            ArrayList<@Nullable Object> joined = new ArrayList<>(list.size() + tail.size());
            joined.addAll(list);
            for (Object item : tail) {
                joined.add(Frozen.freeze(item));
            }
            return Frozen.adoptList(joined);
        }
        if (current instanceof String string && value instanceof String tail && string.length() == offset) {
            return tail.isEmpty() ? UNCHANGED : string.concat(tail);
        }
        return UNCHANGED;
    }

    /** Parses a canonical list index ({@code "0"}, {@code "12"}, no sign or leading zero); else -1. */
    static int arrayIndex(String key) {
        int length = key.length();
        if (length == 0 || length > 9 || (length > 1 && key.charAt(0) == '0')) {
            return -1;
        }
        int index = 0;
        for (int i = 0; i < length; i++) {
            char c = key.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
            index = index * 10 + (c - '0');
        }
        return index;
    }

    private static void sortByIndex(int[] indices, ValueOp[] ops, int n) {
        Integer[] order = new Integer[n];
        for (int i = 0; i < n; i++) {
            order[i] = i;
        }
        Arrays.sort(order, (a, b) -> Integer.compare(indices[a], indices[b]));
        int[] sortedIndices = new int[n];
        ValueOp[] sortedOps = new ValueOp[n];
        for (int i = 0; i < n; i++) {
            sortedIndices[i] = indices[order[i]];
            sortedOps[i] = ops[order[i]];
        }
        System.arraycopy(sortedIndices, 0, indices, 0, n);
        System.arraycopy(sortedOps, 0, ops, 0, n);
    }
}
