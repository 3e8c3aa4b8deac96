package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.core.SyncLimits;
import dev.tandem.sync.core.testing.ExhaustedSockets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletionException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Clocks, tombstones, snapshots and host updates (tldraw SPEC SS9–SS15, TP1–TP3, SL1–SL4, US1–US6). */
@ExtendWith(ExhaustedSockets.class)
class RoomDocumentTest {

    private static String put(String id) {
        return "{\"" + id + "\":[\"put\",{\"id\":\"" + id + "\",\"typeName\":\"page\"}]}";
    }

    @Test
    void tombstones_TP1_5100Deletes_prunedTo4000AndHistoryStartMoves() {
        RoomFixture f = new RoomFixture(RoomOptions.builder()
                .schema(RoomFixture.schema())
                .batchInterval(Duration.ZERO)
                .limits(SyncLimits.builder().messageBurst(20_000).build()));
        RoomFixture.Conn a = f.joined("a");
        int clock = 0;
        for (int i = 0; i < 5100; i++) {
            a.push(clock++, put("page:" + i));
        }
        for (int i = 0; i < 5100; i++) {
            a.push(clock++, "{\"page:" + i + "\":[\"remove\"]}");
        }
        a.socket.drain();
        assertThat(f.room.snapshot().join().tombstones()).hasSize(5100);

        f.advance(Duration.ofSeconds(1));

        RoomSnapshot s = f.room.snapshot().join();
        assertThat(s.documentClock()).isEqualTo(10200);
        assertThat(s.tombstones()).hasSize(4000);
        assertThat(s.tombstoneHistoryStartsAtClock()).isEqualTo(6201);

        // SS15: a client at the history start is incremental, one before it is a full reload
        assertThat(f.open("x").join(6201)).containsEntry("hydrationType", "wipe_presence");
        assertThat(f.open("y").join(6200)).containsEntry("hydrationType", "wipe_all");
    }

