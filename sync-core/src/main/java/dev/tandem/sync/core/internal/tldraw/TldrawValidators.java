package dev.tandem.sync.core.internal.tldraw;

import static dev.tandem.sync.core.Validators.arrayOf;
import static dev.tandem.sync.core.Validators.bool;
import static dev.tandem.sync.core.Validators.dict;
import static dev.tandem.sync.core.Validators.indexKey;
import static dev.tandem.sync.core.Validators.jsonValue;
import static dev.tandem.sync.core.Validators.linkUrl;
import static dev.tandem.sync.core.Validators.literal;
import static dev.tandem.sync.core.Validators.literalEnum;
import static dev.tandem.sync.core.Validators.model;
import static dev.tandem.sync.core.Validators.nonZeroFiniteNumber;
import static dev.tandem.sync.core.Validators.nonZeroNumber;
import static dev.tandem.sync.core.Validators.number;
import static dev.tandem.sync.core.Validators.object;
import static dev.tandem.sync.core.Validators.optional;
import static dev.tandem.sync.core.Validators.positiveNumber;
import static dev.tandem.sync.core.Validators.srcUrl;
import static dev.tandem.sync.core.Validators.string;
import static dev.tandem.sync.core.Validators.union;
import static dev.tandem.sync.core.Validators.unitInterval;
import static dev.tandem.sync.core.Validators.unknown;

import dev.tandem.sync.core.Validator;
import dev.tandem.sync.core.internal.validate.PrefixCheck;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The record validators of {@code createTLSchema()} in {@code @tldraw/tlschema} 5.4.2, for every record type
 * a room holds: {@code asset}, {@code binding}, {@code document}, {@code page}, {@code shape}, {@code user}
 * and the presence type {@code instance_presence}. Stateless, thread-safe.
 */
public final class TldrawValidators {
    private TldrawValidators() {}

    // ---- styles (tldraw's StyleProp enums)
    static final Validator COLOR = literalEnum(
            "black",
            "grey",
            "light-violet",
            "violet",
            "blue",
            "light-blue",
            "yellow",
            "orange",
            "green",
            "light-green",
            "light-red",
            "red",
            "white");
    static final Validator DASH = literalEnum("draw", "solid", "dashed", "dotted", "none");
    static final Validator FILL = literalEnum("none", "semi", "solid", "pattern", "fill", "lined-fill");
    static final Validator FONT = literalEnum("draw", "sans", "serif", "mono");
    static final Validator SIZE = literalEnum("s", "m", "l", "xl");
    static final Validator HORIZONTAL_ALIGN =
            literalEnum("start", "middle", "end", "start-legacy", "end-legacy", "middle-legacy");
    static final Validator VERTICAL_ALIGN = literalEnum("start", "middle", "end");
    static final Validator TEXT_ALIGN = literalEnum("start", "middle", "end");
    static final Validator GEO = literalEnum(
            "cloud",
            "rectangle",
            "ellipse",
            "triangle",
            "diamond",
            "pentagon",
            "hexagon",
            "octagon",
            "star",
            "rhombus",
            "rhombus-2",
            "oval",
            "trapezoid",
            "arrow-right",
            "arrow-left",
            "arrow-up",
            "arrow-down",
            "x-box",
            "check-box",
            "heart");
    static final Validator SPLINE = literalEnum("cubic", "line");
    static final Validator ARROW_KIND = literalEnum("arc", "elbow");
    static final Validator ARROWHEAD =
            literalEnum("arrow", "triangle", "square", "dot", "pipe", "diamond", "inverted", "bar", "none");
    static final Validator CURSOR_TYPE = literalEnum(
            "none",
            "default",
            "pointer",
            "cross",
            "comment",
            "grab",
            "rotate",
            "grabbing",
            "resize-edge",
            "resize-corner",
            "text",
            "move",
            "ew-resize",
            "ns-resize",
            "nesw-resize",
            "nwse-resize",
            "nesw-rotate",
            "nwse-rotate",
            "swne-rotate",
            "senw-rotate",
            "zoom-in",
            "zoom-out");
    static final Validator CANVAS_UI_COLOR =
            literalEnum("accent", "white", "black", "selection-stroke", "selection-fill", "laser", "muted-1");
    static final Validator SCRIBBLE_STATE = literalEnum("starting", "paused", "active", "complete", "stopping");

