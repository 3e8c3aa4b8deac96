package dev.tandem.sync.core.internal.tldraw;

import dev.tandem.sync.core.Migration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * tldraw's migration sequences as of {@code @tldraw/tlschema} 5.4.2 and the record migrations between older
 * releases and it, written in Java from the behaviour of tldraw's published packages. Stateless and
 * thread-safe.
 *
 * <p>Every step from tldraw 2.2.0 on is implemented with tldraw's {@code up}, and a {@code down} exactly where
 * tldraw has one (tldraw's {@code 'retired'} and missing downs are {@code null}, so an older client that would
 * need them gets {@code CLIENT_TOO_OLD}). Subtype sequences ({@code com.tldraw.shape.<type>}, {@code
 * com.tldraw.asset.<type>}, {@code com.tldraw.binding.<type>}) apply only to records of that subtype; every
 * sequence but {@code com.tldraw.store} and {@code com.tldraw.shape.arrow} is retroactive, as in tldraw.
 *
 * <p><b>Oldest release:</b> Tandem migrates rooms written by tldraw 2.2.0 or later. Older steps are declared
 * but {@linkplain #isUnsupported unsupported}: they fail on every record they apply to, naming the step, and
 * have no {@code down}. They are tldraw's storage-scoped steps ({@code com.tldraw.store} 1–4 and {@code
 * com.tldraw.shape.arrow} 4, which moves arrow terminals into binding records), the pre-2.2 URL clean-ups
 * ({@code MakeUrlsValid}, {@code AddFavicon}), the embed URL rewrite, the line handle re-indexing, and the
 * session-only {@code instance} (1–25) and {@code instance_page_state} (1–5) steps.
 *
 * <p>{@code com.tldraw.store} 5 (FixIndexKeys) replaces the last digit of an index ending in {@code 0}
 * (other than {@code a0}) with three random base-62 digits, like tldraw: its output is random by design.
 */
public final class TldrawMigrations {
    private static final String UNSUPPORTED = "is not supported by Tandem (it predates tldraw 2.2.0)";
    private static final String BASE_62_DIGITS_WITHOUT_ZERO =
            "123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
    private static final Set<String> NOT_RETROACTIVE = Set.of("com.tldraw.store", "com.tldraw.shape.arrow");
    private static final List<Migration> MIGRATIONS = build();

    private TldrawMigrations() {}

    /** Returns every default sequence at its 5.4.2 version, sorted by sequence id. */
    public static Map<String, Integer> sequences() {
        Map<String, Integer> s = new TreeMap<>();
        s.put("com.tldraw.store", 5);
        s.put("com.tldraw.asset", 1);
        s.put("com.tldraw.camera", 1);
        s.put("com.tldraw.document", 2);
        s.put("com.tldraw.instance", 26);
        s.put("com.tldraw.instance_page_state", 5);
        s.put("com.tldraw.page", 1);
        s.put("com.tldraw.instance_presence", 6);
        s.put("com.tldraw.pointer", 1);
        s.put("com.tldraw.shape", 4);
        s.put("com.tldraw.user", 1);
        s.put("com.tldraw.asset.image", 6);
        s.put("com.tldraw.asset.video", 5);
        s.put("com.tldraw.asset.bookmark", 2);
        s.put("com.tldraw.shape.arrow", 8);
        s.put("com.tldraw.shape.bookmark", 2);
        s.put("com.tldraw.shape.draw", 5);
        s.put("com.tldraw.shape.embed", 4);
        s.put("com.tldraw.shape.frame", 1);
        s.put("com.tldraw.shape.geo", 12);
        s.put("com.tldraw.shape.group", 0);
        s.put("com.tldraw.shape.highlight", 4);
        s.put("com.tldraw.shape.image", 5);
        s.put("com.tldraw.shape.line", 5);
        s.put("com.tldraw.shape.note", 13);
        s.put("com.tldraw.shape.text", 4);
        s.put("com.tldraw.shape.video", 4);
        s.put("com.tldraw.binding.arrow", 1);
        return s;
    }

    /**
     * Returns the default sequences that are not retroactive in 5.4.2: a client schema without one of them is
     * not taken to be at its version 0 (checked with {@code createTLSchema().migrations[id].retroactive}).
     */
    public static Set<String> nonRetroactiveSequences() {
        return NOT_RETROACTIVE;
    }

