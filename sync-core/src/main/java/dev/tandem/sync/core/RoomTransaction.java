package dev.tandem.sync.core;

import java.util.Collection;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The view of a room's document given to {@link Room#update}. Valid only inside the callback, on the room's
 * lane; not thread-safe. Reads see the transaction's own writes.
 */
public interface RoomTransaction {

    /** Returns the record with this id, or null. */
    @Nullable
    Map<String, Object> get(String id);

    /** Returns every document record. */
    Collection<Map<String, Object>> records();

    /**
     * Creates or replaces a record (an object with string {@code id} and {@code typeName}). Throws {@link
     * SyncException} with {@link CloseReason#INVALID_RECORD} if the schema rejects it.
     */
    void put(Map<String, ?> record);

    /** Deletes a record if present, leaving a tombstone. */
    void delete(String id);

    /** Returns the document clock before this transaction. */
    long clock();
}
