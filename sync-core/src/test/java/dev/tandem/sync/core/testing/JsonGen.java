package dev.tandem.sync.core.testing;

import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenList;
import dev.tandem.sync.core.internal.json.FrozenMap;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;

/**
 * Generators and shrinkers for frozen JSON values (see {@link Frozen}): nested objects and lists, strings
 * with non-ASCII, astral-plane, control and line-separator characters (never lone surrogates), integral
 * numbers up to ±2^53, non-integral doubles, booleans and {@code null}. Object keys come from a small pool,
 * so two generated objects often share keys.
 *
 * <p>Stateless and thread-safe.
 */
public final class JsonGen {
    private static final List<String> ASCII = List.of("a", "b", "x", "hello", " ", "Z9", "-", "\"", "\\", "/", "{}");
    private static final List<String> NON_ASCII =
            List.of("é", "ß", "中文", "ж", "\u00a0", "\u200b", "e\u0301", "\ufeff", "\uffff");
    private static final List<String> ASTRAL = List.of("😀", "𝄞", "👍🏽", "🏳️‍🌈", "\ud800\udc00");
    private static final List<String> CONTROL = List.of("\u2028", "\u2029", "\n", "\t", "\r", "\u0000", "\u001f");
    private static final List<String> KEYS = List.of(
            "a", "b", "c", "x", "y", "w", "h", "id", "type", "text", "color", "props", "meta", "0", "1", "10", "",
            "ключ", "😀", "a b");
    private static final long MAX_SAFE_INTEGER = 9_007_199_254_740_991L;

    private JsonGen() {}

    /** Returns a generator of JSON values nested at most 3 deep. */
    public static Gen<@Nullable Object> values() {
        return values(3);
    }

    /** Returns a generator of JSON values nested at most {@code maxDepth} deep (0: leaves only). */
    public static Gen<@Nullable Object> values(int maxDepth) {
        Gen<@Nullable Object> gen = rand -> value(rand, maxDepth);
        return gen.withShrinker(JsonGen::shrinkValue);
    }

    /** Returns a generator of JSON objects (frozen maps) whose values nest at most {@code maxDepth} deep. */
    public static Gen<Map<String, Object>> objects(int maxDepth) {
        Gen<Map<String, Object>> gen = rand -> asRecord(object(rand, maxDepth));
        return gen.withShrinker(JsonGen::shrinkObject);
    }

    /** Returns a generator of strings, mixing ASCII with non-ASCII, astral and separator characters. */
    public static Gen<String> strings() {
        Gen<String> gen = JsonGen::string;
        return gen.withShrinker(JsonGen::shrinkString);
    }

    /** Returns a random JSON value nested at most {@code maxDepth} deep. */
    public static @Nullable Object value(Rand rand, int maxDepth) {
        int roll = rand.nextInt(10);
        if (maxDepth > 0 && roll < 2) {
            return object(rand, maxDepth - 1);
        }
        if (maxDepth > 0 && roll < 4) {
            return list(rand, maxDepth - 1);
        }
        return leaf(rand);
    }

    /** Returns a random leaf: a string, a number, a boolean or {@code null}. */
    public static @Nullable Object leaf(Rand rand) {
        int roll = rand.nextInt(10);
        if (roll < 4) {
            return string(rand);
        }
        if (roll < 7) {
            return number(rand);
        }
        if (roll < 9) {
            return rand.nextBoolean();
        }
        return null;
    }

    /** Returns a random frozen object with values nested at most {@code maxDepth} deep. */
    public static FrozenMap object(Rand rand, int maxDepth) {
        int size = rand.length(6);
        LinkedHashMap<String, @Nullable Object> map = new LinkedHashMap<>();
        for (int i = 0; i < size; i++) {
            map.put(key(rand), value(rand, maxDepth));
        }
        return Frozen.adoptMap(map);
    }

    /** Returns a random frozen list with elements nested at most {@code maxDepth} deep. */
    public static FrozenList list(Rand rand, int maxDepth) {
        int size = rand.length(8);
        ArrayList<@Nullable Object> list = new ArrayList<>(size);
        for (int i = 0; i < size; i++) {
            list.add(value(rand, maxDepth));
        }
        return Frozen.adoptList(list);
    }