    @Test
    void tombstones_recreatedRecord_losesItsTombstone() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.push(0, put("page:1"));
        a.push(1, "{\"page:1\":[\"remove\"]}");
        a.push(2, put("page:1"));
        assertThat(f.room.snapshot().join().tombstones()).isEmpty();
        assertThat(f.open("b").join(1).get("diff"))
                .isEqualTo(Json.parse("{\"page:1\":[\"put\",{\"id\":\"page:1\",\"typeName\":\"page\"}]}"));
        a.discardRemaining(); // its push results are not what this test examines
    }

    @Test
    void snapshot_SL1_roundTripsThroughTldrawJson() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.push(0, put("page:1"));
        a.push(1, put("page:2"));
        a.push(2, "{\"page:1\":[\"remove\"]}");

        RoomSnapshot s = f.room.snapshot().join();
        RoomSnapshot back = RoomSnapshot.fromJson(s.toJson());

        assertThat(back.documentClock()).isEqualTo(3);
        assertThat(back.tombstones()).containsExactly(Map.entry("page:1", 3L));
        assertThat(back.documents()).hasSize(1);
        assertThat(back.documents().get(0).lastChangedClock()).isEqualTo(2);
        assertThat(back.schema()).isEqualTo(Json.parse(RoomFixture.SCHEMA));
        a.discardRemaining(); // its push results are not what this test examines
    }

    @Test
    void snapshot_SL2_tldrawSnapshotLoadsAsInitialDocument_withClockRules() {
        String json = "{\"documentClock\":3,\"tombstoneHistoryStartsAtClock\":0,"
                + "\"documents\":[{\"state\":{\"id\":\"page:page\",\"typeName\":\"page\",\"name\":\"Page 1\"},\"lastChangedClock\":7}],"
                + "\"tombstones\":{\"page:old\":5},"
                + "\"schema\":" + RoomFixture.SCHEMA + "}";
        RoomFixture f = new RoomFixture(RoomOptions.builder()
                .schema(RoomFixture.schema())
                .batchInterval(Duration.ZERO)
                .initialSnapshot(RoomSnapshot.fromJson(json)));

        assertThat(f.room.documentClock()).isEqualTo(7);
        Map<String, Object> reply = f.open("a").join(4);
        assertThat(reply).containsEntry("hydrationType", "wipe_presence").containsEntry("serverClock", 7L);
        assertThat(reply.get("diff"))
                .isEqualTo(Json.parse("{\"page:old\":[\"remove\"],"
                        + "\"page:page\":[\"put\",{\"id\":\"page:page\",\"typeName\":\"page\",\"name\":\"Page 1\"}]}"));
    }

    @Test
    void snapshot_legacyClockAndStoreShapes_areAccepted() {
        RoomSnapshot legacy = RoomSnapshot.fromJson(
                "{\"clock\":4,\"documents\":[{\"state\":{\"id\":\"a:1\",\"typeName\":\"a\"},\"lastChangedClock\":2}]}");
        assertThat(legacy.documentClock()).isEqualTo(4);
        assertThat(legacy.tombstoneHistoryStartsAtClock()).isEqualTo(4);

        RoomSnapshot store = RoomSnapshot.fromJson("{\"store\":{\"a:1\":{\"id\":\"a:1\",\"typeName\":\"a\"}},"
                + "\"schema\":{\"schemaVersion\":2,\"sequences\":{}}}");
        assertThat(store.documentClock()).isZero();
        assertThat(store.documents()).hasSize(1);
    }

    @Test
    void snapshot_malformed_namesTheBadField() {
        assertThatThrownBy(() -> RoomSnapshot.fromJson("{\"documents\":{}}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("snapshot.documents must be an array");
        assertThatThrownBy(() -> RoomSnapshot.fromJson("{\"documents\":[],\"tombstones\":{\"a\":\"b\"}}"))
                .hasMessage("snapshot.tombstones values must be integers");
    }

    @Test
    void loadSnapshot_SR9_replacesDocumentAndBroadcastsOnePatch() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.push(0, put("page:1"));
        a.push(1, put("page:2"));
        a.socket.drain();

        RoomSnapshot replacement = RoomSnapshot.fromJson("{\"documentClock\":0,\"documents\":["
                + "{\"state\":{\"id\":\"page:2\",\"typeName\":\"page\"},\"lastChangedClock\":0},"
                + "{\"state\":{\"id\":\"page:3\",\"typeName\":\"page\"},\"lastChangedClock\":0}]}");
        f.room.loadSnapshot(replacement).join();

        a.expect("{\"type\":\"data\",\"data\":[{\"type\":\"patch\",\"serverClock\":3,\"diff\":{"
                + "\"page:3\":[\"put\",{\"id\":\"page:3\",\"typeName\":\"page\"}],\"page:1\":[\"remove\"]}}]}");
        assertThat(f.room.documentClock()).isEqualTo(3);
    }

    @Test
    void update_US1_hostChangesAreBroadcastWithOneClockStep() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.push(0, put("page:1"));
        a.socket.drain();

        long clock = f.room.update(txn -> {
                    txn.put(Map.of("id", "page:2", "typeName", "page"));
                    txn.put(Map.of("id", "page:1", "typeName", "page", "name", "renamed"));
                    txn.delete("page:missing");
                })
                .join();

        assertThat(clock).isEqualTo(2);
        a.expect("{\"type\":\"data\",\"data\":[{\"type\":\"patch\",\"serverClock\":2,\"diff\":{"
                + "\"page:2\":[\"put\",{\"id\":\"page:2\",\"typeName\":\"page\"}],"
                + "\"page:1\":[\"patch\",{\"name\":[\"put\",\"renamed\"]}]}}]}");
    }

    @Test
    void update_US4_invalidRecord_failsAndChangesNothing() {
        RoomFixture f = new RoomFixture();
        assertThatThrownBy(() -> f.room.update(txn -> {
                            txn.put(Map.of("id", "page:2", "typeName", "page"));
                            txn.put(Map.of("id", "shape:1", "typeName", "shape", "x", "no"));
                        })
                        .join())
                .isInstanceOf(CompletionException.class)
                .cause()
                .isInstanceOf(SyncException.class)
                .hasMessageContaining("invalid record shape:1");
        assertThat(f.room.documentClock()).isZero();
        assertThat(f.room.record("page:2").join()).isNull();
    }

    @Test
    void update_readsSeeOwnWrites() {
        RoomFixture f = new RoomFixture();
        f.room.update(txn -> {
                    txn.put(Map.of("id", "page:1", "typeName", "page"));
                    assertThat(txn.get("page:1")).containsEntry("typeName", "page");
                    assertThat(txn.records()).hasSize(1);
                    txn.delete("page:1");
                    assertThat(txn.get("page:1")).isNull();
                })
                .join();
        assertThat(f.room.documentClock()).isZero();
    }
}
