package dev.tandem.sync.core.internal.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Turns arbitrary Java JSON values into Tandem's canonical immutable form: {@link FrozenMap}, {@link
 * FrozenList}, {@link String}, {@link Boolean}, {@code null}, and numbers as {@link Long} when integral
 * and within ±2^53 (so {@code 1} and {@code 1.0} are the same value, as in JavaScript) or {@link Double}
 * otherwise. With every value canonical, {@link Object#equals} is JSON deep equality.
 */
public final class Frozen {
    private static final double MAX_SAFE_INTEGER = 9007199254740991d;

    private Frozen() {}

    /** Returns the canonical frozen form of {@code value}; frozen input is returned as is. */
    public static @Nullable Object freeze(@Nullable Object value) {
        if (value instanceof String s) {
            return Names.value(s);
        }
        if (value == null || value instanceof Boolean || value instanceof FrozenMap || value instanceof FrozenList) {
            return value;
        }
        if (value instanceof Number n) {
            return number(n);
        }
        if (value instanceof CompactRecord c) {
            return c.tree();
        }
        if (value instanceof Map<?, ?> m) {
            return freezeMap(m);
        }
        if (value instanceof List<?> l) {
            ArrayList<@Nullable Object> copy = new ArrayList<>(l.size());
            for (Object o : l) {
                copy.add(freeze(o));
            }
            return FrozenList.copyOf(copy);
        }
        if (value instanceof Character c) {
            return String.valueOf(c);
        }
        throw new IllegalArgumentException(
                "not a JSON value: " + value.getClass().getName());
    }

    /** Returns the canonical frozen form of a JSON object. */
    public static FrozenMap freezeMap(Map<?, ?> m) {
        if (m instanceof FrozenMap f) {
            return f;
        }
        if (m instanceof CompactRecord c) {
            return c.tree();
        }
        @Nullable Object[] kv = new Object[m.size() << 1];
        int i = 0;
        for (Map.Entry<?, ?> e : m.entrySet()) {
            if (!(e.getKey() instanceof String key)) {
                throw new IllegalArgumentException("JSON object keys must be strings but was " + e.getKey());
            }
            kv[i++] = Names.key(key);
            kv[i++] = freeze(e.getValue());
        }
        return FrozenMap.ofArray(kv);
    }

    /** Returns the frozen object holding the entries of a map whose values are already frozen, in its order. */
    public static FrozenMap adoptMap(LinkedHashMap<String, @Nullable Object> frozenValues) {
        return FrozenMap.copyOf(frozenValues);
    }

    /** Returns the frozen array holding the elements of a list that are already frozen. */
    public static FrozenList adoptList(ArrayList<@Nullable Object> frozenElements) {
        return FrozenList.copyOf(frozenElements);
    }

    /** Returns the empty frozen object. */
    public static FrozenMap emptyMap() {
        return FrozenMap.EMPTY;
    }

    /** Returns the empty frozen list. */
    public static FrozenList emptyList() {
        return FrozenList.EMPTY;
    }

    /** Returns the canonical form of a number: Long when integral and safe, Double otherwise. */
    public static Object number(Number n) {
        if (n instanceof Long l) {
            // Beyond ±2^53 JavaScript cannot hold the value exactly; it becomes the nearest double.
            return Math.abs((double) l) <= MAX_SAFE_INTEGER ? l : (Object) (double) l;
        }
        if (n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return n.longValue();
        }
        if (n instanceof BigInteger b) {
            return b.bitLength() < 54 ? (Object) b.longValue() : (Object) b.doubleValue();
        }
        double d = n instanceof BigDecimal bd ? bd.doubleValue() : n.doubleValue();
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            throw new IllegalArgumentException("not a JSON number: " + d);
        }
        if (d == Math.rint(d) && Math.abs(d) <= MAX_SAFE_INTEGER) {
            return (long) d; // also folds -0.0 into 0, as lodash isEqual does
        }
        return n instanceof Double ? n : (Object) d;
    }
}
