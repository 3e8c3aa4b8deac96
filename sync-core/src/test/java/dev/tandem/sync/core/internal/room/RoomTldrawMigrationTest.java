package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.internal.tldraw.TldrawMigrations;
import dev.tandem.sync.core.testing.ExhaustedSockets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A room with tldraw's migrations: stored rooms migrate up on load, older clients are served as tldraw does. */
@ExtendWith(ExhaustedSockets.class)
class RoomTldrawMigrationTest {
    private static final String NOTE_V10 = "{\"id\":\"shape:n\",\"typeName\":\"shape\",\"type\":\"note\",\"x\":1,"
            + "\"y\":2,\"rotation\":0,\"index\":\"a1\",\"parentId\":\"page:page\",\"isLocked\":false,\"opacity\":1,"
            + "\"meta\":{},\"props\":{\"color\":\"yellow\",\"fontSizeAdjustment\":0,\"scale\":1}}";

    static RoomSchema schema() {
        RoomSchema.Builder b = RoomSchema.builder();
        TldrawMigrations.sequences().forEach(b::sequence);
        TldrawMigrations.migrations().forEach(b::migration);
        List.of("asset", "binding", "document", "page", "shape", "user").forEach(b::documentType);
        return b.presenceType("instance_presence").build();
    }

    /** tldraw 5.4.2's serialized schema with some sequences changed (a null version removes one). */
    static String schemaJson(Map<String, Long> changes) {
        Map<String, Object> seqs = new LinkedHashMap<>();
        TldrawMigrations.sequences().forEach((k, v) -> seqs.put(k, (long) v));
        changes.forEach((k, v) -> {
            if (v == null) {
                seqs.remove(k);
            } else {
                seqs.put(k, v);
            }
        });
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("schemaVersion", 2L);
        schema.put("sequences", seqs);
        return Json.stringify(schema);
    }

    private static RoomFixture roomWith(String schema, String... records) {
        StringBuilder docs = new StringBuilder();
        for (String r : records) {
            docs.append(docs.length() == 0 ? "" : ",")
                    .append("{\"state\":")
                    .append(r)
                    .append(",\"lastChangedClock\":1}");
        }
        String json = "{\"documentClock\":1,\"documents\":[" + docs + "],\"schema\":" + schema + "}";
        return new RoomFixture(RoomOptions.builder()
                .schema(schema())
                .batchInterval(Duration.ZERO)
                .initialSnapshot(RoomSnapshot.fromJson(json)));
    }

    @Test
    void load_noteFromTldraw4_migratesUpThroughStepsWithoutDown() {
        Map<String, Long> v4 = new LinkedHashMap<>();
        v4.put("com.tldraw.shape.note", 10L);
        v4.put("com.tldraw.user", null);
        RoomFixture f = roomWith(schemaJson(v4), NOTE_V10);

        RoomFixture.Conn c = f.open("a");
        c.connect(-1, 8, schemaJson(Map.of()));
        Map<String, Object> reply = c.next();

        // note 11 adds textFirstEditedBy, 12 makes fontSizeAdjustment 0 a ratio of 1, 13 renames the editor
        assertThat(reply.get("diff"))
                .isEqualTo(
                        Json.parse("{\"shape:n\":[\"put\",{\"id\":\"shape:n\",\"typeName\":\"shape\",\"type\":\"note\","
                                + "\"x\":1,\"y\":2,\"rotation\":0,\"index\":\"a1\",\"parentId\":\"page:page\",\"isLocked\":false,"
                                + "\"opacity\":1,\"meta\":{},\"props\":{\"color\":\"yellow\",\"fontSizeAdjustment\":1,\"scale\":1,"
                                + "\"textLastEditedBy\":null}}]}"));
    }

    @Test
    void connect_tldraw4ClientWithoutUserSequence_isClientTooOld() {
        RoomFixture f = roomWith(schemaJson(Map.of()));
        RoomFixture.Conn c = f.open("a");
        Map<String, Long> v4 = new LinkedHashMap<>();
        v4.put("com.tldraw.user", null);
        c.connect(-1, 8, schemaJson(v4));
        c.expectClosed("CLIENT_TOO_OLD");
    }

    @Test
    void connect_tldraw5_0Client_getsDownMigratedNote() {
        String note = NOTE_V10.replace("\"scale\":1}", "\"scale\":1,\"textLastEditedBy\":\"user:a\"}")
                .replace("\"fontSizeAdjustment\":0", "\"fontSizeAdjustment\":1");
        RoomFixture f = roomWith(schemaJson(Map.of()), note);
        RoomFixture.Conn c = f.open("a");
        c.connect(-1, 8, schemaJson(Map.of("com.tldraw.shape.note", 12L)));
        Map<String, Object> reply = c.next();
        assertThat(((Map<?, ?>) reply.get("diff")).get("shape:n"))
                .isEqualTo(Json.parse("[\"put\"," + note.replace("textLastEditedBy", "textFirstEditedBy") + "]"));
    }

    @Test
    void load_arrowFromBeforeTldraw2_2_failsNamingTheStep() {
        String arrow = "{\"id\":\"shape:a\",\"typeName\":\"shape\",\"type\":\"arrow\",\"props\":{\"start\":"
                + "{\"type\":\"point\",\"x\":0,\"y\":0},\"end\":{\"type\":\"point\",\"x\":1,\"y\":1}}}";
        String v21 = schemaJson(Map.of("com.tldraw.shape.arrow", 3L, "com.tldraw.store", 4L));
        assertThatThrownBy(() -> roomWith(v21, arrow))
                .hasMessageContaining("up migration com.tldraw.shape.arrow/4 failed: tldraw migration"
                        + " com.tldraw.shape.arrow/4 is not supported by Tandem (it predates tldraw 2.2.0)");
    }
}