    /** Returns the record migrations, ordered by sequence and version. */
    public static List<Migration> migrations() {
        return MIGRATIONS;
    }

    /** Returns true if the step is declared only to fail with a clear message (see the class comment). */
    public static boolean isUnsupported(Migration m) {
        return m.up() instanceof Unsupported;
    }

    private static List<Migration> build() {
        List<Migration> out = new ArrayList<>();
        store(out);
        records(out);
        presence(out);
        rootShape(out);
        assets(out);
        arrow(out);
        shapes(out);
        drawLike(out, "draw");
        drawLike(out, "highlight");
        out.add(props("binding", "arrow", 1, p -> p.put("snap", "none"), p -> p.remove("snap")));
        out.sort(Comparator.comparing(Migration::sequenceId).thenComparingInt(Migration::version));
        return List.copyOf(out);
    }

    // com.tldraw.store: steps 1-4 are storage-scoped; step 5 applies to every record
    private static void store(List<Migration> out) {
        for (int v = 1; v <= 4; v++) {
            out.add(unsupported("com.tldraw.store", v, null, null));
        }
        out.add(new Migration("com.tldraw.store", 5, null, null, edit(TldrawMigrations::fixIndexKeys), r -> r));
    }

    private static void fixIndexKeys(Map<String, Object> r) {
        Object typeName = r.get("typeName");
        if (!("shape".equals(typeName) || "page".equals(typeName)) || !r.containsKey("index")) {
            return;
        }
        r.put("index", fixIndex((String) r.get("index")));
        if ("shape".equals(typeName) && "line".equals(r.get("type"))) {
            for (Object point : map(map(r, "props").get("points")).values()) {
                Map<String, Object> pt = map(point);
                pt.put("index", fixIndex((String) pt.get("index")));
            }
        }
    }

    private static String fixIndex(String index) {
        if (!index.endsWith("0") || index.equals("a0")) {
            return index;
        }
        StringBuilder b = new StringBuilder(index.substring(0, index.length() - 1));
        ThreadLocalRandom random = ThreadLocalRandom.current();
        for (int i = 0; i < 3; i++) {
            b.append(BASE_62_DIGITS_WITHOUT_ZERO.charAt(random.nextInt(BASE_62_DIGITS_WITHOUT_ZERO.length())));
        }
        return b.toString();
    }

    private static void records(List<Migration> out) {
        out.add(record("asset", 1, r -> r.put("meta", new LinkedHashMap<>()), null));
        out.add(record("camera", 1, r -> r.put("meta", new LinkedHashMap<>()), null));
        out.add(record("document", 1, r -> r.put("name", ""), r -> r.remove("name")));
        out.add(record("document", 2, r -> r.put("meta", new LinkedHashMap<>()), null));
        out.add(record("page", 1, r -> r.put("meta", new LinkedHashMap<>()), null));
        out.add(record("pointer", 1, r -> r.put("meta", new LinkedHashMap<>()), null));
        out.add(record("user", 1, r -> {}, null));
        for (int v = 1; v <= 25; v++) {
            out.add(unsupported("com.tldraw.instance", v, "instance", null));
        }
        out.add(record("instance", 26, r -> r.put("cameraState", "idle"), r -> r.remove("cameraState")));
        for (int v = 1; v <= 5; v++) {
            out.add(unsupported("com.tldraw.instance_page_state", v, "instance_page_state", null));
        }
    }

    private static void presence(List<Migration> out) {
        out.add(record(
                "instance_presence",
                1,
                r -> {
                    if (r.get("scribble") != null) {
                        map(r.get("scribble")).put("delay", 0L);
                    }
                },
                null));
        out.add(record("instance_presence", 2, r -> r.remove("instanceId"), null));
        out.add(record("instance_presence", 3, r -> r.put("chatMessage", ""), null));
        out.add(record("instance_presence", 4, r -> r.put("meta", new LinkedHashMap<>()), null));
        out.add(record("instance_presence", 5, r -> {}, null));
        out.add(record("instance_presence", 6, r -> {}, r -> {
            replaceNull(r, "camera", Map.of("x", 0L, "y", 0L, "z", 1L));
            replaceNull(r, "lastActivityTimestamp", 0L);
            replaceNull(r, "cursor", Map.of("type", "default", "x", 0L, "y", 0L, "rotation", 0L));
            replaceNull(r, "screenBounds", Map.of("x", 0L, "y", 0L, "w", 1L, "h", 1L));
        }));
    }

