package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.core.SyncLimits;
import dev.tandem.sync.core.testing.ExhaustedSockets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What no client may do to a room, whatever its schema mode: a viewer fixes nothing, presence obeys the size
 * limits and never takes a document type, and snapshots pass the checks a push passes.
 */
@ExtendWith(ExhaustedSockets.class)
class RoomEntryChecksTest {
    private static final String SHAPE = "{\"id\":\"shape:1\",\"typeName\":\"shape\",\"x\":1,\"y\":2,\"props\":{}}";
    private static final String OTHER_SCHEMA =
            "{\"schemaVersion\":2,\"sequences\":{\"com.example.shape\":1,\"com.example.store\":1}}";

    private static RoomFixture pinned() {
        return new RoomFixture(RoomOptions.builder().schema(RoomSchema.pinned()).batchInterval(Duration.ZERO));
    }

    @Test
    void presence_firstSentByViewerInPinnedRoom_fixesNothing_andWritersKeepPushingShapes() {
        RoomFixture f = pinned();
        RoomFixture.Conn writer = f.joined("writer");
        RoomFixture.Conn viewer = f.openReadOnly("viewer");
        viewer.join(0);
        viewer.pushPresence(0, "[\"put\",{\"id\":\"x\",\"typeName\":\"shape\",\"cursor\":1}]");
        assertThat(message(viewer)).containsEntry("type", "push_result");
        writer.expectNothing(); // the viewer's "presence" reached nobody

        writer.push(1, "{\"shape:1\":[\"put\"," + SHAPE + "]}");
        assertThat(message(writer).get("action")).isEqualTo("commit");
        assertThat(f.room.record("shape:1").join()).isEqualTo(Json.parse(SHAPE));
        assertThat(message(viewer).get("diff")).isEqualTo(Json.parse("{\"shape:1\":[\"put\"," + SHAPE + "]}"));

        writer.pushPresence(2, "[\"put\",{\"id\":\"x\",\"typeName\":\"instance_presence\",\"cursor\":1}]");
        assertThat(message(writer).get("action")).isEqualTo("commit");
        assertThat(message(viewer).get("diff"))
                .isEqualTo(Json.parse("{\"instance_presence:p1\":[\"put\",{\"id\":\"instance_presence:p1\","
                        + "\"typeName\":\"instance_presence\",\"cursor\":1}]}"));
    }

    @Test
    void presence_fromViewerInPinnedTldrawRoom_isServedAsTldrawsPresenceType() {
        RoomFixture f = pinned();
        String tldraw =
                "{\"schemaVersion\":2,\"sequences\":{\"com.tldraw.store\":5,\"com.tldraw.instance_presence\":6}}";
        RoomFixture.Conn writer = f.open("writer");
        writer.connect(-1, 8, tldraw);
        writer.next();
        RoomFixture.Conn viewer = f.openReadOnly("viewer");
        viewer.connect(0, 8, tldraw);
        viewer.next();
        viewer.pushPresence(0, "[\"put\",{\"id\":\"x\",\"typeName\":\"shape\",\"cursor\":1}]");
        assertThat(message(writer).get("diff"))
                .isEqualTo(Json.parse("{\"instance_presence:p1\":[\"put\",{\"id\":\"instance_presence:p1\","
                        + "\"typeName\":\"instance_presence\",\"cursor\":1}]}"));
        viewer.discardRemaining(); // its push result is not what this test examines
    }

    @Test
    void presence_ofATypeTheDocumentHolds_isInvalidRecord_andTheTypeStaysFree() {
        RoomFixture f = pinned();
        RoomFixture.Conn a = f.joined("a");
        a.push(0, "{\"shape:1\":[\"put\"," + SHAPE + "]}");
        a.next();
        RoomFixture.Conn b = f.joined("b");
        b.pushPresence(0, "[\"put\",{\"id\":\"x\",\"typeName\":\"shape\"}]");
        b.expectClosed("INVALID_RECORD");

        a.push(1, "{\"shape:2\":[\"put\"," + SHAPE.replace("shape:1", "shape:2") + "]}");
        assertThat(message(a).get("action")).isEqualTo("commit");
    }

