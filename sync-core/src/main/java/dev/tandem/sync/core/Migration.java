package dev.tandem.sync.core;

import java.util.Map;
import java.util.Objects;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;

/**
 * One step of a migration sequence: turns records of {@code recordType} from version {@code version - 1} of
 * sequence {@code sequenceId} into version {@code version} ({@code up}), and back ({@code down}). A client
 * whose schema is older than the room's stays connected only if every step between has a {@code down}.
 *
 * <p>The functions receive frozen records and return new ones; they must be pure and thread-safe.
 *
 * <p>A step may be limited to one subtype of its record type ({@code subType}, compared with the record's
 * {@code type} field), as tldraw's {@code com.tldraw.shape.arrow} steps apply only to {@code shape} records
 * with {@code type: "arrow"}. Whether records and clients without a sequence are at its version 0 is the
 * sequence's property, declared on the schema ({@link RoomSchema#isRetroactive}).
 *
 * <pre>{@code
 * new Migration("com.example.shape.card", 2, "shape", "card",
 *     r -> withProp(r, "color", "black"), r -> withoutProp(r, "color"));
 * }</pre>
 *
 * @param sequenceId the sequence, e.g. {@code com.tldraw.shape.arrow}
 * @param version the version this step produces, starting at 1
 * @param recordType the record type it applies to, or null for every record type
 * @param subType the value of the record's {@code type} field it applies to, or null for every record of
 *     {@code recordType}
 * @param up the forward migration
 * @param down the backward migration, or null if this step cannot be undone
 */
public record Migration(
        String sequenceId,
        int version,
        @Nullable String recordType,
        @Nullable String subType,
        UnaryOperator<Map<String, Object>> up,
        @Nullable UnaryOperator<Map<String, Object>> down) {

    public Migration {
        Objects.requireNonNull(sequenceId, "sequenceId");
        Objects.requireNonNull(up, "up");
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1 but was " + version);
        }
        if (subType != null && recordType == null) {
            throw new IllegalArgumentException("subType " + subType + " needs a recordType");
        }
    }

    /** A step for every record of {@code recordType} (or every record if null). */
    public Migration(
            String sequenceId,
            int version,
            @Nullable String recordType,
            UnaryOperator<Map<String, Object>> up,
            @Nullable UnaryOperator<Map<String, Object>> down) {
        this(sequenceId, version, recordType, null, up, down);
    }

    /** Returns true if this step applies to the record. */
    public boolean appliesTo(Map<String, Object> record) {
        if (recordType != null && !recordType.equals(record.get("typeName"))) {
            return false;
        }
        return subType == null || subType.equals(record.get("type"));
    }
}