    private static void replaceNull(Map<String, Object> r, String key, Object value) {
        // JavaScript's `=== null`: a present null, not a missing key
        if (r.containsKey(key) && r.get(key) == null) {
            r.put(key, value);
        }
    }

    private static void rootShape(List<Migration> out) {
        out.add(record("shape", 1, r -> r.put("isLocked", false), r -> r.remove("isLocked")));
        out.add(record(
                "shape",
                2,
                r -> {
                    Map<String, Object> p = map(r, "props");
                    Object opacity = p.remove("opacity");
                    r.put("opacity", jsNumber(opacity == null ? "1" : opacity));
                },
                r -> {
                    double o = num(r.remove("opacity"));
                    map(r, "props")
                            .put(
                                    "opacity",
                                    o < 0.175
                                            ? "0.1"
                                            : o < 0.375 ? "0.25" : o < 0.625 ? "0.5" : o < 0.875 ? "0.75" : "1");
                }));
        out.add(record("shape", 3, r -> r.put("meta", new LinkedHashMap<>()), null));
        out.add(record("shape", 4, r -> {}, r -> {
            Map<String, Object> p = map(r, "props");
            if ("white".equals(p.get("color"))) {
                p.put("color", "black");
            }
        }));
    }

    private static void assets(List<Migration> out) {
        for (String type : List.of("image", "video")) {
            String seq = "com.tldraw.asset." + type;
            out.add(assetProps(type, 1, p -> p.put("isAnimated", false), p -> p.remove("isAnimated")));
            out.add(assetProps(
                    type,
                    2,
                    p -> {
                        p.put("w", p.get("width"));
                        p.put("h", p.get("height"));
                        p.remove("width");
                        p.remove("height");
                    },
                    p -> {
                        p.put("width", p.get("w"));
                        p.put("height", p.get("h"));
                        p.remove("w");
                        p.remove("h");
                    }));
            out.add(unsupported(seq, 3, "asset", type));
            out.add(assetProps(type, 4, p -> p.put("fileSize", -1L), p -> p.remove("fileSize")));
            out.add(assetProps(
                    type,
                    5,
                    p -> {
                        if (p.get("fileSize") instanceof Number n && n.doubleValue() == -1) {
                            p.remove("fileSize"); // tldraw sets it to undefined
                        }
                    },
                    p -> {
                        if (!p.containsKey("fileSize")) {
                            p.put("fileSize", -1L);
                        }
                    }));
        }
        out.add(assetProps("image", 6, p -> {}, p -> p.remove("pixelRatio")));
        out.add(unsupported("com.tldraw.asset.bookmark", 1, "asset", "bookmark"));
        out.add(unsupported("com.tldraw.asset.bookmark", 2, "asset", "bookmark"));
    }

    private static void arrow(List<Migration> out) {
        out.add(shapeProps("arrow", 1, p -> p.put("labelColor", "black"), null));
        out.add(shapeProps(
                "arrow",
                2,
                p -> {
                    for (String end : List.of("start", "end")) {
                        Map<String, Object> t = map(p, end);
                        if ("binding".equals(t.get("type"))) {
                            Map<String, Object> a = map(t, "normalizedAnchor");
                            t.put("isPrecise", !(num(a.get("x")) == 0.5 && num(a.get("y")) == 0.5));
                        }
                    }
                },
                p -> {
                    for (String end : List.of("start", "end")) {
                        Map<String, Object> t = map(p, end);
                        if ("binding".equals(t.get("type"))) {
                            if (!truthy(t.get("isPrecise"))) {
                                t.put("normalizedAnchor", Map.of("x", 0.5, "y", 0.5));
                            }
                            t.remove("isPrecise");
                        }
                    }
                }));
        out.add(shapeProps("arrow", 3, p -> p.put("labelPosition", 0.5), p -> p.remove("labelPosition")));
        out.add(unsupported("com.tldraw.shape.arrow", 4, "shape", "arrow"));
        out.add(shapeProps("arrow", 5, p -> p.put("scale", 1L), p -> p.remove("scale")));
        out.add(shapeProps(
                "arrow",
                6,
                p -> {
                    p.put("kind", "arc");
                    p.put("elbowMidPoint", 0.5);
                },
                p -> {
                    p.remove("kind");
                    p.remove("elbowMidPoint");
                }));
        out.add(shapeProps("arrow", 7, TldrawMigrations::addRichText, null));
        out.add(shapeProps("arrow", 8, p -> {}, TldrawMigrations::removeRichTextAttrs));
    }