    // ---- ids and shared parts
    static final Validator SHAPE_ID = PrefixCheck.id("shape");
    static final Validator ASSET_ID = PrefixCheck.id("asset");
    static final Validator BINDING_ID = PrefixCheck.id("binding");
    static final Validator PAGE_ID = PrefixCheck.id("page");
    static final Validator USER_ID = PrefixCheck.id("user");
    static final Validator PARENT_ID =
            new PrefixCheck("Error: Parent ID must start with \"page:\" or \"shape:\"", "page:", "shape:");

    static final Validator VEC = object(props("x", number(), "y", number(), "z", optional(number())));
    static final Validator BOX = object(props("x", number(), "y", number(), "w", number(), "h", number()));
    static final Validator RICH_TEXT =
            object(props("type", string(), "content", arrayOf(unknown()), "attrs", optional(unknown())));
    static final Validator DRAW_SEGMENT = object(
            props("type", literalEnum("free", "straight"), "path", string(), "dim", optional(literalEnum(2, 3))));

    // ---- default shapes' props
    static Map<String, Map<String, Validator>> defaultShapeProps() {
        Map<String, Map<String, Validator>> m = new LinkedHashMap<>();
        m.put(
                "arrow",
                props(
                        "kind", ARROW_KIND,
                        "labelColor", COLOR,
                        "color", COLOR,
                        "fill", FILL,
                        "dash", DASH,
                        "size", SIZE,
                        "arrowheadStart", ARROWHEAD,
                        "arrowheadEnd", ARROWHEAD,
                        "font", FONT,
                        "start", VEC,
                        "end", VEC,
                        "bend", number(),
                        "richText", RICH_TEXT,
                        "labelPosition", number(),
                        "scale", nonZeroNumber(),
                        "elbowMidPoint", number()));
        m.put(
                "bookmark",
                props("w", nonZeroNumber(), "h", nonZeroNumber(), "assetId", ASSET_ID.nullable(), "url", linkUrl()));
        m.put(
                "draw",
                props(
                        "color", COLOR,
                        "fill", FILL,
                        "dash", DASH,
                        "size", SIZE,
                        "segments", arrayOf(DRAW_SEGMENT),
                        "isComplete", bool(),
                        "isClosed", bool(),
                        "isPen", bool(),
                        "scale", nonZeroNumber(),
                        "scaleX", nonZeroFiniteNumber(),
                        "scaleY", nonZeroFiniteNumber()));
        m.put("embed", props("w", nonZeroNumber(), "h", nonZeroNumber(), "url", string()));
        m.put("frame", props("w", nonZeroNumber(), "h", nonZeroNumber(), "name", string(), "color", COLOR));
        m.put(
                "geo",
                props(
                        "geo", GEO,
                        "dash", DASH,
                        "url", linkUrl(),
                        "w", nonZeroNumber(),
                        "h", nonZeroNumber(),
                        "growY", positiveNumber(),
                        "scale", nonZeroNumber(),
                        "flipX", bool(),
                        "flipY", bool(),
                        "labelColor", COLOR,
                        "color", COLOR,
                        "fill", FILL,
                        "size", SIZE,
                        "font", FONT,
                        "align", HORIZONTAL_ALIGN,
                        "verticalAlign", VERTICAL_ALIGN,
                        "richText", RICH_TEXT));
        m.put("group", props());
        m.put(
                "highlight",
                props(
                        "color", COLOR,
                        "size", SIZE,
                        "segments", arrayOf(DRAW_SEGMENT),
                        "isComplete", bool(),
                        "isPen", bool(),
                        "scale", nonZeroNumber(),
                        "scaleX", nonZeroFiniteNumber(),
                        "scaleY", nonZeroFiniteNumber()));
        m.put(
                "image",
                props(
                        "w", nonZeroNumber(),
                        "h", nonZeroNumber(),
                        "playing", bool(),
                        "url", linkUrl(),
                        "assetId", ASSET_ID.nullable(),
                        "crop",
                                object(props("topLeft", VEC, "bottomRight", VEC, "isCircle", optional(bool())))
                                        .nullable(),
                        "flipX", bool(),
                        "flipY", bool(),
                        "altText", string()));
        m.put(
                "line",
                props(
                        "color", COLOR,
                        "dash", DASH,
                        "size", SIZE,
                        "spline", SPLINE,
                        "points",
                                dict(
                                        string(),
                                        object(props(
                                                "id", string(), "index", indexKey(), "x", number(), "y", number()))),
                        "scale", nonZeroNumber()));
        m.put(
                "note",
                props(
                        "color", COLOR,
                        "labelColor", COLOR,
                        "size", SIZE,
                        "font", FONT,
                        "fontSizeAdjustment", positiveNumber().nullable(),
                        "align", HORIZONTAL_ALIGN,
                        "verticalAlign", VERTICAL_ALIGN,
                        "growY", positiveNumber(),
                        "url", linkUrl(),
                        "richText", RICH_TEXT,
                        "scale", nonZeroNumber(),
                        "textLastEditedBy", string().nullable()));
        m.put(
                "text",
                props(
                        "color", COLOR,
                        "size", SIZE,
                        "font", FONT,
                        "textAlign", TEXT_ALIGN,
                        "w", nonZeroNumber(),
                        "richText", RICH_TEXT,
                        "scale", nonZeroNumber(),
                        "autoSize", bool()));
        m.put(
                "video",
                props(
                        "w", nonZeroNumber(),
                        "h", nonZeroNumber(),
                        "time", number(),
                        "playing", bool(),
                        "autoplay", bool(),
                        "url", linkUrl(),
                        "assetId", ASSET_ID.nullable(),
                        "altText", string()));
        return m;
    }

