package dev.tandem.sync.core.internal.json;

import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Estimates the length of a value's compact JSON text in characters without writing it: exact for
 * structure, keys and plain strings; escapes count as one character and numbers as their shortest digits
 * approximately. Good enough for size limits, cheap enough for every push. Stateless and thread-safe.
 */
public final class JsonSize {
    private JsonSize() {}

    /** Returns the estimated JSON length of {@code value}. */
    public static long of(@Nullable Object value) {
        if (value == null) {
            return 4;
        }
        if (value instanceof String s) {
            return s.length() + 2L;
        }
        if (value instanceof Boolean b) {
            return b ? 4 : 5;
        }
        if (value instanceof Long l) {
            return l >= 0 && l < 10 ? 1 : Long.toString(l).length();
        }
        if (value instanceof Number) {
            return 18;
        }
        if (value instanceof FrozenMap m) {
            int n = m.size();
            long size = 2 + Math.max(0, n - 1);
            for (int i = 0; i < n; i++) {
                size += m.keyAt(i).length() + 3L + of(m.valueAt(i));
            }
            return size;
        }
        if (value instanceof CompactRecord c) {
            return of(c.tree());
        }
        if (value instanceof Map<?, ?> m) {
            long size = 2 + Math.max(0, m.size() - 1);
            for (Map.Entry<?, ?> e : m.entrySet()) {
                size += ((String) e.getKey()).length() + 3L + of(e.getValue());
            }
            return size;
        }
        if (value instanceof List<?> list) {
            long size = 2 + Math.max(0, list.size() - 1);
            for (Object o : list) {
                size += of(o);
            }
            return size;
        }
        return 0;
    }
}
