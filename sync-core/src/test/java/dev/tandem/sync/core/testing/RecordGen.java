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
 * Generators of tldraw-like records and of record pairs for diff properties.
 *
 * <p>Records look like tldraw's: {@code id}, {@code typeName}, coordinates, a fractional {@code index}, and
 * {@code props} with nested objects, point lists, rich text ({@code doc → paragraph → text}) and strings,
 * plus {@code meta}; sometimes with extra random props. {@link #relatedPairs()} derives {@code next} from
 * {@code prev} by a few small edits (string appends, key changes, list appends and truncations, element
 * edits, replaced objects), so diffs exercise appends and patches and not only puts. {@link
 * #unrelatedPairs()} pairs independent values. All records are frozen.
 *
 * <p>Stateless and thread-safe.
 */
public final class RecordGen {
    private static final List<String> SHAPE_TYPES =
            List.of("geo", "text", "note", "draw", "highlight", "line", "arrow");
    private static final List<String> COLORS = List.of("black", "blue", "red", "light-violet", "yellow");
    private static final List<String> SIZES = List.of("s", "m", "l", "xl");
    private static final List<String> INDEX_DIGITS = List.of("0", "1", "5", "V", "a", "z", "G", "Zz");

    private RecordGen() {}

    /** Returns a generator of tldraw-like records (shapes, pages, presence, the document). */
    public static Gen<Map<String, Object>> records() {
        Gen<Map<String, Object>> gen = rand -> JsonGen.asRecord(record(rand));
        return gen.withShrinker(JsonGen::shrinkObject);
    }

    /**
     * Returns a generator of a record and a version of it changed by one to four small edits; about one pair
     * in twenty is unchanged (equal content, no shared containers).
     */
    public static Gen<RecordPair> relatedPairs() {
        Gen<RecordPair> gen = rand -> {
            FrozenMap prev = record(rand);
            Object next = rand.chance(0.05) ? JsonGen.deepCopy(prev) : mutate(rand, prev);
            return new RecordPair(JsonGen.asRecord(prev), JsonGen.asRecord((FrozenMap) next));
        };
        return gen.withShrinker(RecordGen::shrinkPair);
    }

    /**
     * Returns a generator of pairs that share little: two independent records, two random objects whose
     * keys overlap (including non-object {@code props} and {@code meta}), or a record and a heavily
     * rewritten copy whose values often change type.
     */
    public static Gen<RecordPair> unrelatedPairs() {
        Gen<RecordPair> gen = rand -> {
            int roll = rand.nextInt(10);
            FrozenMap prev;
            FrozenMap next;
            if (roll < 4) {
                prev = record(rand);
                next = record(rand);
            } else if (roll < 8) {
                prev = JsonGen.object(rand, 3);
                next = JsonGen.object(rand, 3);
            } else {
                prev = record(rand);
                next = prev;
                for (Map.Entry<String, @Nullable Object> e : prev.entrySet()) {
                    if (rand.chance(0.5)) {
                        next = JsonGen.with(next, e.getKey(), JsonGen.value(rand, 3));
                    }
                }
            }
            return new RecordPair(JsonGen.asRecord(prev), JsonGen.asRecord(next));
        };
        return gen.withShrinker(RecordGen::shrinkPair);
    }

    /** Returns a random tldraw-like record. */
    public static FrozenMap record(Rand rand) {
        int roll = rand.nextInt(10);
        if (roll < 7) {
            return shape(rand);
        }
        if (roll < 8) {
            return page(rand);
        }
        if (roll < 9) {
            return presence(rand);
        }
        return document(rand);
    }

    /**
     * Returns {@code record} changed by one to four small edits, without touching the input: mostly inside
     * {@code props}, sometimes at the top level or in {@code meta}.
     */
    public static FrozenMap mutate(Rand rand, Map<String, Object> record) {
        FrozenMap result = Frozen.freezeMap(record);
        int edits = 1 + rand.nextInt(4);
        for (int i = 0; i < edits; i++) {
            result = editRecord(rand, result);
        }
        return result;
    }

    /**
     * Returns smaller pairs: the same key or element removed from, or shrunk in, both records at once,
     * then either record shrunk alone.
     */
    public static Stream<RecordPair> shrinkPair(RecordPair pair) {
        FrozenMap prev = Frozen.freezeMap(pair.prev());
        FrozenMap next = Frozen.freezeMap(pair.next());
        Stream<RecordPair> together = shrinkTogether(prev, next)
                .map(t -> new RecordPair(JsonGen.asRecord((FrozenMap) t.a()), JsonGen.asRecord((FrozenMap) t.b())));
        Stream<RecordPair> prevAlone = JsonGen.shrinkObject(pair.prev()).map(p -> new RecordPair(p, pair.next()));
        Stream<RecordPair> nextAlone = JsonGen.shrinkObject(pair.next()).map(n -> new RecordPair(pair.prev(), n));
        return Stream.concat(together, Stream.concat(prevAlone, nextAlone));
    }

    private record Two(@Nullable Object a, @Nullable Object b) {}

    /** Shrinks two values in step, so keys and elements the two share stay aligned. */
    private static Stream<Two> shrinkTogether(@Nullable Object a, @Nullable Object b) {
        if (a instanceof FrozenMap ma && b instanceof FrozenMap mb) {
            List<String> shared = ma.keySet().stream().filter(mb::containsKey).toList();
            Stream<Two> removed = shared.stream().map(k -> new Two(JsonGen.without(ma, k), JsonGen.without(mb, k)));
            Stream<Two> shrunk = shared.stream()
                    .flatMap(k -> shrinkTogether(ma.get(k), mb.get(k))
                            .map(t -> new Two(JsonGen.with(ma, k, t.a()), JsonGen.with(mb, k, t.b()))));
            return Stream.concat(removed, shrunk);
        }
        if (a instanceof FrozenList la && b instanceof FrozenList lb) {
            int common = Math.min(la.size(), lb.size());
            Stream<Two> removed =
                    IntStream.range(0, common).mapToObj(i -> new Two(JsonGen.removeAt(la, i), JsonGen.removeAt(lb, i)));
            Stream<Two> shrunk = IntStream.range(0, common)
                    .boxed()
                    .flatMap(i -> shrinkTogether(la.get(i), lb.get(i))
                            .map(t -> new Two(JsonGen.setAt(la, i, t.a()), JsonGen.setAt(lb, i, t.b()))));
            return Stream.concat(removed, shrunk);
        }
        return Stream.concat(
                JsonGen.shrinkValue(a).map(x -> new Two(x, b)),
                JsonGen.shrinkValue(b).map(y -> new Two(a, y)));
    }

    private static FrozenMap editRecord(Rand rand, FrozenMap record) {
        int roll = rand.nextInt(20);
        if (roll < 9 && record.containsKey("props")) {
            return JsonGen.with(record, "props", mutateValue(rand, record.get("props"), 4));
        }
        if (roll < 11 && record.containsKey("meta")) {
            return JsonGen.with(record, "meta", mutateValue(rand, record.get("meta"), 3));
        }
        if (roll < 17 && !record.isEmpty()) {
            String key = pickKey(rand, record);
            return JsonGen.with(record, key, mutateValue(rand, record.get(key), 3));
        }
        if (roll < 19) {
            return JsonGen.with(record, JsonGen.key(rand), JsonGen.value(rand, 2));
        }
        if (!record.isEmpty()) {
            return JsonGen.without(record, rand.pick(new ArrayList<>(record.keySet())));
        }
        return record;
    }

    /** Picks a key of a non-empty object, favouring keys that hold objects or lists so edits go deep. */
    private static String pickKey(Rand rand, FrozenMap map) {
        List<String> keys = new ArrayList<>(map.keySet());
        if (rand.nextBoolean()) {
            List<String> containers = keys.stream()
                    .filter(k -> map.get(k) instanceof FrozenMap || map.get(k) instanceof FrozenList)
                    .toList();
            if (!containers.isEmpty()) {
                return rand.pick(containers);
            }
        }
        return rand.pick(keys);
    }

    /** Returns a small edit of {@code value}, descending at most {@code depth} levels into containers. */
    static @Nullable Object mutateValue(Rand rand, @Nullable Object value, int depth) {
        if (rand.chance(0.04) || depth <= 0) {
            return depth <= 0 ? JsonGen.leaf(rand) : JsonGen.value(rand, 2);
        }
        if (value instanceof String s) {
            return mutateString(rand, s);
        }
        if (value instanceof FrozenMap map) {
            return mutateObject(rand, map, depth);
        }
        if (value instanceof FrozenList list) {
            return mutateList(rand, list, depth);
        }
        if (value instanceof Boolean b) {
            return !b;
        }
        if (value instanceof Long || value instanceof Double) {
            double d = ((Number) value).doubleValue();
            return rand.chance(0.7) ? Frozen.number(d + rand.nextInt(-50, 51)) : JsonGen.number(rand);
        }
        return JsonGen.value(rand, 1);
    }

    private static String mutateString(Rand rand, String s) {
        int roll = rand.nextInt(20);
        if (roll < 12) {
            return s + JsonGen.piece(rand);
        }
        if (roll < 14) {
            return JsonGen.piece(rand) + s;
        }
        if (roll < 16 && !s.isEmpty()) {
            int codePoints = s.codePointCount(0, s.length());
            return s.substring(0, s.offsetByCodePoints(0, rand.nextInt(codePoints)));
        }
        if (roll < 17) {
            return "";
        }
        return JsonGen.string(rand);
    }

    private static Object mutateObject(Rand rand, FrozenMap map, int depth) {
        int roll = rand.nextInt(40);
        if (roll < 26 && !map.isEmpty()) {
            String key = pickKey(rand, map);
            return JsonGen.with(map, key, mutateValue(rand, map.get(key), depth - 1));
        }
        if (roll < 32) {
            return JsonGen.with(map, JsonGen.key(rand), JsonGen.value(rand, 2));
        }
        if (roll < 36 && !map.isEmpty()) {
            return JsonGen.without(map, rand.pick(new ArrayList<>(map.keySet())));
        }
        if (roll < 39) {
            return JsonGen.object(rand, 2);
        }
        return rand.chance(0.5) ? JsonGen.list(rand, 1) : JsonGen.leaf(rand);
    }

    private static Object mutateList(Rand rand, FrozenList list, int depth) {
        int size = list.size();
        int roll = rand.nextInt(20);
        if (roll < 6 || size == 0) {
            ArrayList<@Nullable Object> copy = list.mutableCopy();
            int added = 1 + rand.nextInt(3);
            for (int i = 0; i < added; i++) {
                copy.add(
                        size > 0 && rand.chance(0.5)
                                ? mutateValue(rand, list.get(size - 1), depth - 1)
                                : JsonGen.value(rand, 2));
            }
            return Frozen.adoptList(copy);
        }
        if (roll < 12) {
            int index = rand.nextInt(size);
            return JsonGen.setAt(list, index, mutateValue(rand, list.get(index), depth - 1));
        }
        if (roll < 14) {
            ArrayList<@Nullable Object> copy = list.mutableCopy();
            int changed = 1 + rand.nextInt(Math.max(1, size / 2));
            for (int i = 0; i < changed; i++) {
                int index = rand.nextInt(size);
                copy.set(index, mutateValue(rand, copy.get(index), depth - 1));
            }
            return Frozen.adoptList(copy);
        }
        if (roll < 16) {
            return JsonGen.slice(list, 0, rand.nextInt(size));
        }
        if (roll < 17) {
            return JsonGen.removeAt(list, rand.nextInt(size));
        }
        if (roll < 18) {
            ArrayList<@Nullable Object> copy = list.mutableCopy();
            copy.add(0, JsonGen.value(rand, 1));
            return Frozen.adoptList(copy);
        }
        if (roll < 19) {
            return JsonGen.setAt(list, rand.nextInt(size), rand.pick(List.of(false, 0L, "", true)));
        }
        return JsonGen.list(rand, 2);
    }

    private static FrozenMap shape(Rand rand) {
        String type = rand.pick(SHAPE_TYPES);
        Obj shape = new Obj()
                .put("id", "shape:" + id(rand))
                .put("typeName", "shape")
                .put("type", type)
                .put("x", coordinate(rand))
                .put("y", coordinate(rand))
                .put("rotation", rand.chance(0.7) ? 0L : Frozen.number(rand.nextDouble() * 6.28))
                .put("index", index(rand))
                .put("parentId", rand.chance(0.8) ? "page:page" : "shape:" + id(rand))
                .put("isLocked", rand.chance(0.1))
                .put("opacity", rand.chance(0.8) ? 1L : Frozen.number(0.5))
                .put("props", shapeProps(rand, type))
                .put("meta", meta(rand));
        return shape.freeze();
    }

    private static FrozenMap shapeProps(Rand rand, String type) {
        Obj props = new Obj();
        switch (type) {
            case "geo":
                props.put("w", size(rand))
                        .put("h", size(rand))
                        .put("geo", rand.pick(List.of("rectangle", "ellipse", "star")))
                        .put("color", rand.pick(COLORS))
                        .put("fill", rand.pick(List.of("none", "solid", "semi")))
                        .put("size", rand.pick(SIZES))
                        .put("richText", richText(rand))
                        .put("growY", 0L)
                        .put("url", "");
                break;
            case "text":
            case "note":
                props.put("color", rand.pick(COLORS))
                        .put("size", rand.pick(SIZES))
                        .put("richText", richText(rand))
                        .put("w", size(rand))
                        .put("autoSize", rand.nextBoolean());
                break;
            case "draw":
            case "highlight":
                props.put("segments", segments(rand))
                        .put("color", rand.pick(COLORS))
                        .put("isComplete", rand.nextBoolean())
                        .put("isPen", false);
                break;
            case "line":
                props.put("points", linePoints(rand)).put("spline", "line").put("color", rand.pick(COLORS));
                break;
            default:
                props.put("start", point(rand))
                        .put("end", point(rand))
                        .put("bend", rand.chance(0.5) ? 0L : coordinate(rand))
                        .put("arrowheadEnd", "arrow")
                        .put("richText", richText(rand))
                        .put("labelPosition", Frozen.number(0.5));
        }
        props.put("scale", 1L);
        if (rand.chance(0.3)) {
            props.put("items", objectList(rand));
        }
        if (rand.chance(0.3)) {
            int extra = 1 + rand.length(3);
            for (int i = 0; i < extra; i++) {
                props.put(JsonGen.key(rand), JsonGen.value(rand, 3));
            }
        }
        return props.freeze();
    }

    private static FrozenMap page(Rand rand) {
        return new Obj()
                .put("id", "page:" + id(rand))
                .put("typeName", "page")
                .put("name", "Page " + JsonGen.string(rand))
                .put("index", index(rand))
                .put("meta", meta(rand))
                .freeze();
    }

    private static FrozenMap presence(Rand rand) {
        ArrayList<@Nullable Object> selected = new ArrayList<>();
        for (int i = rand.length(4); i > 0; i--) {
            selected.add("shape:" + id(rand));
        }
        return new Obj()
                .put("id", "instance_presence:" + id(rand))
                .put("typeName", "instance_presence")
                .put("userId", "user:" + id(rand))
                .put("userName", JsonGen.string(rand))
                .put("lastActivityTimestamp", rand.nextLong(1_700_000_000_000L, 1_800_000_000_000L))
                .put("color", "#FF0000")
                .put(
                        "camera",
                        new Obj()
                                .put("x", coordinate(rand))
                                .put("y", coordinate(rand))
                                .put("z", 1L)
                                .freeze())
                .put("selectedShapeIds", Frozen.adoptList(selected))
                .put("currentPageId", "page:page")
                .put("brush", rand.chance(0.7) ? null : box(rand))
                .put("screenBounds", box(rand))
                .put(
                        "cursor",
                        new Obj()
                                .put("x", coordinate(rand))
                                .put("y", coordinate(rand))
                                .put("type", "default")
                                .put("rotation", 0L)
                                .freeze())
                .put("scribbles", objectList(rand))
                .put("chatMessage", rand.chance(0.7) ? "" : JsonGen.string(rand))
                .put("meta", meta(rand))
                .freeze();
    }

    private static FrozenMap document(Rand rand) {
        return new Obj()
                .put("id", "document:document")
                .put("typeName", "document")
                .put("gridSize", 10L)
                .put("name", rand.chance(0.5) ? "" : JsonGen.string(rand))
                .put("meta", meta(rand))
                .freeze();
    }

    private static FrozenMap richText(Rand rand) {
        ArrayList<@Nullable Object> paragraphs = new ArrayList<>();
        for (int p = 1 + rand.length(2); p > 0; p--) {
            Obj paragraph = new Obj().put("type", "paragraph");
            int runs = rand.length(3);
            if (runs > 0) {
                ArrayList<@Nullable Object> content = new ArrayList<>();
                for (int r = 0; r < runs; r++) {
                    Obj run = new Obj().put("type", "text").put("text", JsonGen.string(rand) + JsonGen.piece(rand));
                    if (rand.chance(0.2)) {
                        run.put("marks", Frozen.freeze(List.of(Map.of("type", "bold"))));
                    }
                    content.add(run.freeze());
                }
                paragraph.put("content", Frozen.adoptList(content));
            }
            paragraphs.add(paragraph.freeze());
        }
        return new Obj()
                .put("type", "doc")
                .put("content", Frozen.adoptList(paragraphs))
                .freeze();
    }

    private static FrozenList segments(Rand rand) {
        ArrayList<@Nullable Object> segments = new ArrayList<>();
        for (int s = 1 + rand.length(2); s > 0; s--) {
            ArrayList<@Nullable Object> points = new ArrayList<>();
            for (int i = rand.length(12); i > 0; i--) {
                points.add(new Obj()
                        .put("x", coordinate(rand))
                        .put("y", coordinate(rand))
                        .put("z", Frozen.number(0.5))
                        .freeze());
            }
            segments.add(new Obj()
                    .put("type", "free")
                    .put("points", Frozen.adoptList(points))
                    .freeze());
        }
        return Frozen.adoptList(segments);
    }

    /** A list of small objects, each with an id, coordinates, a label and a point list. */
    private static FrozenList objectList(Rand rand) {
        ArrayList<@Nullable Object> items = new ArrayList<>();
        for (int i = rand.length(8); i > 0; i--) {
            ArrayList<@Nullable Object> points = new ArrayList<>();
            for (int p = rand.length(4); p > 0; p--) {
                points.add(point(rand));
            }
            items.add(new Obj()
                    .put("id", id(rand))
                    .put("x", coordinate(rand))
                    .put("label", JsonGen.string(rand))
                    .put("points", Frozen.adoptList(points))
                    .freeze());
        }
        return Frozen.adoptList(items);
    }

    private static FrozenMap linePoints(Rand rand) {
        Obj points = new Obj();
        for (int i = 1 + rand.length(4); i > 0; i--) {
            String id = "a" + i;
            points.put(
                    id,
                    new Obj()
                            .put("id", id)
                            .put("index", index(rand))
                            .put("x", coordinate(rand))
                            .put("y", coordinate(rand))
                            .freeze());
        }
        return points.freeze();
    }

    private static FrozenMap point(Rand rand) {
        return new Obj().put("x", coordinate(rand)).put("y", coordinate(rand)).freeze();
    }

    private static FrozenMap box(Rand rand) {
        return new Obj()
                .put("x", coordinate(rand))
                .put("y", coordinate(rand))
                .put("w", size(rand))
                .put("h", size(rand))
                .freeze();
    }

    private static FrozenMap meta(Rand rand) {
        return rand.chance(0.7) ? Frozen.emptyMap() : JsonGen.object(rand, 2);
    }

    private static Object coordinate(Rand rand) {
        return rand.chance(0.5)
                ? (Object) (long) rand.nextInt(-2000, 2000)
                : Frozen.number(rand.nextInt(-200_000, 200_000) / 100.0);
    }

    private static Object size(Rand rand) {
        return Frozen.number(rand.nextInt(1, 100_000) / 100.0);
    }

    private static String id(Rand rand) {
        StringBuilder id = new StringBuilder();
        for (int i = 0; i < 6; i++) {
            id.append((char) ('a' + rand.nextInt(26)));
        }
        return id.toString();
    }

    /** A fractional index such as {@code a1} or {@code a1V}: growing one is a string append. */
    private static String index(Rand rand) {
        StringBuilder index = new StringBuilder("a").append(rand.nextInt(1, 10));
        for (int i = rand.length(3); i > 0; i--) {
            index.append(rand.pick(INDEX_DIGITS));
        }
        return index.toString();
    }

    /** A small builder for frozen objects. */
    private static final class Obj {
        private final LinkedHashMap<String, @Nullable Object> map = new LinkedHashMap<>();

        Obj put(String key, @Nullable Object value) {
            map.put(key, Frozen.freeze(value));
            return this;
        }

        FrozenMap freeze() {
            return Frozen.adoptMap(map);
        }
    }
}
