package dev.tandem.sync.server.internal.cli;

import dev.tandem.sync.core.Json;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * One edit of a declared migration step: set, remove or rename a property at a dotted path ({@code
 * props.color}). Returns a new record and never changes the one it is given; a path through a missing or
 * non-object value leaves the record as it is. Immutable and thread-safe.
 */
record RecordEdit(
        Kind kind,
        List<String> path,
        @Nullable Object value,
        @Nullable String renameTo) {
    enum Kind {
        SET,
        REMOVE,
        RENAME
    }

    static RecordEdit parse(Map<?, ?> spec, String at) {
        if (spec.get("set") instanceof String p) {
            if (!spec.containsKey("value")) {
                throw new IllegalArgumentException(at + " sets " + p + " but has no value");
            }
            return new RecordEdit(Kind.SET, path(p, at), Json.freeze(spec.get("value")), null);
        }
        if (spec.get("remove") instanceof String p) {
            return new RecordEdit(Kind.REMOVE, path(p, at), null, null);
        }
        if (spec.get("rename") instanceof String p) {
            if (!(spec.get("to") instanceof String to) || to.isEmpty() || to.contains(".")) {
                throw new IllegalArgumentException(at + ".to must name the new property (no dots)");
            }
            return new RecordEdit(Kind.RENAME, path(p, at), null, to);
        }
        throw new IllegalArgumentException(
                at + " must be {\"set\": path, \"value\": v}, {\"remove\": path} or {\"rename\": path, \"to\": name}");
    }

    private static List<String> path(String p, String at) {
        List<String> parts = Arrays.asList(p.split("\\.", -1));
        if (parts.contains("") || p.equals("id") || p.equals("typeName")) {
            throw new IllegalArgumentException(at + " has a bad path " + Json.stringify(p));
        }
        return List.copyOf(parts);
    }

    Map<String, Object> apply(Map<String, Object> record) {
        return edit(record, 0);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> edit(Map<String, Object> node, int depth) {
        Map<String, Object> copy = new LinkedHashMap<>(node);
        String key = path.get(depth);
        if (depth < path.size() - 1) {
            if (!(node.get(key) instanceof Map<?, ?> child)) {
                return node;
            }
            copy.put(key, edit((Map<String, Object>) child, depth + 1));
            return copy;
        }
        switch (kind) {
            case SET -> copy.put(key, value);
            case REMOVE -> copy.remove(key);
            case RENAME -> {
                if (!node.containsKey(key)) {
                    return node;
                }
                Object v = copy.remove(key);
                copy.put(renameTo, v);
            }
        }
        return copy;
    }
}
