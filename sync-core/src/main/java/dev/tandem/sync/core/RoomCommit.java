package dev.tandem.sync.core;

import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One durable change of a room, possibly several room transactions coalesced: the records whose clock
 * advanced (with their new state), new tombstones, and the room's clocks afterwards. Immutable.
 *
 * <p>A store applies it idempotently: a record in {@link #puts} replaces the stored one only if its {@code
 * lastChangedClock} is at least the stored one's, and removes any older tombstone of that id; an id in
 * {@link #tombstones} deletes an older stored record and records the tombstone; tombstones older than
 * {@link #tombstoneHistoryStartsAtClock} are dropped.
 *
 * @param roomId the room
 * @param documentClock the room's document clock after this change
 * @param puts changed records by id, each with the clock it changed at
 * @param tombstones deleted record ids and the clock they were deleted at
 * @param tombstoneHistoryStartsAtClock where the room's tombstone history starts after this change
 * @param schema the room's serialized schema, or null if unchanged or unknown
 * @param events results of HTTP push events answered by this change, to be kept so a re-sent event returns
 *     its first result; keyed (and each result's {@code id} set) by an opaque key naming the pushing principal
 *     and the event id, so one principal's id never answers another's
 */
public record RoomCommit(
        String roomId,
        long documentClock,
        Map<String, RoomSnapshot.Document> puts,
        Map<String, Long> tombstones,
        long tombstoneHistoryStartsAtClock,
        @Nullable Map<String, Object> schema,
        Map<String, EventResult> events) {

    public RoomCommit {
        Objects.requireNonNull(roomId, "roomId");
        puts = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(puts));
        tombstones = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(tombstones));
        schema = schema == null ? null : Json.frozenObject(schema);
        events = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(events));
    }

    /** A change that answers no push event. */
    public RoomCommit(
            String roomId,
            long documentClock,
            Map<String, RoomSnapshot.Document> puts,
            Map<String, Long> tombstones,
            long tombstoneHistoryStartsAtClock,
            @Nullable Map<String, Object> schema) {
        this(roomId, documentClock, puts, tombstones, tombstoneHistoryStartsAtClock, schema, Map.of());
    }

    /** Returns this change also recording the given push event results. */
    public RoomCommit withEvents(Map<String, EventResult> results) {
        LinkedHashMap<String, EventResult> e = new LinkedHashMap<>(events);
        e.putAll(results);
        return new RoomCommit(roomId, documentClock, puts, tombstones, tombstoneHistoryStartsAtClock, schema, e);
    }

    /** Returns this change followed by {@code later}, as one change with the same effect. */
    public RoomCommit followedBy(RoomCommit later) {
        if (!later.roomId.equals(roomId)) {
            throw new IllegalArgumentException("cannot merge commits of rooms " + roomId + " and " + later.roomId);
        }
        LinkedHashMap<String, RoomSnapshot.Document> p = new LinkedHashMap<>(puts);
        LinkedHashMap<String, Long> t = new LinkedHashMap<>(tombstones);
        later.puts.forEach((id, d) -> {
            t.remove(id);
            p.put(id, d);
        });
        later.tombstones.forEach((id, clock) -> {
            p.remove(id);
            t.put(id, clock);
        });
        // an earlier tombstone stays even if the later history start passed it: it still deletes the record
        LinkedHashMap<String, EventResult> e = new LinkedHashMap<>(events);
        later.events.forEach(e::putIfAbsent);
        return new RoomCommit(
                roomId,
                Math.max(documentClock, later.documentClock),
                p,
                t,
                Math.max(tombstoneHistoryStartsAtClock, later.tombstoneHistoryStartsAtClock),
                later.schema != null ? later.schema : schema,
                e);
    }
}
