package dev.tandem.sync.server.internal.cli;

import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.Migration;
import dev.tandem.sync.core.RecordValidator;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.TldrawSchema;
import dev.tandem.sync.core.Validator;
import dev.tandem.sync.core.Validators;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * Reads an app's room schema from JSON (the format is in {@code docs/schema.md}). Two forms:
 *
 * <ul>
 *   <li>tldraw with the app's own shapes, bindings and record types: {@code {"schemaVersion": 2, "tldraw":
 *       {"shapes": {"card": {"props": {"w": "nonZeroNumber", …}, "migrations": […]}}, "bindings": {…}, "records":
 *       {"comment": {"validator": …, "migrations": […]}}}}};
 *   <li>an app of its own: {@code {"schemaVersion": 2, "sequences": {"com.example.note": 2}, "recordTypes":
 *       {"note": {"scope": "document", "validator": …}, "cursor": "presence"}, "migrations": […]}}.
 * </ul>
 *
 * <p>A validator is a type name ({@code "string"}, {@code "number"}, {@code "positiveNumber"}, …) or an object
 * ({@code {"object": {…}}}, {@code {"arrayOf": …}}, {@code {"enum": […]}}, {@code {"optional": …}}, …); a
 * migration step is {@code {"sequence", "version", "recordType", "up": [ops], "down": [ops] or null}} with ops
 * {@code {"set": "props.color", "value": "black"}}, {@code {"remove": "props.color"}} and {@code {"rename":
 * "body", "to": "text"}}. Stateless and thread-safe.
 */
public final class SchemaFile {
    private static final Map<String, Supplier<Validator>> NAMED = named();

    private SchemaFile() {}

    /**
     * Reads and checks the schema file.
     *
     * @throws IllegalArgumentException with one line naming the file and the problem
     */
    public static RoomSchema read(Path file) {
        String text;
        try {
            text = Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read schema file " + file + ": " + e);
        }
        try {
            return parse(text);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("bad schema file " + file + ": " + e.getMessage(), e);
        }
    }

    /** Parses schema JSON; throws {@link IllegalArgumentException} naming the bad field. */
    public static RoomSchema parse(String json) {
        if (!(Json.parse(json) instanceof Map<?, ?> root)) {
            throw new IllegalArgumentException("the schema must be a JSON object");
        }
        Object version = root.get("schemaVersion");
        if (!(version instanceof Number n) || n.doubleValue() != 2) {
            throw new IllegalArgumentException("schemaVersion must be 2 but was " + Json.stringify(version));
        }
        if (root.containsKey("tldraw")) {
            return tldraw(object(root.get("tldraw"), "tldraw"));
        }
        return app(root);
    }

    private static RoomSchema tldraw(Map<?, ?> spec) {
        TldrawSchema.Builder b = TldrawSchema.builder();
        for (Object key : spec.keySet()) {
            if (!List.of("shapes", "bindings", "records").contains(key)) {
                throw new IllegalArgumentException("tldraw." + key + " is not shapes, bindings or records");
            }
        }
        forEachEntry(spec, "shapes", "tldraw", (type, s, path) -> {
            Map<String, Validator> props = properties(s.get("props"), path + ".props");
            b.shapeType(type, props, migrations(s.get("migrations"), path, "com.tldraw.shape." + type, "shape"));
        });
        forEachEntry(spec, "bindings", "tldraw", (type, s, path) -> {
            Map<String, Validator> props = properties(s.get("props"), path + ".props");
            b.bindingType(type, props, migrations(s.get("migrations"), path, "com.tldraw.binding." + type, "binding"));
        });
        forEachEntry(spec, "records", "tldraw", (type, s, path) -> {
            Validator v = validator(s.get("validator"), path + ".validator");
            b.recordType(
                    type,
                    TldrawSchema.Scope.DOCUMENT,
                    v,
                    migrations(s.get("migrations"), path, "com.tldraw." + type, type));
        });
        return b.build();
    }