    private static void shapes(List<Migration> out) {
        out.add(shapeProps(
                "bookmark",
                1,
                p -> {
                    if (!p.containsKey("assetId")) {
                        p.put("assetId", null);
                    }
                },
                null));
        out.add(unsupported("com.tldraw.shape.bookmark", 2, "shape", "bookmark"));

        out.add(unsupported("com.tldraw.shape.embed", 1, "shape", "embed"));
        out.add(shapeProps("embed", 2, p -> p.remove("doesResize"), null));
        out.add(shapeProps("embed", 3, p -> p.remove("tmpOldUrl"), null));
        out.add(shapeProps("embed", 4, p -> p.remove("overridePermissions"), null));

        out.add(shapeProps("frame", 1, p -> p.put("color", "black"), p -> p.remove("color")));

        out.add(shapeProps("geo", 1, p -> p.put("url", ""), null));
        out.add(shapeProps("geo", 2, p -> p.put("labelColor", "black"), null));
        out.add(shapeProps("geo", 3, TldrawMigrations::removeJustify, null));
        out.add(shapeProps("geo", 4, p -> {}, null));
        out.add(shapeProps("geo", 5, p -> p.put("verticalAlign", "middle"), null));
        out.add(shapeProps("geo", 6, TldrawMigrations::legacyAlign, null));
        out.add(shapeProps("geo", 7, p -> {}, null));
        out.add(unsupported("com.tldraw.shape.geo", 8, "shape", "geo"));
        out.add(shapeProps("geo", 9, p -> p.put("scale", 1L), p -> p.remove("scale")));
        out.add(shapeProps("geo", 10, TldrawMigrations::addRichText, null));
        out.add(shapeProps("geo", 11, p -> {}, TldrawMigrations::removeRichTextAttrs));
        out.add(shapeProps("geo", 12, TldrawMigrations::addFlip, TldrawMigrations::removeFlip));

        out.add(shapeProps("image", 1, p -> p.put("url", ""), null));
        out.add(shapeProps("image", 2, p -> p.put("crop", null), p -> p.remove("crop")));
        out.add(unsupported("com.tldraw.shape.image", 3, "shape", "image"));
        out.add(shapeProps("image", 4, TldrawMigrations::addFlip, TldrawMigrations::removeFlip));
        out.add(shapeProps("image", 5, p -> p.put("altText", ""), p -> p.remove("altText")));

        out.add(shapeProps(
                "line",
                1,
                p -> {
                    for (Object handle : map(p.get("handles")).values()) {
                        map(handle).put("canSnap", true);
                    }
                },
                null));
        for (int v = 2; v <= 4; v++) {
            out.add(unsupported("com.tldraw.shape.line", v, "shape", "line"));
        }
        out.add(shapeProps("line", 5, p -> p.put("scale", 1L), p -> p.remove("scale")));

        out.add(shapeProps("note", 1, p -> p.put("url", ""), null));
        out.add(shapeProps("note", 2, TldrawMigrations::removeJustify, null));
        out.add(shapeProps("note", 3, TldrawMigrations::legacyAlign, null));
        out.add(shapeProps("note", 4, p -> p.put("verticalAlign", "middle"), null));
        out.add(unsupported("com.tldraw.shape.note", 5, "shape", "note"));
        out.add(shapeProps("note", 6, p -> p.put("fontSizeAdjustment", 0L), p -> p.remove("fontSizeAdjustment")));
        out.add(shapeProps("note", 7, p -> p.put("scale", 1L), p -> p.remove("scale")));
        out.add(shapeProps("note", 8, p -> p.put("labelColor", "black"), p -> p.remove("labelColor")));
        out.add(shapeProps("note", 9, TldrawMigrations::addRichText, null));
        out.add(shapeProps("note", 10, p -> {}, TldrawMigrations::removeRichTextAttrs));
        out.add(shapeProps("note", 11, p -> p.put("textFirstEditedBy", null), p -> p.remove("textFirstEditedBy")));
        out.add(shapeProps(
                "note",
                12,
                p -> {
                    Object adj = p.get("fontSizeAdjustment");
                    p.put("fontSizeAdjustment", adj instanceof Number n && n.doubleValue() == 0 ? 1L : null);
                },
                p -> p.put("fontSizeAdjustment", 0L)));
        out.add(shapeProps(
                "note",
                13,
                p -> {
                    Object by = p.get("textFirstEditedBy");
                    p.put("textLastEditedBy", by);
                    p.remove("textFirstEditedBy");
                },
                p -> {
                    Object by = p.get("textLastEditedBy");
                    p.put("textFirstEditedBy", by);
                    p.remove("textLastEditedBy");
                }));

        out.add(shapeProps("text", 1, TldrawMigrations::removeJustify, null));
        out.add(shapeProps(
                "text",
                2,
                p -> {
                    putOrUndefined(p, "textAlign", p, "align");
                    p.remove("align");
                },
                p -> {
                    putOrUndefined(p, "align", p, "textAlign");
                    p.remove("textAlign");
                }));
        out.add(shapeProps("text", 3, TldrawMigrations::addRichText, null));
        out.add(shapeProps("text", 4, p -> {}, TldrawMigrations::removeRichTextAttrs));

        out.add(shapeProps("video", 1, p -> p.put("url", ""), null));
        out.add(unsupported("com.tldraw.shape.video", 2, "shape", "video"));
        out.add(shapeProps("video", 3, p -> p.put("altText", ""), p -> p.remove("altText")));
        out.add(shapeProps("video", 4, p -> p.put("autoplay", true), p -> p.remove("autoplay")));
    }

