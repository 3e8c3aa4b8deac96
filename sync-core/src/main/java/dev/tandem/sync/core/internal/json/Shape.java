package dev.tandem.sync.core.internal.json;

import java.util.Arrays;
import java.util.HashMap;
import org.jspecify.annotations.Nullable;

/**
 * The keys of a {@link FrozenMap}, in order, shared by every object that has the same keys in the same order
 * (as JavaScript engines share hidden classes): the thousands of shapes of one type in a room hold one key
 * array between them, and each object keeps only its values. A small shape is searched linearly (keys are
 * mostly shared strings, so first by identity); one with {@link #INDEXED_FROM} or more keys carries a hash
 * index.
 *
 * <p>Shapes are shared through a lossy, direct-mapped cache of fixed size, like {@link Names}: bounded memory,
 * no locks; objects with unusual keys (record ids as keys in a diff) simply get a shape of their own.
 * Immutable and thread-safe.
 */
final class Shape {
    /** Shapes with at least this many keys get a hash index. */
    static final int INDEXED_FROM = 33;
    /**
     * Shapes whose keys add up to more characters are never kept by a shared table (this cache, {@link
     * CompactDictionary}): a client's record of long keys must not stay in memory after the record is gone.
     */
    static final int MAX_SHARED_KEY_CHARS = 512;

    static final Shape EMPTY = new Shape(new String[0]);

    private static final int SLOTS = 2048;
    private static final @Nullable Shape[] CACHE = new Shape[SLOTS];

    final String[] keys;
    private final @Nullable HashMap<String, Integer> index;
    final int hash;
    /** Whether shared tables may keep this shape: fewer than {@link #INDEXED_FROM} keys, short ones. */
    final boolean shareable;

    /** This shape's code in {@link CompactDictionary#SHARED}, or -1 while it has none. */
    volatile int code = -1;

    /** Each key as a JSON member name ({@code "key":}), made on first use by {@link #namesJson()}. */
    private volatile String @Nullable [] namesJson;

    private Shape(String[] keys) {
        this.keys = keys;
        this.hash = Arrays.hashCode(keys);
        long chars = 0;
        for (String k : keys) {
            chars += k.length();
        }
        this.shareable = keys.length < INDEXED_FROM && chars <= MAX_SHARED_KEY_CHARS;
        if (keys.length >= INDEXED_FROM) {
            HashMap<String, Integer> idx = new HashMap<>(keys.length * 2);
            for (int i = 0; i < keys.length; i++) {
                idx.put(keys[i], i);
            }
            index = idx;
        } else {
            index = null;
        }
    }

    /** Returns the shared shape of these distinct keys; takes ownership of {@code keys}. */
    static Shape of(String[] keys) {
        if (keys.length == 0) {
            return EMPTY;
        }
        int h = Arrays.hashCode(keys);
        int slot = (h ^ (h >>> 16)) & (SLOTS - 1);
        Shape cached = CACHE[slot];
        if (cached != null && cached.hash == h && sameKeys(cached.keys, keys)) {
            return cached;
        }
        Shape fresh = new Shape(keys);
        if (fresh.shareable) {
            CACHE[slot] = fresh; // large objects are rarely alike: keep the slots for records' objects
        }
        return fresh;
    }

    private static boolean sameKeys(String[] a, String[] b) {
        if (a.length != b.length) {
            return false;
        }
        for (int i = 0; i < a.length; i++) {
            if (a[i] != b[i] && !a[i].equals(b[i])) {
                return false;
            }
        }
        return true;
    }

    int size() {
        return keys.length;
    }

    /** Returns each key as a JSON member name with its colon ({@code "key":}), for writing JSON fast. */
    String[] namesJson() {
        String[] names = namesJson;
        if (names == null) {
            names = new String[keys.length];
            StringBuilder b = new StringBuilder();
            for (int i = 0; i < keys.length; i++) {
                b.setLength(0);
                JsonWriter.appendString(b, keys[i]);
                names[i] = b.append(':').toString();
            }
            namesJson = names;
        }
        return names;
    }

    /** Returns the position of {@code key}, or -1. */
    int find(@Nullable Object key) {
        if (index != null) {
            Integer at = index.get(key);
            return at == null ? -1 : at;
        }
        String[] k = keys;
        for (int i = 0; i < k.length; i++) {
            if (k[i] == key) {
                return i;
            }
        }
        if (key == null) {
            return -1;
        }
        for (int i = 0; i < k.length; i++) {
            if (key.equals(k[i])) {
                return i;
            }
        }
        return -1;
    }
}
