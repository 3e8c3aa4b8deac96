package dev.tandem.sync.client;

import java.util.List;
import java.util.Optional;

/**
 * A view of one record type of a {@link Store} as Java objects, mapped with Jackson: reading converts the
 * JSON record to {@code T} (ignoring properties {@code T} does not have), writing converts {@code T} to JSON
 * and sets {@code typeName}. Thread-safe, like the store.
 *
 * <pre>{@code
 * record Note(String id, String text) {}
 * TypedRecords<Note> notes = store.typed("note", Note.class);
 * notes.put(new Note("note:1", "hello"));
 * List<Note> all = notes.all();
 * }</pre>
 *
 * @param <T> the Java type of the records
 */
public interface TypedRecords<T> {

    /** Returns the record type name. */
    String typeName();

    /** Returns the record with this id if present and of this type. */
    Optional<T> get(String id);

    /** Returns every record of this type, sorted by id. */
    List<T> all();

    /**
     * Creates or replaces the record; its JSON must have a string {@code id}. A missing {@code typeName} is
     * set; a different one is rejected.
     *
     * @throws IllegalArgumentException if the value does not map to a record of this type
     */
    void put(T value);

    /** Removes the record with this id; returns false if there was none. */
    boolean remove(String id);
}