    /** The default binding types' props. */
    static Map<String, Map<String, Validator>> defaultBindingProps() {
        Map<String, Map<String, Validator>> m = new LinkedHashMap<>();
        m.put(
                "arrow",
                props(
                        "terminal", literalEnum("start", "end"),
                        "normalizedAnchor", VEC,
                        "isExact", bool(),
                        "isPrecise", bool(),
                        "snap", literalEnum("center", "edge-point", "edge", "none")));
        return m;
    }

    /** The default asset types' props validators. */
    static Map<String, Validator> defaultAssetProps() {
        Map<String, Validator> m = new LinkedHashMap<>();
        m.put(
                "image",
                object(props(
                        "w", number(),
                        "h", number(),
                        "name", string(),
                        "isAnimated", bool(),
                        "mimeType", string().nullable(),
                        "src", srcUrl().nullable(),
                        "fileSize", optional(nonZeroNumber()),
                        "pixelRatio", optional(positiveNumber()))));
        m.put(
                "video",
                object(props(
                        "w", number(),
                        "h", number(),
                        "name", string(),
                        "isAnimated", bool(),
                        "mimeType", string().nullable(),
                        "src", srcUrl().nullable(),
                        "fileSize", optional(number()))));
        m.put(
                "bookmark",
                object(props(
                        "title", string(),
                        "description", string(),
                        "image", string(),
                        "favicon", string(),
                        "src", srcUrl().nullable())));
        return m;
    }

    /** One shape type's record validator: tldraw's base shape properties plus {@code props}. */
    public static Validator shape(String type, @Nullable Validator props) {
        return object(props(
                "id", SHAPE_ID,
                "typeName", literal("shape"),
                "x", number(),
                "y", number(),
                "rotation", number(),
                "index", indexKey(),
                "parentId", PARENT_ID,
                "type", literal(type),
                "isLocked", bool(),
                "opacity", unitInterval(),
                "props", props == null ? jsonValue() : props,
                "meta", jsonValue()));
    }

    /** One binding type's record validator: tldraw's base binding properties plus {@code props}. */
    public static Validator binding(String type, @Nullable Validator props) {
        return object(props(
                "id",
                BINDING_ID,
                "typeName",
                literal("binding"),
                "type",
                literal(type),
                "fromId",
                SHAPE_ID,
                "toId",
                SHAPE_ID,
                "props",
                props == null ? jsonValue() : props,
                "meta",
                jsonValue()));
    }

