package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.Migration;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.testing.ExhaustedSockets;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A room stored under an older schema is migrated when it loads, and written back in the new form. */
@ExtendWith(ExhaustedSockets.class)
class RoomMigrationOnLoadTest {
    private static final String NOTE_V1 = "{\"id\":\"note:1\",\"typeName\":\"note\",\"body\":\"hi\"}";

    /** Version 2 of com.example.note renamed "body" to "text". */
    private static RoomSchema v2() {
        return RoomSchema.builder()
                .sequence("com.example.note", 2)
                .documentType("note", r -> {
                    if (!(r.get("text") instanceof String)) {
                        throw new IllegalArgumentException("text must be a string");
                    }
                })
                .migration(new Migration("com.example.note", 1, "note", r -> r, r -> r))
                .migration(new Migration(
                        "com.example.note", 2, "note", r -> rename(r, "body", "text"), r -> rename(r, "text", "body")))
                .build();
    }

    @Test
    void load_roomStoredUnderOlderSchema_isMigratedAndWrittenBackInTheNewForm() {
        RoomStore store = RoomStore.inMemory();
        Map<String, Object> v1Schema =
                castMap(Json.parse("{\"schemaVersion\":2,\"sequences\":{\"com.example.note\":1}}"));
        Map<String, Object> note = castMap(Json.parse(NOTE_V1));
        try (Room old = Room.create(
                "r",
                RoomOptions.builder()
                        .schema(RoomSchema.pinned())
                        .store(store)
                        .initialSnapshot(
                                new RoomSnapshot(1, List.of(new RoomSnapshot.Document(note, 1)), Map.of(), 0, v1Schema))
                        .build())) {
            old.flush().join();
        }
        assertThat(store.load("r").join().schema()).isEqualTo(v1Schema);

        try (Room upgraded =
                Room.create("r", RoomOptions.builder().schema(v2()).store(store).build())) {
            assertThat(upgraded.record("note:1").join())
                    .isEqualTo(Json.parse("{\"id\":\"note:1\",\"typeName\":\"note\",\"text\":\"hi\"}"));
            upgraded.flush().join();
        }
        RoomSnapshot stored = store.load("r").join();
        assertThat(stored.schema()).isEqualTo(v2().serialize());
        assertThat(stored.documents())
                .extracting(RoomSnapshot.Document::state)
                .containsExactly(castMap(Json.parse("{\"id\":\"note:1\",\"typeName\":\"note\",\"text\":\"hi\"}")));

        // loaded once more, nothing is migrated twice
        try (Room again =
                Room.create("r", RoomOptions.builder().schema(v2()).store(store).build())) {
            assertThat(again.record("note:1").join())
                    .isEqualTo(Json.parse("{\"id\":\"note:1\",\"typeName\":\"note\",\"text\":\"hi\"}"));
        }
    }

    private static Map<String, Object> rename(Map<String, Object> r, String from, String to) {
        Map<String, Object> out = new LinkedHashMap<>(r);
        out.put(to, out.remove(from));
        return out;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }
}
