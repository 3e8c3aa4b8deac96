package dev.tandem.sync.core;

import java.util.Map;

/**
 * Checks a record before it is stored. Any exception thrown rejects the whole push (or host update) with
 * {@link CloseReason#INVALID_RECORD}. Called on the room's lane; must be fast and side-effect free.
 */
@FunctionalInterface
public interface RecordValidator {

    /** Throws if {@code record} is not valid. */
    void validate(Map<String, Object> record);

    /** Accepts every record. */
    RecordValidator ANY = record -> {};
}