    @Test
    void connect_viewerFirstInEmptyPinnedRoom_doesNotPinItsSchema() {
        RoomFixture f = pinned();
        RoomFixture.Conn viewer = f.openReadOnly("viewer");
        viewer.connect(-1, 8, OTHER_SCHEMA);
        assertThat(viewer.next().get("schema")).isEqualTo(Json.parse(OTHER_SCHEMA));

        RoomFixture.Conn writer = f.open("writer");
        Map<String, Object> reply = writer.join(-1);
        assertThat(reply).containsEntry("type", "connect");
        assertThat(reply.get("schema")).isEqualTo(Json.parse(RoomFixture.SCHEMA));
        RoomFixture.Conn second = f.open("second");
        second.connect(-1, 8, OTHER_SCHEMA);
        second.expectClosed("CLIENT_TOO_OLD"); // the writer's schema is the room's now
    }

    @Test
    void presence_largerThanMaxRecordChars_isInvalidRecord_andReachesNobody() {
        RoomFixture f = new RoomFixture(RoomOptions.builder()
                .schema(RoomFixture.schema())
                .batchInterval(Duration.ZERO)
                .limits(SyncLimits.builder().maxRecordChars(200).build()));
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");
        b.pushPresence(
                0, "[\"put\",{\"id\":\"x\",\"typeName\":\"instance_presence\",\"name\":\"" + "n".repeat(300) + "\"}]");
        b.expectClosed("INVALID_RECORD");
    }

    @Test
    void loadSnapshot_recordWithoutTypeName_isRefusedAndChangesNothing() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.push(0, "{\"shape:1\":[\"put\"," + SHAPE + "]}");
        a.next();
        RoomSnapshot bad = new RoomSnapshot(
                5, List.of(new RoomSnapshot.Document(Map.of("id", "shape:9", "x", 1), 5)), Map.of(), 0, castMap((Map<
                                ?, ?>)
                        Json.parse(RoomFixture.SCHEMA)));
        assertRefused(f, bad, "record shape:9 has no typeName");
        assertThat(f.room.snapshot().join().documents()).hasSize(1);
    }

    @Test
    void loadSnapshot_recordItsValidatorRefuses_isRefusedWithThePushReason() {
        RoomFixture f = new RoomFixture();
        RoomSnapshot bad = snapshotOf(Map.of("id", "shape:1", "typeName", "shape", "x", "banana"));
        assertRefused(f, bad, "invalid record shape:1: x must be a number");
        assertThat(f.room.record("shape:1").join()).isNull();
    }

    @Test
    void loadSnapshot_recordOfUnknownType_isRefused() {
        RoomFixture f = new RoomFixture();
        assertRefused(f, snapshotOf(Map.of("id", "x:1", "typeName", "mystery")), "unknown record type mystery");
    }

    @Test
    void loadSnapshot_recordLargerThanMaxRecordChars_isRefused() {
        RoomFixture f = new RoomFixture(RoomOptions.builder()
                .schema(RoomFixture.schema())
                .batchInterval(Duration.ZERO)
                .limits(SyncLimits.builder().maxRecordChars(100).build()));
        RoomSnapshot big = snapshotOf(Map.of("id", "page:1", "typeName", "page", "name", "n".repeat(200)));
        assertThatThrownBy(() -> f.room.loadSnapshot(big).join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(SyncException.class)
                .hasMessageStartingWith("record page:1 of ");
    }

    @Test
    void loadSnapshot_validRecords_areLoadedAndBroadcast() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        f.room.loadSnapshot(snapshotOf(castMap((Map<?, ?>) Json.parse(SHAPE)))).join();
        assertThat(message(a).get("diff")).isEqualTo(Json.parse("{\"shape:1\":[\"put\"," + SHAPE + "]}"));
    }

    /** The one message of the next {@code data} frame. */
    private static Map<String, Object> message(RoomFixture.Conn c) {
        Map<String, Object> frame = c.next();
        assertThat(frame).containsEntry("type", "data");
        List<?> data = (List<?>) frame.get("data");
        assertThat(data).hasSize(1);
        return castMap((Map<?, ?>) data.get(0));
    }

    private static void assertRefused(RoomFixture f, RoomSnapshot snapshot, String message) {
        assertThatThrownBy(() -> f.room.loadSnapshot(snapshot).join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(SyncException.class)
                .hasMessage(message)
                .extracting(e -> ((SyncException) e).reason())
                .isEqualTo(CloseReason.INVALID_RECORD);
    }

    private static RoomSnapshot snapshotOf(Map<String, Object> record) {
        return new RoomSnapshot(1, List.of(new RoomSnapshot.Document(record, 1)), Map.of(), 0, castMap((Map<?, ?>)
                Json.parse(RoomFixture.SCHEMA)));
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Map<?, ?> m) {
        return (Map<String, Object>) m;
    }
}
