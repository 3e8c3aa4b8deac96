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
    /** Keys up to this length share the table of common names. */
    static final int MAX_KEY_CHARS = 24;
    /** String values up to this length share the table of common values. */
    static final int MAX_VALUE_CHARS = 16;
    /**
     * Longer keys up to this length (record ids: a diff is keyed by them) go to a table of their own, where the
     * record's {@code id} value parsed right after finds them: the room's index, the record and the store then
     * hold one string.
     */
    static final int MAX_ID_CHARS = 64;

    private static final int SLOTS = 4096;
    private static final @Nullable String[] KEYS = new String[SLOTS];
    private static final @Nullable String[] VALUES = new String[SLOTS];
    private static final @Nullable String[] IDS = new String[SLOTS];

    private Names() {}

    /** Returns the shared instance equal to {@code key}, making {@code key} the shared one if none is. */
    static String key(String key) {
        int length = key.length();
        if (length <= MAX_KEY_CHARS) {
            return share(KEYS, key, true);
        }
        return length <= MAX_ID_CHARS ? share(IDS, key, true) : key;
    }

    /** Returns the shared instance equal to a string value, when it is short or a recent key. */
    static String value(String value) {
        int length = value.length();
        if (length <= MAX_VALUE_CHARS) {
            return share(VALUES, value, true);
        }
        return length <= MAX_ID_CHARS ? share(IDS, value, false) : value;
    }

    private static String share(@Nullable String[] table, String s, boolean insert) {
        int h = s.hashCode();
        int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
        String cached = table[slot];
        if (cached != null && cached.equals(s)) {
            return cached;
        }
        if (insert) {
            table[slot] = s;
        }
        return s;
    }
}
