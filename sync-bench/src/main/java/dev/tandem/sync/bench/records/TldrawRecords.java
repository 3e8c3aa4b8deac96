package dev.tandem.sync.bench.records;

import dev.tandem.sync.core.Json;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;

/**
 * Realistic tldraw records and messages for the benchmarks, shaped like what tldraw 3.x–5.x clients store
 * and send: {@code shape:} ids of 21 random characters, fractional pixel coordinates, a rich-text label as a
 * ProseMirror document, draw strokes as lists of {@code {x, y, z}} points, an {@code instance_presence}
 * record with cursor and camera. All randomness comes from a seeded {@link Random}, so every run builds
 * the same bytes.
 *
 * <p>Records are returned frozen (see {@link Json#freeze}), as a room holds them. Not thread-safe: each
 * benchmark state makes its own instance.
 */
public final class TldrawRecords {
    /** The id of the one page every shape sits on. */
    public static final String PAGE_ID = "page:page";

    /** A serialized tldraw 3.x schema, as clients send it in {@code connect}. */
    public static final String SCHEMA_JSON = "{\"schemaVersion\":2,\"sequences\":{"
            + "\"com.tldraw.store\":4,\"com.tldraw.asset\":1,\"com.tldraw.camera\":1,\"com.tldraw.document\":2,"
            + "\"com.tldraw.instance\":25,\"com.tldraw.instance_page_state\":5,\"com.tldraw.page\":1,"
            + "\"com.tldraw.instance_presence\":6,\"com.tldraw.pointer\":1,\"com.tldraw.shape\":4,"
            + "\"com.tldraw.asset.bookmark\":2,\"com.tldraw.asset.image\":5,\"com.tldraw.asset.video\":5,"
            + "\"com.tldraw.shape.arrow\":6,\"com.tldraw.shape.bookmark\":2,\"com.tldraw.shape.draw\":2,"
            + "\"com.tldraw.shape.embed\":4,\"com.tldraw.shape.frame\":1,\"com.tldraw.shape.geo\":10,"
            + "\"com.tldraw.shape.group\":0,\"com.tldraw.shape.highlight\":1,\"com.tldraw.shape.image\":4,"
            + "\"com.tldraw.shape.line\":5,\"com.tldraw.shape.note\":9,\"com.tldraw.shape.text\":3,"
            + "\"com.tldraw.shape.video\":2,\"com.tldraw.binding.arrow\":1}}";

    private static final char[] ID_ALPHABET =
            "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz_-".toCharArray();
    private static final String[] COLORS = {"black", "blue", "green", "red", "violet", "orange", "light-blue"};
    private static final String[] WORDS = {
        "design", "review", "sprint", "backlog", "user", "flow", "api", "login", "cache", "deploy", "sync", "todo"
    };

    private final Random random;

    /** Creates a generator with a fixed seed. */
    public TldrawRecords(long seed) {
        this.random = new Random(seed);
    }

    /** Returns a fresh tldraw-style id with the given prefix, such as {@code shape:Vw3…}. */
    public String id(String prefix) {
        char[] out = new char[21];
        for (int i = 0; i < out.length; i++) {
            out[i] = ID_ALPHABET[random.nextInt(ID_ALPHABET.length)];
        }
        return prefix + ":" + new String(out);
    }

    /** Returns the {@code document} record. */
    public static Map<String, Object> documentRecord() {
        return frozen(
                obj("gridSize", 10, "name", "", "meta", obj(), "id", "document:document", "typeName", "document"));
    }

    /** Returns the {@code page} record all shapes sit on. */
    public static Map<String, Object> pageRecord() {
        return frozen(obj("meta", obj(), "id", PAGE_ID, "name", "Page 1", "index", "a1", "typeName", "page"));
    }

    /**
     * Returns a tldraw 3.x+ geo shape (a rectangle with a one-paragraph rich-text label) with a little host
     * metadata: about 650 characters of JSON.
     */
    public Map<String, Object> geoShape(String id, String label) {
        return frozen(obj(
                "x",
                coordinate(),
                "y",
                coordinate(),
                "rotation",
                0,
                "isLocked",
                false,
                "opacity",
                1,
                "meta",
                obj("createdBy", id("user"), "createdAt", 1_732_300_000_000L + random.nextInt(1_000_000)),
                "id",
                id,
                "type",
                "geo",
                "props",
                obj(
                        "w", 120 + random.nextInt(200) + 0.5,
                        "h", 80 + random.nextInt(120) + 0.25,
                        "geo", "rectangle",
                        "dash", "draw",
                        "growY", 0,
                        "url", "",
                        "scale", 1,
                        "color", COLORS[random.nextInt(COLORS.length)],
                        "labelColor", "black",
                        "fill", "semi",
                        "size", "m",
                        "font", "draw",
                        "align", "middle",
                        "verticalAlign", "middle",
                        "richText", richText(label)),
                "parentId",
                PAGE_ID,
                "index",
                "a" + Integer.toString(1 + random.nextInt(30), 36) + "V",
                "typeName",
                "shape"));
    }