    /** Returns an object key, usually from a small shared pool. */
    public static String key(Rand rand) {
        return rand.chance(0.9) ? rand.pick(KEYS) : string(rand);
    }

    /** Returns a random string of a few pieces, possibly empty. */
    public static String string(Rand rand) {
        int pieces = rand.length(6);
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < pieces; i++) {
            out.append(piece(rand));
        }
        return out.toString();
    }

    /** Returns a short non-empty piece of text, the unit strings are built from and appended with. */
    public static String piece(Rand rand) {
        int roll = rand.nextInt(20);
        if (roll < 12) {
            return rand.pick(ASCII);
        }
        if (roll < 15) {
            return rand.pick(NON_ASCII);
        }
        if (roll < 18) {
            return rand.pick(ASTRAL);
        }
        return rand.pick(CONTROL);
    }

    /** Returns a canonical JSON number: small and large integers, ±2^53 − 1, and non-integral doubles. */
    public static Object number(Rand rand) {
        switch (rand.nextInt(8)) {
            case 0:
                return (long) rand.nextInt(-3, 11);
            case 1:
                return (long) rand.nextInt(-100_000, 100_000);
            case 2:
                return rand.nextBoolean() ? MAX_SAFE_INTEGER : -MAX_SAFE_INTEGER;
            case 3:
                return rand.nextLong(-MAX_SAFE_INTEGER, MAX_SAFE_INTEGER);
            case 4:
                return Frozen.number(rand.pick(List.of(1e-7, -2.5e-300, 1.5e300, 9_007_199_254_740_992.0, 0.1)));
            default:
                return Frozen.number(rand.nextInt(-100_000, 100_000) / 100.0 + 0.25);
        }
    }

    /** Returns smaller JSON values: {@code null}, simpler leaves, and containers with fewer or smaller parts. */
    public static Stream<@Nullable Object> shrinkValue(@Nullable Object value) {
        if (value == null) {
            return Stream.empty();
        }
        Stream<@Nullable Object> toNull = Stream.of((Object) null);
        if (value instanceof FrozenMap map) {
            return Stream.concat(toNull, shrinkObject(map).map(m -> m));
        }
        if (value instanceof FrozenList list) {
            return Stream.concat(toNull, shrinkList(list).map(l -> l));
        }
        if (value instanceof String s) {
            return Stream.concat(toNull, shrinkString(s).map(t -> t));
        }
        if (value instanceof Boolean b) {
            return b ? Stream.<@Nullable Object>of(null, false) : toNull;
        }
        if (value instanceof Long l) {
            if (l == 0L) {
                return toNull;
            }
            return Math.abs(l) > 1
                    ? Stream.<@Nullable Object>of(null, 0L, l / 2)
                    : Stream.<@Nullable Object>of(null, 0L);
        }
        if (value instanceof Double d) {
            return Math.abs(d) < 1e15
                    ? Stream.<@Nullable Object>of(null, 0L, Frozen.number((double) Math.round(d)))
                    : Stream.<@Nullable Object>of(null, 0L);
        }
        return Stream.empty();
    }

    /** Returns smaller objects: empty, half the keys, one key fewer, or one value shrunk. */
    public static Stream<Map<String, Object>> shrinkObject(Map<String, Object> object) {
        FrozenMap map = Frozen.freezeMap(object);
        if (map.isEmpty()) {
            return Stream.empty();
        }
        List<String> keys = new ArrayList<>(map.keySet());
        Stream<FrozenMap> fewer = Stream.concat(
                keys.size() > 1
                        ? Stream.of(Frozen.emptyMap(), keep(map, keys.subList(0, keys.size() / 2)))
                        : Stream.of(Frozen.emptyMap()),
                keys.stream().map(k -> without(map, k)));
        Stream<FrozenMap> smaller =
                keys.stream().flatMap(k -> shrinkValue(map.get(k)).map(v -> with(map, k, v)));
        return Stream.concat(fewer, smaller).map(JsonGen::asRecord);
    }

    /** Returns smaller lists: empty, either half, one element fewer, or one element shrunk. */
    public static Stream<FrozenList> shrinkList(FrozenList list) {
        int size = list.size();
        if (size == 0) {
            return Stream.empty();
        }
        Stream<FrozenList> halves = size > 1
                ? Stream.of(Frozen.emptyList(), slice(list, 0, size / 2), slice(list, size / 2, size))
                : Stream.of(Frozen.emptyList());
        Stream<FrozenList> fewer = IntStream.range(0, size).mapToObj(i -> removeAt(list, i));
        Stream<FrozenList> smaller = IntStream.range(0, size)
                .boxed()
                .flatMap(i -> shrinkValue(list.get(i)).map(v -> setAt(list, i, v)));
        return Stream.concat(Stream.concat(halves, fewer), smaller);
    }

    /** Returns shorter strings, cut at code point boundaries so no surrogate pair is split. */
    public static Stream<String> shrinkString(String s) {
        int codePoints = s.codePointCount(0, s.length());
        if (codePoints == 0) {
            return Stream.empty();
        }
        if (codePoints == 1) {
            return Stream.of("");
        }
        int half = s.offsetByCodePoints(0, codePoints / 2);
        int second = s.offsetByCodePoints(0, 1);
        int last = s.offsetByCodePoints(s.length(), -1);
        return Stream.of("", s.substring(0, half), s.substring(second), s.substring(0, last));
    }

    /**
     * Returns true when {@code value} is in Tandem's frozen canonical form throughout: {@link FrozenMap}, {@link
     * FrozenList}, strings, booleans, {@code null}, {@link Long}s within ±2^53, and finite {@link Double}s that
     * are not integers within that range.
     */
    public static boolean isCanonical(@Nullable Object value) {
        if (value == null || value instanceof String || value instanceof Boolean) {
            return true;
        }
        if (value instanceof Long l) {
            return Math.abs(l) <= MAX_SAFE_INTEGER;
        }
        if (value instanceof Double d) {
            return Double.isFinite(d) && !(d == Math.rint(d) && Math.abs(d) <= MAX_SAFE_INTEGER);
        }
        if (value instanceof FrozenMap map) {
            return map.values().stream().allMatch(JsonGen::isCanonical);
        }
        if (value instanceof FrozenList list) {
            return list.stream().allMatch(JsonGen::isCanonical);
        }
        return false;
    }

    /** Returns a structurally equal copy that shares no container with {@code value}. */
    public static @Nullable Object deepCopy(@Nullable Object value) {
        if (value instanceof FrozenMap map) {
            LinkedHashMap<String, @Nullable Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(k, deepCopy(v)));
            return Frozen.adoptMap(copy);
        }
        if (value instanceof FrozenList list) {
            ArrayList<@Nullable Object> copy = new ArrayList<>(list.size());
            list.forEach(v -> copy.add(deepCopy(v)));
            return Frozen.adoptList(copy);
        }
        if (value instanceof String s) {
            return new String(s.toCharArray());
        }
        return value;
    }

    static FrozenMap with(FrozenMap map, String key, @Nullable Object value) {
        LinkedHashMap<String, @Nullable Object> copy = map.mutableCopy();
        copy.put(key, value);
        return Frozen.adoptMap(copy);
    }

    static FrozenMap without(FrozenMap map, String key) {
        LinkedHashMap<String, @Nullable Object> copy = map.mutableCopy();
        copy.remove(key);
        return Frozen.adoptMap(copy);
    }

    static FrozenList setAt(FrozenList list, int index, @Nullable Object value) {
        ArrayList<@Nullable Object> copy = list.mutableCopy();
        copy.set(index, value);
        return Frozen.adoptList(copy);
    }

    static FrozenList removeAt(FrozenList list, int index) {
        ArrayList<@Nullable Object> copy = list.mutableCopy();
        copy.remove(index);
        return Frozen.adoptList(copy);
    }

    static FrozenList slice(FrozenList list, int from, int to) {
        return Frozen.adoptList(new ArrayList<>(list.subList(from, to)));
    }

    private static FrozenMap keep(FrozenMap map, List<String> keys) {
        LinkedHashMap<String, @Nullable Object> copy = new LinkedHashMap<>();
        for (String k : keys) {
            copy.put(k, map.get(k));
        }
        return Frozen.adoptMap(copy);
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asRecord(FrozenMap map) {
        return (Map<String, Object>) (Map<String, ?>) map;
    }
}
