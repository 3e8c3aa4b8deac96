package dev.tandem.sync.core;

import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One offline change sent over HTTP push: create, update or delete of one record, with a client-generated
 * unique id that makes re-sending it harmless. Immutable.
 *
 * @param id the event's unique id; an id seen before returns its first result and changes nothing
 * @param roomId the room
 * @param recordId the record
 * @param typeName the record's type
 * @param operation what to do
 * @param record the whole new record, for create and (optionally) update
 * @param patch the change, for update when {@code record} is null
 * @param clientTime when the client made the change (milliseconds since the epoch), informational
 */
public record PushEvent(
        String id,
        String roomId,
        String recordId,
        String typeName,
        Operation operation,
        @Nullable Map<String, Object> record,
        @Nullable ObjectDiff patch,
        long clientTime) {

    /** The kind of change. */
    public enum Operation {
        CREATE,
        UPDATE,
        DELETE;

        /** Returns the lower-case name used on the wire. */
        public String wireName() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public PushEvent {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(roomId, "roomId");
        Objects.requireNonNull(recordId, "recordId");
        Objects.requireNonNull(typeName, "typeName");
        Objects.requireNonNull(operation, "operation");
        record = record == null ? null : Json.frozenObject(record);
        if (operation == Operation.CREATE && record == null) {
            throw new IllegalArgumentException("event " + id + ": create needs a record");
        }
        if (operation == Operation.UPDATE && record == null && patch == null) {
            throw new IllegalArgumentException("event " + id + ": update needs a record or a patch");
        }
    }
}
