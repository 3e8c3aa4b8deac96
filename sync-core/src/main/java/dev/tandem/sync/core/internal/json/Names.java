package dev.tandem.sync.core.internal.json;

import org.jspecify.annotations.Nullable;

/**
 * Shares the {@link String} instances of object keys and short string values that recur in every record
 * ({@code "typeName"}, {@code "props"}, {@code "black"}, {@code "solid"}…), so a room of many records holds
 * each such string once instead of once per record.
 *
 * <p>A lossy, direct-mapped cache of fixed size: a string hashes to one slot and replaces whatever other
 * string was there, so memory is bounded and unique strings (record ids) cost one lookup and are never
 * retained beyond their slot. Thread-safe without locks: slots hold immutable strings, and a racing reader
 * at worst misses and keeps its own copy.
 */
final class Names {
    /** Keys longer than this are kept as given (record ids used as keys are longer, and unique). */
    static final int MAX_KEY_CHARS = 24;
    /** String values longer than this are kept as given. */
    static final int MAX_VALUE_CHARS = 16;

    private static final int SLOTS = 4096;
    private static final @Nullable String[] KEYS = new String[SLOTS];
    private static final @Nullable String[] VALUES = new String[SLOTS];

    private Names() {}

    /** Returns the shared instance equal to {@code key}, making {@code key} the shared one if none is. */
    static String key(String key) {
        return key.length() > MAX_KEY_CHARS ? key : share(KEYS, key);
    }

    /** Returns the shared instance equal to a string value, when it is short. */
    static String value(String value) {
        return value.length() > MAX_VALUE_CHARS ? value : share(VALUES, value);
    }

    private static String share(@Nullable String[] table, String s) {
        int h = s.hashCode();
        int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
        String cached = table[slot];
        if (cached != null && cached.equals(s)) {
            return cached;
        }
        table[slot] = s;
        return s;
    }
}
