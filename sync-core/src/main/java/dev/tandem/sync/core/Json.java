package dev.tandem.sync.core;

import dev.tandem.sync.core.internal.json.CompactRecord;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.json.JsonCodec;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * JSON values as Tandem sees them: objects are {@code Map<String, Object>}, arrays are {@code List<Object>},
 * and leaves are {@link String}, {@link Boolean}, {@code null} and numbers. Inside Tandem every value is
 * frozen (immutable) and canonical: integral numbers within ±2^53 are {@link Long}, others {@link Double},
 * so {@link Object#equals(Object)} is JSON deep equality (as lodash {@code isEqual} treats JSON).
 *
 * <p>Callers may pass any maps, lists and numbers; they are copied into the frozen form on the way in.
 * Thread-safe.
 */
public final class Json {
    private Json() {}

    /**
     * Parses JSON text into a frozen value.
     *
     * @throws IllegalArgumentException if the text is not one well-formed JSON value
     */
    public static @Nullable Object parse(String text) {
        return JsonCodec.parse(text);
    }

    /** Returns the JSON text of a value (compact, no whitespace). */
    public static String stringify(@Nullable Object value) {
        return JsonCodec.stringify(value);
    }

    /** Returns the frozen, canonical form of a JSON value; frozen input is returned as is. */
    public static @Nullable Object freeze(@Nullable Object value) {
        return Frozen.freeze(value);
    }

    /** Returns true when two JSON values are deep-equal, numbers compared by value. */
    public static boolean deepEquals(@Nullable Object a, @Nullable Object b) {
        return a == b || (a != null && b != null && Frozen.freeze(a).equals(Frozen.freeze(b)));
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> frozenObject(Map<String, ?> record) {
        if (record instanceof CompactRecord compact) {
            return (Map<String, Object>) (Map<String, ?>) compact; // immutable already, and shared as it is
        }
        FrozenMap frozen = Frozen.freezeMap(record);
        return (Map<String, Object>) (Map<String, ?>) frozen;
    }

    static <V> Map<String, V> frozenCopy(Map<String, V> ops) {
        if (ops instanceof dev.tandem.sync.core.internal.json.FrozenOps<V> adopted) {
            return adopted; // built and given up by core code: already immutable and checked
        }
        for (Map.Entry<String, V> e : ops.entrySet()) {
            java.util.Objects.requireNonNull(e.getKey(), "key");
            java.util.Objects.requireNonNull(e.getValue(), () -> "op for key " + e.getKey());
        }
        return java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(ops));
    }
}