    private static RoomSchema app(Map<?, ?> root) {
        RoomSchema.Builder b = RoomSchema.builder();
        if (!(root.get("sequences") instanceof Map<?, ?> sequences)) {
            throw new IllegalArgumentException("sequences must be an object of sequence id to version");
        }
        for (Map.Entry<?, ?> e : sequences.entrySet()) {
            Object v = e.getValue();
            if (!(v instanceof Number num) || num.doubleValue() != Math.rint(num.doubleValue()) || num.intValue() < 0) {
                throw new IllegalArgumentException(
                        "sequences." + e.getKey() + " must be an integer >= 0 but was " + Json.stringify(v));
            }
            b.sequence((String) e.getKey(), num.intValue());
        }
        if (!(root.get("recordTypes") instanceof Map<?, ?> types) || types.isEmpty()) {
            throw new IllegalArgumentException(
                    "recordTypes must be a non-empty object of record type to \"document\" or \"presence\"");
        }
        for (Map.Entry<?, ?> e : types.entrySet()) {
            String type = (String) e.getKey();
            String path = "recordTypes." + type;
            Object scope = e.getValue();
            RecordValidator validator = RecordValidator.ANY;
            if (scope instanceof Map<?, ?> declared) {
                scope = declared.get("scope");
                if (declared.containsKey("validator")) {
                    Validator v = validator(declared.get("validator"), path + ".validator");
                    validator = v::validate;
                }
            }
            if ("document".equals(scope)) {
                b.documentType(type, validator);
            } else if ("presence".equals(scope)) {
                b.presenceType(type, validator);
            } else {
                throw new IllegalArgumentException(
                        path + " must be \"document\" or \"presence\" but was " + Json.stringify(scope));
            }
        }
        Object steps = root.get("migrations");
        if (steps != null) {
            for (Migration m : migrations(steps, "", null, null)) {
                b.migration(m);
            }
        }
        return b.build();
    }

    /** Parses a validator: a type name, or an object with one constructor key. */
    static Validator validator(@Nullable Object spec, String path) {
        if (spec instanceof String name) {
            Supplier<Validator> v = NAMED.get(name);
            if (v == null) {
                throw new IllegalArgumentException(
                        path + " names no validator: " + Json.stringify(name) + " (one of " + NAMED.keySet() + ")");
            }
            return v.get();
        }
        Map<?, ?> m = object(spec, path);
        if (m.containsKey("optional")) {
            return Validators.optional(validator(m.get("optional"), path + ".optional"));
        }
        if (m.containsKey("nullable")) {
            return Validators.nullable(validator(m.get("nullable"), path + ".nullable"));
        }
        if (m.containsKey("object")) {
            return Validators.object(properties(m.get("object"), path + ".object"));
        }
        if (m.containsKey("arrayOf")) {
            return Validators.arrayOf(validator(m.get("arrayOf"), path + ".arrayOf"));
        }
        if (m.containsKey("dict")) {
            return Validators.dict(Validators.string(), validator(m.get("dict"), path + ".dict"));
        }
        if (m.containsKey("enum")) {
            if (!(m.get("enum") instanceof List<?> values) || values.isEmpty()) {
                throw new IllegalArgumentException(path + ".enum must be a non-empty array of values");
            }
            return Validators.literalEnum(values.toArray());
        }
        if (m.containsKey("literal")) {
            return Validators.literal(java.util.Objects.requireNonNull(m.get("literal"), path + ".literal"));
        }
        if (m.containsKey("union")) {
            if (!(m.get("union") instanceof String key)) {
                throw new IllegalArgumentException(path + ".union must name the discriminator property");
            }
            return Validators.union(key, properties(m.get("variants"), path + ".variants"));
        }
        throw new IllegalArgumentException(path + " must be a validator name or an object with one of optional,"
                + " nullable, object, arrayOf, dict, enum, literal, union but was " + Json.stringify(spec));
    }

