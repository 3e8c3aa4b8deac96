package dev.tandem.sync.core.internal.json;

import java.util.Arrays;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import org.jspecify.annotations.Nullable;

/**
 * The stable dictionary of {@link CompactRecord}'s encoding: object key sets ({@link Shape}s) and short string
 * values that recur across records, each given a code once and for the life of the process, so an encoded
 * record names its keys and common strings ({@code "rectangle"}, {@code "black"}, a page id) by a code of one
 * or two bytes.
 *
 * <p>Bounded: at most {@link #MAX_SHAPES} shapes (each of fewer than {@link Shape#INDEXED_FROM} keys of at most
 * {@link Shape#MAX_SHARED_KEY_CHARS} characters in all) and {@link #MAX_STRINGS} strings of at most {@link
 * #MAX_STRING_CHARS} characters. A code is never reused or changed (encoded records keep referring to it), so
 * once a table is full, new key sets and strings are simply written inline: records grow, but stay exact. A
 * value gets a code only when it is seen a second time (a lossy table of recent candidates remembers the first
 * sighting), so one-off keys and strings — record ids, labels — do not use up the tables; an attacker who
 * sends millions of distinct key sets fills them, after which new records are written with inline keys.
 *
 * <p>Thread-safe: lookups are lock-free; codes are given out under a lock and published before any record that
 * uses them.
 */
final class CompactDictionary {
    /** The most key sets given a code in the shared dictionary. */
    static final int MAX_SHAPES = 8192;
    /** The most strings given a code in the shared dictionary. */
    static final int MAX_STRINGS = 32768;
    /** Longer strings are always written inline. */
    static final int MAX_STRING_CHARS = 32;

    /** The dictionary of every {@link CompactRecord}. */
    static final CompactDictionary SHARED = new CompactDictionary(MAX_SHAPES, MAX_STRINGS);

    private static final int CANDIDATE_SLOTS = 4096;

    private final Shape[] shapes;
    private final ConcurrentHashMap<List<String>, Integer> shapeCodes = new ConcurrentHashMap<>();
    private final @Nullable Shape[] shapeCandidates = new Shape[CANDIDATE_SLOTS];
    private int shapeCount;

    private final String[] strings;
    /** Each coded string as a JSON literal, for writing JSON straight from the encoded form. */
    private final String[] stringsJson;

    private final ConcurrentHashMap<String, Integer> stringCodes = new ConcurrentHashMap<>();
    private final @Nullable String[] stringCandidates = new String[CANDIDATE_SLOTS];
    private int stringCount;

    /** Creates an empty dictionary of at most {@code maxShapes} shapes and {@code maxStrings} strings. */
    CompactDictionary(int maxShapes, int maxStrings) {
        shapes = new Shape[maxShapes];
        strings = new String[maxStrings];
        stringsJson = new String[maxStrings];
    }

    /** Returns the code of {@code shape}, giving it one if it was seen before and there is room; else -1. */
    int shapeCode(Shape shape) {
        if (!shape.shareable) {
            return -1; // many or long keys: written inline, never kept
        }
        boolean shared = this == SHARED;
        if (shared && shape.code >= 0) {
            return shape.code; // the shared dictionary's code, remembered on the shape
        }
        List<String> keys = Arrays.asList(shape.keys);
        Integer known = shapeCodes.get(keys);
        if (known == null) {
            known = register(shape, keys);
            if (known < 0) {
                return -1;
            }
        }
        if (shared) {
            shape.code = known;
        }
        return known;
    }

    private int register(Shape shape, List<String> keys) {
        int h = shape.hash;
        int slot = (h ^ (h >>> 16)) & (CANDIDATE_SLOTS - 1);
        Shape seen = shapeCandidates[slot];
        if (seen == null || (seen != shape && !Arrays.equals(seen.keys, shape.keys))) {
            shapeCandidates[slot] = shape;
            return -1;
        }
        synchronized (this) {
            Integer known = shapeCodes.get(keys);
            if (known == null) {
                if (shapeCount == shapes.length) {
                    return -1;
                }
                known = shapeCount++;
                shapes[known] = shape;
                shapeCodes.put(keys, known);
            }
            return known;
        }
    }

    /** Returns the shape of {@code code}. */
    Shape shape(int code) {
        return shapes[code];
    }

    /** Returns the code of {@code s}, giving it one if it was seen before and there is room; else -1. */
    int stringCode(String s) {
        if (s.length() > MAX_STRING_CHARS) {
            return -1;
        }
        Integer known = stringCodes.get(s);
        if (known != null) {
            return known;
        }
        int h = s.hashCode();
        int slot = (h ^ (h >>> 16)) & (CANDIDATE_SLOTS - 1);
        String seen = stringCandidates[slot];
        if (seen == null || !seen.equals(s)) {
            stringCandidates[slot] = s;
            return -1;
        }
        synchronized (this) {
            known = stringCodes.get(s);
            if (known == null) {
                if (stringCount == strings.length) {
                    return -1;
                }
                known = stringCount++;
                String shared = Names.value(s);
                strings[known] = shared;
                StringBuilder json = new StringBuilder(s.length() + 2);
                JsonWriter.appendString(json, shared);
                stringsJson[known] = json.toString();
                stringCodes.put(shared, known);
            }
        }
        return known;
    }

    /** Returns the string of {@code code}. */
    String string(int code) {
        return strings[code];
    }

    /** Returns the string of {@code code} as a JSON string literal. */
    String stringJson(int code) {
        return stringsJson[code];
    }

    /** Returns how many shapes and strings have codes, for tests: {@code {shapes, strings}}. */
    synchronized int[] counts() {
        return new int[] {shapeCount, stringCount};
    }
}
