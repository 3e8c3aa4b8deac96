package dev.tandem.sync.client;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.UnaryOperator;

/**
 * A {@link SyncClient}'s local copy of a room's records: JSON objects with a string {@code id} and {@code
 * typeName}, as immutable maps (see {@link dev.tandem.sync.core.Json}). It holds the server's state with
 * this client's unconfirmed changes on top, and the presence records of other sessions.
 *
 * <p>Local changes ({@link #put}, {@link #update}, {@link #remove}) apply at once, are visible to every
 * reader when the method returns, and are pushed to the server (throttled) while online, or when the
 * client reconnects. The server may change or revert them (a concurrent edit, a read-only session); that
 * arrives as a {@link ChangeSource#REMOTE} change. Presence records are the server's to manage: a local
 * change to a record of the presence type throws {@link IllegalArgumentException}.
 *
 * <p>Thread-safe: reads and changes may come from any thread; each method is atomic. Listeners run on the
 * client's delivery thread (see {@link StoreListener}).
 *
 * <pre>{@code
 * Store store = client.store();
 * store.put(Map.of("id", "note:1", "typeName", "note", "text", "hello"));
 * store.update("note:1", r -> {
 *     Map<String, Object> next = new LinkedHashMap<>(r);
 *     next.put("text", "hello world");
 *     return next;
 * });
 * store.addListener(change -> System.out.println(change.source() + " " + change.updated().keySet()));
 * }</pre>
 */
public interface Store {

    /** Returns the record with this id, if present. */
    Optional<Map<String, Object>> get(String id);

    /** Returns the records of this type, sorted by id. */
    List<Map<String, Object>> query(String typeName);

    /** Returns every record (documents and others' presence), sorted by id. */
    List<Map<String, Object>> all();

    /** Returns the number of records. */
    int size();

    /**
     * Creates or replaces a record. The record must have a string {@code id} and {@code typeName}.
     *
     * @throws IllegalArgumentException if the record has no string id or typeName, is not JSON, or is of
     *     the presence type
     */
    void put(Map<String, ?> record);

    /** Creates or replaces several records in one change. */
    void putAll(Collection<? extends Map<String, ?>> records);

    /**
     * Replaces the record with this id by {@code change} applied to it, in one atomic step. Returns false
     * (and does not call {@code change}) if there is no such record.
     *
     * @throws IllegalArgumentException if the new record changes the id or is not a valid record
     */
    boolean update(String id, UnaryOperator<Map<String, Object>> change);

    /** Removes the record with this id; returns false if there was none. */
    boolean remove(String id);

    /** Removes the records with these ids in one change; missing ids are skipped. */
    void removeAll(Collection<String> ids);

    /** Registers a listener for every later change. */
    Subscription addListener(StoreListener listener);

    /**
     * Returns a typed view of the records of {@code typeName}, mapped to and from {@code type} (a Java
     * record or bean) with Jackson. Unknown JSON properties are ignored when reading.
     */
    <T> TypedRecords<T> typed(String typeName, Class<T> type);
}
