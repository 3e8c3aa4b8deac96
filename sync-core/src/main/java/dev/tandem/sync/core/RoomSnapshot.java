package dev.tandem.sync.core;

import dev.tandem.sync.core.internal.room.SnapshotJson;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A room's document in tldraw's {@code RoomSnapshot} JSON shape, so snapshots move between tldraw servers
 * and Tandem. Presence is never included. Immutable and thread-safe.
 *
 * @param documentClock the document clock
 * @param documents every record with the clock it last changed at
 * @param tombstones deleted record ids and the clock they were deleted at
 * @param tombstoneHistoryStartsAtClock the clock from which tombstones are complete
 * @param schema the serialized schema the records conform to, or null if unknown
 */
public record RoomSnapshot(
        long documentClock,
        List<Document> documents,
        Map<String, Long> tombstones,
        long tombstoneHistoryStartsAtClock,
        @Nullable Map<String, Object> schema) {

    public RoomSnapshot {
        documents = List.copyOf(documents);
        tombstones = Map.copyOf(tombstones);
        schema = schema == null ? null : Json.frozenObject(schema);
    }

    /** One record and the clock it last changed at. */
    public record Document(Map<String, Object> state, long lastChangedClock) {
        public Document {
            state = Json.frozenObject(Objects.requireNonNull(state, "state"));
        }
    }

    /** Returns an empty document at clock 0. */
    public static RoomSnapshot empty() {
        return new RoomSnapshot(0, List.of(), Map.of(), 0, null);
    }

    /**
     * Parses tldraw's {@code RoomSnapshot} JSON (also accepting the legacy {@code clock} field and a
     * {@code TLStoreSnapshot} {@code {store, schema}}).
     *
     * @throws IllegalArgumentException naming the bad field if the JSON has the wrong shape
     */
    public static RoomSnapshot fromJson(String json) {
        return SnapshotJson.parse(json);
    }

    /** Returns the snapshot as tldraw's {@code RoomSnapshot} JSON. */
    public String toJson() {
        return SnapshotJson.write(this);
    }
}