    /** Draw and highlight share their steps from highlight's first (scale) on; draw has AddInPen first. */
    private static void drawLike(List<Migration> out, String type) {
        int v = 1;
        if (type.equals("draw")) {
            out.add(shapeProps(type, v++, TldrawMigrations::addInPen, null));
        }
        out.add(shapeProps(type, v++, p -> p.put("scale", 1L), p -> p.remove("scale")));
        out.add(shapeProps(
                type,
                v++,
                p -> {
                    segmentsToPaths(p);
                    if (p.get("scaleX") == null) {
                        p.put("scaleX", 1L);
                    }
                    if (p.get("scaleY") == null) {
                        p.put("scaleY", 1L);
                    }
                },
                p -> {
                    List<Object> segments = new ArrayList<>();
                    for (Object s : list(p.get("segments"))) {
                        Map<String, Object> seg = new LinkedHashMap<>(map(s));
                        Object path = seg.remove("path");
                        seg.put("points", vecModels(B64Vecs.decodePoints((String) path, 3)));
                        segments.add(seg);
                    }
                    p.put("segments", segments);
                    p.remove("scaleX");
                    p.remove("scaleY");
                }));
        out.add(shapeProps(type, v++, TldrawMigrations::segmentsToPaths, p -> {}));
        out.add(shapeProps(type, v, p -> {}, p -> {
            List<Object> segments = new ArrayList<>();
            for (Object s : list(p.get("segments"))) {
                Map<String, Object> seg = map(s);
                if (!seg.containsKey("dim")) {
                    segments.add(seg);
                    continue;
                }
                Map<String, Object> rest = new LinkedHashMap<>(seg);
                Object dim = rest.remove("dim");
                if (dim instanceof Number n && n.doubleValue() == B64Vecs.DIM_2D) {
                    rest.put(
                            "path",
                            B64Vecs.encodePoints(B64Vecs.decodePoints((String) seg.get("path"), B64Vecs.DIM_2D)));
                }
                segments.add(rest);
            }
            p.put("segments", segments);
        }));
    }

