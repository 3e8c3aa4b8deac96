package dev.tandem.sync.core;

import java.util.Map;
import java.util.Objects;

/**
 * One operation on a whole record inside a {@link NetworkDiff}: {@code ["put", record]}, {@code ["patch",
 * diff]} or {@code ["remove"]}. Presence updates in a push use {@link Put} and {@link Patch} only.
 *
 * <p>Instances are immutable and thread-safe.
 */
public sealed interface RecordOp {

    /** Creates or replaces the record. */
    record Put(Map<String, Object> record) implements RecordOp {
        public Put {
            record = Json.frozenObject(Objects.requireNonNull(record, "record"));
        }
    }

    /** Changes part of an existing record; a patch of a missing record is skipped. */
    record Patch(ObjectDiff diff) implements RecordOp {
        public Patch {
            Objects.requireNonNull(diff, "diff");
        }
    }

    /** Deletes the record; removing a missing record is skipped. */
    record Remove() implements RecordOp {
        /** The only instance needed. */
        public static final Remove INSTANCE = new Remove();
    }
}
