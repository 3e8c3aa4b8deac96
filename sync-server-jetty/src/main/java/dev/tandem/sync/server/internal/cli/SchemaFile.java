package dev.tandem.sync.server.internal.cli;

import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.RoomSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads a room schema from JSON: {@code {"schemaVersion": 2, "sequences": {"com.tldraw.page": 1, …},
 * "recordTypes": {"page": "document", "instance_presence": "presence", …}}}. Every record type is either
 * {@code document} or {@code presence} (at most one); records of other types are rejected by the rooms.
 */
public final class SchemaFile {
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
            Object scope = e.getValue();
            if ("document".equals(scope)) {
                b.documentType(type);
            } else if ("presence".equals(scope)) {
                b.presenceType(type);
            } else {
                throw new IllegalArgumentException("recordTypes." + type
                        + " must be \"document\" or \"presence\" but was " + Json.stringify(scope));
            }
        }
        return b.build();
    }
}