    /**
     * Returns a geo shape whose label is a plain string in {@code props.text}, as tldraw 2.x stored it: the
     * shape a string {@code append} op edits.
     */
    public Map<String, Object> geoShapeWithTextLabel(String id, String label) {
        Map<String, Object> rich = geoShape(id, label);
        LinkedHashMap<String, Object> record = new LinkedHashMap<>(rich);
        @SuppressWarnings("unchecked")
        LinkedHashMap<String, Object> props = new LinkedHashMap<>((Map<String, Object>) rich.get("props"));
        props.remove("richText");
        props.put("text", label);
        record.put("props", props);
        return frozen(record);
    }

    /** Returns a ProseMirror document with one paragraph of {@code text}, as tldraw stores labels. */
    public static Map<String, Object> richText(String text) {
        return obj(
                "type",
                "doc",
                "content",
                List.of(obj("type", "paragraph", "content", List.of(obj("type", "text", "text", text)))));
    }

    /** Returns a finished freehand draw shape with one stroke of {@code points} points. */
    public Map<String, Object> drawShape(String id, int points) {
        return frozen(obj(
                "x",
                coordinate(),
                "y",
                coordinate(),
                "rotation",
                0,
                "isLocked",
                false,
                "opacity",
                1,
                "meta",
                obj(),
                "id",
                id,
                "type",
                "draw",
                "props",
                obj(
                        "color",
                        "black",
                        "fill",
                        "none",
                        "dash",
                        "draw",
                        "size",
                        "m",
                        "segments",
                        List.of(obj("type", "free", "points", strokePoints(0, points))),
                        "isComplete",
                        true,
                        "isClosed",
                        false,
                        "isPen",
                        false,
                        "scale",
                        1),
                "parentId",
                PAGE_ID,
                "index",
                "a2",
                "typeName",
                "shape"));
    }

    /** Returns {@code count} stroke points continuing a stroke from point number {@code from}. */
    public List<Object> strokePoints(int from, int count) {
        List<Object> points = new ArrayList<>(count);
        for (int i = from; i < from + count; i++) {
            points.add(obj(
                    "x", round2(i * 1.7 + random.nextDouble() * 3),
                    "y", round2(40 * Math.sin(i / 15.0) + random.nextDouble() * 2),
                    "z", 0.5));
        }
        return points;
    }

    /** Returns an {@code instance_presence} record (the server rewrites its id). */
    public Map<String, Object> presence(String userName, double cursorX, double cursorY) {
        return frozen(obj(
                "id",
                "instance_presence:" + userName,
                "typeName",
                "instance_presence",
                "userId",
                id("user"),
                "userName",
                userName,
                "lastActivityTimestamp",
                1_732_300_000_000L,
                "color",
                "#FF802B",
                "camera",
                obj("x", -120.5, "y", -48.25, "z", 1),
                "selectedShapeIds",
                List.of(),
                "currentPageId",
                PAGE_ID,
                "brush",
                null,
                "scribbles",
                List.of(),
                "screenBounds",
                obj("x", 0, "y", 0, "w", 1512, "h", 823),
                "followingUserId",
                null,
                "cursor",
                obj("x", cursorX, "y", cursorY, "type", "default", "rotation", 0),
                "chatMessage",
                "",
                "meta",
                obj()));
    }

    /** Returns a few words of label text. */
    public String words(int count) {
        StringBuilder b = new StringBuilder();
        for (int i = 0; i < count; i++) {
            if (i > 0) {
                b.append(' ');
            }
            b.append(WORDS[random.nextInt(WORDS.length)]);
        }
        return b.toString();
    }

    /** Returns the {@code connect} frame a tldraw client sends first. */
    public static String connectFrame(String connectRequestId, long lastServerClock) {
        return "{\"type\":\"connect\",\"connectRequestId\":\"" + connectRequestId + "\",\"schema\":" + SCHEMA_JSON
                + ",\"protocolVersion\":8,\"lastServerClock\":" + lastServerClock + "}";
    }

    /**
     * Returns the push a tldraw client sends while dragging a shape and typing into its label: a shape
     * {@code patch} that puts {@code x}/{@code y} and applies {@code textOp} to {@code props.text}, plus a
     * presence patch moving the cursor and stamping the activity time.
     */
    public static String dragAndTypePush(
            String shapeId, long clientClock, double x, double y, List<Object> textOp, long timestamp) {
        Map<String, Object> shapePatch =
                obj("x", List.of("put", x), "y", List.of("put", y), "props", List.of("patch", obj("text", textOp)));
        Map<String, Object> presencePatch = obj(
                "lastActivityTimestamp",
                List.of("put", timestamp),
                "cursor",
                List.of("put", obj("x", x + 12.75, "y", y + 8.5, "type", "default", "rotation", 0)));
        return Json.stringify(obj(
                "type",
                "push",
                "clientClock",
                clientClock,
                "diff",
                obj(shapeId, List.of("patch", shapePatch)),
                "presence",
                List.of("patch", presencePatch)));
    }

    /** Builds an ordered JSON object from alternating keys and values. */
    public static LinkedHashMap<String, Object> obj(Object... keysAndValues) {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            m.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return m;
    }

    /** Returns the frozen form of a JSON object. */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> frozen(Map<String, ?> object) {
        return (Map<String, Object>) Json.freeze(object);
    }

    /** A pointer-derived coordinate: fractional, like tldraw's after a drag at non-integer zoom. */
    private double coordinate() {
        return Math.round((random.nextDouble() * 2000 - 400) * 1024) / 1024.0;
    }

    private static double round2(double d) {
        return Math.round(d * 100) / 100.0;
    }
}