    /** One asset type's record validator. */
    static Validator asset(String type, @Nullable Validator props) {
        return object(props(
                "id", ASSET_ID,
                "typeName", literal("asset"),
                "type", literal(type),
                "props", props == null ? jsonValue() : props,
                "meta", jsonValue()));
    }

    /** The shape record validator over these shape types (type → record validator from {@link #shape}). */
    public static Validator shapeRecord(Map<String, Validator> shapes) {
        return model("shape", union("type", shapes));
    }

    /** The binding record validator over these binding types (type → record validator from {@link #binding}). */
    public static Validator bindingRecord(Map<String, Validator> bindings) {
        return model("binding", union("type", bindings));
    }

    /** Returns type → record validator for tldraw's 13 default shapes. */
    public static Map<String, Validator> defaultShapes() {
        Map<String, Validator> m = new LinkedHashMap<>();
        defaultShapeProps().forEach((type, p) -> m.put(type, shape(type, object(p))));
        return m;
    }

    /** Returns type → record validator for tldraw's default binding ({@code arrow}). */
    public static Map<String, Validator> defaultBindings() {
        Map<String, Validator> m = new LinkedHashMap<>();
        defaultBindingProps().forEach((type, p) -> m.put(type, binding(type, object(p))));
        return m;
    }

    /** The asset record validator: image, video and bookmark. */
    public static Validator assetRecord() {
        Map<String, Validator> m = new LinkedHashMap<>();
        defaultAssetProps().forEach((type, p) -> m.put(type, asset(type, p)));
        return model("asset", union("type", m));
    }

    public static Validator documentRecord() {
        return model(
                "document",
                object(props(
                        "typeName", literal("document"),
                        "id", literal("document:document"),
                        "gridSize", number(),
                        "name", string(),
                        "meta", jsonValue())));
    }

    public static Validator pageRecord() {
        return model(
                "page",
                object(props(
                        "typeName", literal("page"),
                        "id", PAGE_ID,
                        "name", string(),
                        "index", indexKey(),
                        "meta", jsonValue())));
    }

    public static Validator userRecord() {
        return model(
                "user",
                object(props(
                        "typeName", literal("user"),
                        "id", USER_ID,
                        "name", string(),
                        "color", string(),
                        "imageUrl", string(),
                        "meta", jsonValue())));
    }

    public static Validator instancePresenceRecord() {
        return model(
                "instance_presence",
                object(props(
                        "typeName", literal("instance_presence"),
                        "id", PrefixCheck.id("instance_presence"),
                        "userId", USER_ID,
                        "userName", string(),
                        "lastActivityTimestamp", number().nullable(),
                        "followingUserId", USER_ID.nullable(),
                        "cursor",
                                object(props("x", number(), "y", number(), "type", CURSOR_TYPE, "rotation", number()))
                                        .nullable(),
                        "color", string(),
                        "camera",
                                object(props("x", number(), "y", number(), "z", number()))
                                        .nullable(),
                        "screenBounds", BOX.nullable(),
                        "selectedShapeIds", arrayOf(SHAPE_ID),
                        "currentPageId", PAGE_ID,
                        "brush", BOX.nullable(),
                        "scribbles",
                                arrayOf(object(props(
                                        "id", string(),
                                        "points", arrayOf(VEC),
                                        "size", positiveNumber(),
                                        "color", CANVAS_UI_COLOR,
                                        "opacity", number(),
                                        "state", SCRIBBLE_STATE,
                                        "delay", number(),
                                        "shrink", number(),
                                        "taper", bool()))),
                        "chatMessage", string(),
                        "meta", jsonValue())));
    }

    /** Returns the default shape type names. */
    public static java.util.Set<String> defaultShapeTypes() {
        return defaultShapeProps().keySet();
    }

    private static Map<String, Validator> props(Object... keysAndValidators) {
        Map<String, Validator> m = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValidators.length; i += 2) {
            m.put((String) keysAndValidators[i], (Validator) keysAndValidators[i + 1]);
        }
        return m;
    }
}