    private static Map<String, Validator> properties(@Nullable Object spec, String path) {
        Map<String, Validator> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : object(spec, path).entrySet()) {
            out.put((String) e.getKey(), validator(e.getValue(), path + "." + e.getKey()));
        }
        return out;
    }

    /**
     * Parses migration steps. Inside {@code tldraw} the sequence and record type are implied ({@code sequence}
     * and {@code recordType} are null here); in an app schema each step names both.
     */
    private static Migration[] migrations(
            @Nullable Object spec, String path, @Nullable String sequence, @Nullable String recordType) {
        if (spec == null) {
            return new Migration[0];
        }
        if (!(spec instanceof List<?> steps)) {
            throw new IllegalArgumentException(path + (path.isEmpty() ? "" : ".") + "migrations must be an array");
        }
        List<Migration> out = new ArrayList<>();
        for (int i = 0; i < steps.size(); i++) {
            String at = path + (path.isEmpty() ? "" : ".") + "migrations[" + i + "]";
            Map<?, ?> step = object(steps.get(i), at);
            String seq = sequence;
            String type = recordType;
            if (seq == null) {
                if (!(step.get("sequence") instanceof String s)) {
                    throw new IllegalArgumentException(at + ".sequence must name the migration sequence");
                }
                seq = s;
                type = step.get("recordType") instanceof String t ? t : null;
            }
            if (!(step.get("version") instanceof Long v) || v < 1 || v > Integer.MAX_VALUE) {
                throw new IllegalArgumentException(
                        at + ".version must be an integer >= 1 but was " + Json.stringify(step.get("version")));
            }
            UnaryOperator<Map<String, Object>> up = ops(step.get("up"), at + ".up");
            Object downSpec = step.get("down");
            out.add(new Migration(seq, v.intValue(), type, up, downSpec == null ? null : ops(downSpec, at + ".down")));
        }
        return out.toArray(new Migration[0]);
    }

    /** Parses a list of record edits into one migration function. */
    private static UnaryOperator<Map<String, Object>> ops(@Nullable Object spec, String path) {
        if (!(spec instanceof List<?> list)) {
            throw new IllegalArgumentException(path + " must be an array of {set|remove|rename} operations");
        }
        List<RecordEdit> edits = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            edits.add(RecordEdit.parse(object(list.get(i), path + "[" + i + "]"), path + "[" + i + "]"));
        }
        return record -> {
            Map<String, Object> r = record;
            for (RecordEdit e : edits) {
                r = e.apply(r);
            }
            return r;
        };
    }

    private interface EntryAction {
        void accept(String key, Map<?, ?> spec, String path);
    }

    private static void forEachEntry(Map<?, ?> parent, String field, String parentPath, EntryAction action) {
        Object spec = parent.get(field);
        if (spec == null) {
            return;
        }
        String path = parentPath + "." + field;
        for (Map.Entry<?, ?> e : object(spec, path).entrySet()) {
            String at = path + "." + e.getKey();
            action.accept((String) e.getKey(), object(e.getValue(), at), at);
        }
    }

    static Map<?, ?> object(@Nullable Object spec, String path) {
        if (!(spec instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException(path + " must be a JSON object but was " + Json.stringify(spec));
        }
        return m;
    }

    private static Map<String, Supplier<Validator>> named() {
        Map<String, Supplier<Validator>> m = new LinkedHashMap<>();
        m.put("string", Validators::string);
        m.put("number", Validators::number);
        m.put("positiveNumber", Validators::positiveNumber);
        m.put("nonZeroNumber", Validators::nonZeroNumber);
        m.put("integer", Validators::integer);
        m.put("positiveInteger", Validators::positiveInteger);
        m.put("nonZeroInteger", Validators::nonZeroInteger);
        m.put("boolean", Validators::bool);
        m.put("json", Validators::jsonValue);
        m.put("unknownObject", Validators::unknownObject);
        m.put("indexKey", Validators::indexKey);
        m.put("linkUrl", Validators::linkUrl);
        m.put("srcUrl", Validators::srcUrl);
        m.put("httpUrl", Validators::httpUrl);
        return m;
    }
}