    private static void addInPen(Map<String, Object> p) {
        List<Object> points = list(map(list(p.get("segments")).get(0)).get("points"));
        if (points.isEmpty()) {
            p.put("isPen", false);
            return;
        }
        boolean isPen = !isZeroOrHalf(map(points.get(0)).get("z"));
        if (points.size() > 1 && points.get(1) != null) {
            isPen = isPen && !isZeroOrHalf(map(points.get(1)).get("z"));
        }
        p.put("isPen", isPen);
    }

    private static boolean isZeroOrHalf(@Nullable Object z) {
        return z instanceof Number n && (n.doubleValue() == 0 || n.doubleValue() == 0.5);
    }

    /** Segments still holding {@code points} (an array, or legacy base64) get a {@code path} instead. */
    private static void segmentsToPaths(Map<String, Object> p) {
        List<Object> segments = new ArrayList<>();
        for (Object s : list(p.get("segments"))) {
            Map<String, Object> seg = map(s);
            if (seg.containsKey("path")) {
                // JavaScript's `path !== undefined`: a present key (even null) is kept as is
                segments.add(seg);
                continue;
            }
            Map<String, Object> rest = new LinkedHashMap<>(seg);
            Object points = rest.remove("points");
            List<B64Vecs.Vec> vecs =
                    points instanceof List<?> l ? vecs(l) : B64Vecs.legacyDecodePoints((String) points);
            rest.put("path", B64Vecs.encodePoints(vecs));
            segments.add(rest);
        }
        p.put("segments", segments);
    }

    private static List<B64Vecs.Vec> vecs(List<?> points) {
        List<B64Vecs.Vec> out = new ArrayList<>(points.size());
        for (Object o : points) {
            Map<String, Object> pt = map(o);
            Object z = pt.get("z");
            out.add(new B64Vecs.Vec(num(pt.get("x")), num(pt.get("y")), z == null ? 0.5 : num(z)));
        }
        return out;
    }

    private static List<Object> vecModels(List<B64Vecs.Vec> vecs) {
        List<Object> out = new ArrayList<>(vecs.size());
        for (B64Vecs.Vec v : vecs) {
            Map<String, Object> m = new LinkedHashMap<>();
            m.put("x", v.x());
            m.put("y", v.y());
            m.put("z", v.z());
            out.add(m);
        }
        return out;
    }

    private static void removeJustify(Map<String, Object> p) {
        if ("justify".equals(p.get("align"))) {
            p.put("align", "start");
        }
    }

    private static void legacyAlign(Map<String, Object> p) {
        Object align = p.get("align");
        p.put("align", "start".equals(align) ? "start-legacy" : "end".equals(align) ? "end-legacy" : "middle-legacy");
    }

    private static void addFlip(Map<String, Object> p) {
        p.put("flipX", false);
        p.put("flipY", false);
    }

    private static void removeFlip(Map<String, Object> p) {
        p.remove("flipX");
        p.remove("flipY");
    }

