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
 * @param sequenceId the sequence, e.g. {@code com.tldraw.shape.arrow}
 * @param version the version this step produces, starting at 1
 * @param recordType the record type it applies to, or null for every record type
 * @param up the forward migration
 * @param down the backward migration, or null if this step cannot be undone
 */
public record Migration(
        String sequenceId,
        int version,
        @Nullable String recordType,
        UnaryOperator<Map<String, Object>> up,
        @Nullable UnaryOperator<Map<String, Object>> down) {

    public Migration {
        Objects.requireNonNull(sequenceId, "sequenceId");
        Objects.requireNonNull(up, "up");
        if (version < 1) {
            throw new IllegalArgumentException("version must be >= 1 but was " + version);
        }
    }

    /** Returns true if this step applies to the record. */
    public boolean appliesTo(Map<String, Object> record) {
        return recordType == null || recordType.equals(record.get("typeName"));
    }
}