    /** tldraw's {@code toRichText}: one paragraph per line, empty lines without content. */
    private static void addRichText(Map<String, Object> p) {
        String text = (String) p.get("text");
        List<Object> content = new ArrayList<>();
        for (String line : text.split("\n", -1)) {
            Map<String, Object> para = new LinkedHashMap<>();
            para.put("type", "paragraph");
            if (!line.isEmpty()) {
                Map<String, Object> t = new LinkedHashMap<>();
                t.put("type", "text");
                t.put("text", line);
                para.put("content", List.of(t));
            }
            content.add(para);
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("type", "doc");
        doc.put("content", content);
        p.put("richText", doc);
        p.remove("text");
    }

    private static void removeRichTextAttrs(Map<String, Object> p) {
        if (truthy(p.get("richText")) && p.get("richText") instanceof Map<?, ?>) {
            map(p.get("richText")).remove("attrs");
        }
    }

    /** {@code to[toKey] = from[fromKey]}, where an undefined value leaves no key, as in JSON. */
    private static void putOrUndefined(Map<String, Object> to, String toKey, Map<String, Object> from, String fromKey) {
        if (from.containsKey(fromKey)) {
            to.put(toKey, from.get(fromKey));
        } else {
            to.remove(toKey);
        }
    }

    // --- building steps

    private static Migration record(
            String type, int version, Consumer<Map<String, Object>> up, @Nullable Consumer<Map<String, Object>> down) {
        String seq = "com.tldraw." + type;
        return new Migration(seq, version, type, null, edit(up), down == null ? null : edit(down));
    }

    private static Migration shapeProps(
            String type, int version, Consumer<Map<String, Object>> up, @Nullable Consumer<Map<String, Object>> down) {
        return props("shape", type, version, up, down);
    }

    private static Migration props(
            String recordType,
            String type,
            int version,
            Consumer<Map<String, Object>> up,
            @Nullable Consumer<Map<String, Object>> down) {
        String seq = "com.tldraw." + recordType + "." + type;
        return new Migration(seq, version, recordType, type, editProps(up), down == null ? null : editProps(down));
    }

    private static Migration assetProps(
            String type, int version, Consumer<Map<String, Object>> up, @Nullable Consumer<Map<String, Object>> down) {
        return props("asset", type, version, up, down);
    }

    private static Migration unsupported(
            String sequenceId, int version, @Nullable String recordType, @Nullable String subType) {
        return new Migration(
                sequenceId, version, recordType, subType, new Unsupported(sequenceId + "/" + version), null);
    }

    /** An up step Tandem does not implement: fails on every record it applies to. */
    private record Unsupported(String id) implements UnaryOperator<Map<String, Object>> {
        @Override
        public Map<String, Object> apply(Map<String, Object> record) {
            throw new UnsupportedOperationException("tldraw migration " + id + " " + UNSUPPORTED);
        }
    }

    private static UnaryOperator<Map<String, Object>> edit(Consumer<Map<String, Object>> body) {
        return r -> {
            Map<String, Object> copy = map(thaw(r));
            body.accept(copy);
            return copy;
        };
    }

    private static UnaryOperator<Map<String, Object>> editProps(Consumer<Map<String, Object>> body) {
        return r -> {
            Map<String, Object> copy = map(thaw(r));
            body.accept(map(copy, "props"));
            return copy;
        };
    }

    // --- JSON helpers: mutable copies and JavaScript's loose reads

    private static @Nullable Object thaw(@Nullable Object v) {
        if (v instanceof Map<?, ?> m) {
            Map<String, Object> out = new LinkedHashMap<>();
            m.forEach((k, x) -> out.put((String) k, thaw(x)));
            return out;
        }
        if (v instanceof List<?> l) {
            List<Object> out = new ArrayList<>(l.size());
            l.forEach(x -> out.add(thaw(x)));
            return out;
        }
        return v;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(@Nullable Object o) {
        if (!(o instanceof Map<?, ?>)) {
            throw new IllegalArgumentException("expected an object but got " + o);
        }
        return (Map<String, Object>) o;
    }

    private static Map<String, Object> map(Map<String, Object> parent, String key) {
        return map(parent.get(key));
    }

    @SuppressWarnings("unchecked")
    private static List<Object> list(@Nullable Object o) {
        if (!(o instanceof List<?>)) {
            throw new IllegalArgumentException("expected an array but got " + o);
        }
        return (List<Object>) o;
    }

    private static double num(@Nullable Object o) {
        if (!(o instanceof Number n)) {
            throw new IllegalArgumentException("expected a number but got " + o);
        }
        return n.doubleValue();
    }

    /** JavaScript's {@code Number(x)} for a string or number. */
    private static Object jsNumber(Object o) {
        if (o instanceof Number n) {
            return n;
        }
        if (o instanceof Boolean b) {
            return b ? 1L : 0L;
        }
        String s = o.toString().strip();
        if (s.isEmpty()) {
            return 0L;
        }
        try {
            double d = Double.parseDouble(s);
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                throw new IllegalArgumentException("opacity " + o + " is not a finite number");
            }
            return d;
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException("opacity " + o + " is not a number", e);
        }
    }

    private static boolean truthy(@Nullable Object o) {
        if (o == null || Boolean.FALSE.equals(o) || "".equals(o)) {
            return false;
        }
        return !(o instanceof Number n) || (n.doubleValue() != 0 && !Double.isNaN(n.doubleValue()));
    }
}
