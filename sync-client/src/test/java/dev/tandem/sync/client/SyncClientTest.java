package dev.tandem.sync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.sync.client.testing.ClientRig;
import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.Json;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SyncClient against a sync-core room in the same JVM, on a manual clock and manual lanes. */
class SyncClientTest {
    private final ClientRig rig = new ClientRig();

    @AfterEach
    void close() {
        rig.close();
    }

    static Map<String, Object> shape(String id, long x) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id);
        r.put("typeName", "shape");
        r.put("x", x);
        r.put("props", Map.of("text", "hi", "color", "black"));
        return r;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> frozen(Map<String, ?> record) {
        return (Map<String, Object>) Json.freeze(record);
    }

    static Map<String, Object> with(Map<String, Object> record, String key, Object value) {
        Map<String, Object> r = new LinkedHashMap<>(record);
        r.put(key, value);
        return r;
    }

    private List<SyncStatus> statuses(SyncClient c) {
        List<SyncStatus> out = new CopyOnWriteArrayList<>();
        c.addListener(new SyncListener() {
            @Override
            public void onStatusChange(SyncStatus status) {
                out.add(status);
            }
        });
        return out;
    }

    @Test
    void connect_onExistingRoom_hydratesStoreAndGoesOnline() {
        rig.room.update(tx -> tx.put(shape("shape:1", 5))).join();
        List<SyncStatus> seen = new CopyOnWriteArrayList<>();
        List<StoreChange> changes = new CopyOnWriteArrayList<>();
        SyncClient a = rig.client(rig.builder("a", false)
                .listener(new SyncListener() {
                    @Override
                    public void onStatusChange(SyncStatus status) {
                        seen.add(status);
                    }
                })
                .storeListener(changes::add));
        rig.pump();

        assertThat(a.status()).isEqualTo(SyncStatus.ONLINE);
        assertThat(seen).containsExactly(SyncStatus.CONNECTING, SyncStatus.ONLINE);
        assertThat(a.store().get("shape:1")).hasValue(frozen(shape("shape:1", 5)));
        assertThat(a.lastServerClock()).isEqualTo(rig.room.documentClock());
        assertThat(changes).hasSize(1);
        assertThat(changes.get(0).source()).isEqualTo(ChangeSource.REMOTE);
        assertThat(changes.get(0).added()).containsOnlyKeys("shape:1");
    }

    @Test
    void put_whileOnline_isCommittedAndSeenByOthers() {
        SyncClient a = rig.client("a");
        SyncClient b = rig.client("b");
        rig.pump();
        List<StoreChange> bChanges = new CopyOnWriteArrayList<>();
        b.store().addListener(bChanges::add);

        a.store().put(shape("shape:1", 1));
        assertThat(a.hasUnconfirmedChanges()).isTrue();
        rig.pump();

        assertThat(a.hasUnconfirmedChanges()).isFalse();
        assertThat(rig.serverDocuments()).containsKey("shape:1");
        assertThat(b.store().get("shape:1")).isPresent();
        assertThat(bChanges).singleElement().satisfies(c -> {
            assertThat(c.source()).isEqualTo(ChangeSource.REMOTE);
            assertThat(c.added()).containsOnlyKeys("shape:1");
        });
    }

    @Test
    void localChange_isReportedAsLocal() {
        SyncClient a = rig.client("a");
        rig.pump();
        List<StoreChange> changes = new CopyOnWriteArrayList<>();
        a.store().addListener(changes::add);
        a.store().put(shape("shape:1", 1));
        a.store().update("shape:1", r -> with(r, "x", 2L));
        a.store().remove("shape:1");
        rig.pump();
        assertThat(changes).extracting(StoreChange::source).containsOnly(ChangeSource.LOCAL);
        assertThat(changes).hasSize(3);
        assertThat(changes.get(1).updated().get("shape:1").to().get("x")).isEqualTo(2L);
        assertThat(changes.get(2).removed()).containsOnlyKeys("shape:1");
    }

    @Test
    void pushes_areThrottledToThePushRate() {
        SyncClient a = rig.client("a");
        rig.pump();
        for (int i = 0; i < 10; i++) {
            a.store().put(shape("shape:" + i, i));
            rig.pump();
        }
        assertThat(pushes("a")).hasSize(1);
        rig.advance(Duration.ofMillis(34));
        assertThat(pushes("a")).hasSize(2);
        rig.advance(Duration.ofMillis(100));
        assertThat(pushes("a")).hasSize(2);
        assertThat(rig.serverDocuments()).hasSize(10);
    }

    @Test
    void createThenDelete_beforePush_sendsNothing() {
        SyncClient a = rig.client("a");
        rig.pump();
        a.store().put(shape("shape:0", 0));
        rig.pump();
        a.store().put(shape("shape:1", 1));
        a.store().remove("shape:1");
        rig.advance(Duration.ofMillis(100));
        assertThat(pushes("a")).hasSize(1);
        assertThat(a.hasUnconfirmedChanges()).isFalse();
    }

    private List<String> pushes(String sessionId) {
        return rig.transport.sent(sessionId).stream()
                .filter(f -> f.startsWith("{\"type\":\"push\""))
                .toList();
    }

    @Test
    void concurrentEdits_toOneRecord_rebaseAndConverge() {
        rig.room.update(tx -> tx.put(shape("shape:1", 0))).join();
        SyncClient a = rig.client("a");
        SyncClient b = rig.client("b");
        rig.pump();

        // both edit before either hears of the other: a's push lands first, b's is rebased on it
        a.store().update("shape:1", r -> with(r, "x", 10L));
        b.store().update("shape:1", r -> with(r, "y", 20L));
        b.store().update("shape:1", r -> with(r, "x", 30L));
        rig.lane(0).runAll();
        rig.lane(1).runAll();
        rig.pump();
        rig.settle();

        Map<String, Object> server = rig.serverDocuments().get("shape:1");
        assertThat(server.get("x")).isEqualTo(30L);
        assertThat(server.get("y")).isEqualTo(20L);
        assertThat(ClientRig.documents(a)).isEqualTo(rig.serverDocuments());
        assertThat(ClientRig.documents(b)).isEqualTo(rig.serverDocuments());
    }

    @Test
    void editOfRecordDeletedConcurrently_isDropped() {
        rig.room.update(tx -> tx.put(shape("shape:1", 0))).join();
        SyncClient a = rig.client("a");
        SyncClient b = rig.client("b");
        rig.pump();
        a.store().remove("shape:1");
        rig.lane(0).runAll();
        b.store().update("shape:1", r -> with(r, "x", 1L));
        rig.settle();
        assertThat(rig.serverDocuments()).isEmpty();
        assertThat(ClientRig.documents(a)).isEmpty();
        assertThat(ClientRig.documents(b)).isEmpty();
    }

    @Test
    void offlineEdits_surviveReconnect() {
        rig.room.update(tx -> tx.put(shape("shape:1", 0))).join();
        SyncClient a = rig.client("a");
        SyncClient b = rig.client("b");
        rig.pump();
        List<SyncStatus> seen = statuses(a);

        rig.transport.drop("a");
        rig.pump();
        assertThat(a.status()).isEqualTo(SyncStatus.OFFLINE);
        a.store().put(shape("shape:2", 2));
        a.store().update("shape:1", r -> with(r, "x", 7L));
        b.store().put(shape("shape:3", 3));
        rig.pump();
        assertThat(rig.serverDocuments()).doesNotContainKey("shape:2");

        rig.settle();
        assertThat(seen).containsExactly(SyncStatus.OFFLINE, SyncStatus.CONNECTING, SyncStatus.ONLINE);
        assertThat(rig.serverDocuments()).containsKeys("shape:1", "shape:2", "shape:3");
        assertThat(rig.serverDocuments().get("shape:1").get("x")).isEqualTo(7L);
        assertThat(ClientRig.documents(a)).isEqualTo(rig.serverDocuments());
        assertThat(ClientRig.documents(b)).isEqualTo(rig.serverDocuments());
        // the offline changes went out as one push on reconnect
        long pushesAfterReconnect = rig.transport.sent("a").stream()
                .dropWhile(f -> !f.contains("\"type\":\"connect\"") || f.contains("\"lastServerClock\":-1"))
                .filter(f -> f.startsWith("{\"type\":\"push\""))
                .count();
        assertThat(pushesAfterReconnect).isEqualTo(1);
    }

    @Test
    void offlineEdits_survivePermanentServerDowntime_andSyncWhenBack() {
        SyncClient a = rig.client("a");
        rig.pump();
        rig.transport.refuse(true);
        rig.transport.drop("a");
        for (int i = 0; i < 5; i++) {
            a.store().put(shape("shape:" + i, i));
            rig.advance(Duration.ofSeconds(3));
        }
        assertThat(a.status().kind()).isIn(SyncStatus.Kind.OFFLINE, SyncStatus.Kind.CONNECTING);
        assertThat(rig.transport.connections("a")).isEqualTo(1);
        rig.transport.refuse(false);
        rig.settle();
        assertThat(rig.serverDocuments()).hasSize(5);
    }

    @Test
    void readOnlyClient_editsAreRevertedByDiscard() {
        rig.room.update(tx -> tx.put(shape("shape:1", 0))).join();
        SyncClient ro = rig.client(rig.builder("ro", true));
        rig.pump();
        assertThat(ro.isReadOnly()).isTrue();
        List<StoreChange> changes = new CopyOnWriteArrayList<>();
        ro.store().addListener(changes::add);

        ro.store().put(shape("shape:2", 2));
        ro.store().update("shape:1", r -> with(r, "x", 99L));
        rig.settle();

        assertThat(rig.serverDocuments()).containsOnlyKeys("shape:1");
        assertThat(rig.serverDocuments().get("shape:1").get("x")).isEqualTo(0L);
        assertThat(ClientRig.documents(ro)).isEqualTo(rig.serverDocuments());
        assertThat(changes).last().satisfies(c -> {
            assertThat(c.source()).isEqualTo(ChangeSource.REMOTE);
            assertThat(c.removed()).containsOnlyKeys("shape:2");
            assertThat(c.updated().get("shape:1").to().get("x")).isEqualTo(0L);
        });
    }

    @Test
    void newerSchema_isRejectedAsServerTooOld_permanently() {
        SyncClient a = rig.client(rig.builder("a", false)
                .schema(Map.of(
                        "schemaVersion", 2, "sequences", Map.of("com.example.shape", 3, "com.example.store", 1))));
        List<SyncStatus> seen = statuses(a);
        rig.pump();
        assertThat(a.status()).isEqualTo(SyncStatus.error("SERVER_TOO_OLD"));
        rig.advance(Duration.ofSeconds(30));
        assertThat(rig.transport.connections("a")).isEqualTo(1);
        assertThat(seen).containsExactly(SyncStatus.CONNECTING, SyncStatus.error("SERVER_TOO_OLD"));
    }

    @Test
    void closeSessionRateLimited_surfacesAsError() {
        SyncClient a = rig.client("a");
        List<SyncStatus> seen = statuses(a);
        rig.pump();
        a.store().put(shape("shape:1", 1));
        rig.room.closeSession("a", CloseReason.RATE_LIMITED).join();
        rig.pump();
        assertThat(a.status()).isEqualTo(SyncStatus.error("RATE_LIMITED"));
        assertThat(seen).containsExactly(SyncStatus.CONNECTING, SyncStatus.ONLINE, SyncStatus.error("RATE_LIMITED"));
        rig.advance(Duration.ofSeconds(30));
        assertThat(rig.transport.connections("a")).isEqualTo(1);
        assertThat(a.store().get("shape:1")).isPresent(); // local data stays readable
    }

    @Test
    void normalServerClose_reconnectsWithBackoff_andRehydratesIncrementally() {
        rig.room.update(tx -> tx.put(shape("shape:1", 0))).join();
        SyncClient a = rig.client("a");
        SyncClient b = rig.client("b");
        rig.pump();
        rig.room.closeSession("a", null).join();
        rig.pump();
        assertThat(a.status()).isEqualTo(SyncStatus.OFFLINE);
        b.store().remove("shape:1");
        rig.pump();
        rig.advance(Duration.ofMillis(300));
        assertThat(rig.transport.connections("a")).isEqualTo(1); // min delay 500 ms, jitter at most 25 %
        rig.advance(Duration.ofMillis(300));
        assertThat(rig.transport.connections("a")).isEqualTo(2);
        assertThat(a.status()).isEqualTo(SyncStatus.ONLINE);
        assertThat(a.store().get("shape:1")).isEmpty();
        assertThat(rig.transport.sent("a").stream().filter(f -> f.startsWith("{\"type\":\"connect\"")))
                .last()
                .asString()
                .endsWith("\"lastServerClock\":1}");
    }

    @Test
    void presence_isPutThenPatched_andRemovedWhenThePeerLeaves() {
        java.util.concurrent.atomic.AtomicReference<Map<String, Object>> presence =
                new java.util.concurrent.atomic.AtomicReference<>(Map.of("cursor", Map.of("x", 0, "y", 0)));
        SyncClient a = rig.client(rig.builder("a", false).presence(presence::get));
        SyncClient b = rig.client("b");
        rig.pump();
        assertThat(b.store().query("instance_presence"))
                .singleElement()
                .satisfies(p -> assertThat(p.get("cursor")).isEqualTo(Json.freeze(Map.of("x", 0, "y", 0))));
        presence.set(Map.of("cursor", Map.of("x", 5, "y", 0)));
        a.presenceChanged();
        rig.advance(Duration.ofMillis(50));
        assertThat(b.store().query("instance_presence"))
                .singleElement()
                .satisfies(p -> assertThat(p.get("cursor")).isEqualTo(Json.freeze(Map.of("x", 5, "y", 0))));
        List<String> pushes = pushes("a");
        assertThat(pushes.get(0)).contains("\"presence\":[\"put\"");
        assertThat(pushes.get(1)).contains("\"presence\":[\"patch\"");
        assertThat(a.store().query("instance_presence")).isEmpty(); // no echo of its own presence

        a.close();
        rig.advance(Duration.ofSeconds(6)); // removal grace
        assertThat(b.store().query("instance_presence")).isEmpty();
    }

    @Test
    void presenceRecords_cannotBeChangedLocally() {
        SyncClient a = rig.client("a");
        assertThatThrownBy(() -> a.store().put(Map.of("id", "instance_presence:x", "typeName", "instance_presence")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith("records of the presence type instance_presence are managed by the server");
    }

    @Test
    void put_withoutTypeName_isRejected() {
        SyncClient a = rig.client("a");
        assertThatThrownBy(() -> a.store().put(Map.of("id", "x")))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("record x must have a string typeName but had null");
    }

    @Test
    void close_isIdempotent_andStopsReconnecting() {
        SyncClient a = rig.client("a");
        List<SyncStatus> seen = statuses(a);
        rig.pump();
        a.close();
        a.close();
        rig.advance(Duration.ofSeconds(30));
        assertThat(a.status()).isEqualTo(SyncStatus.OFFLINE);
        assertThat(seen).containsExactly(SyncStatus.CONNECTING, SyncStatus.ONLINE, SyncStatus.OFFLINE);
        assertThat(rig.transport.connections("a")).isEqualTo(1);
    }

    @Test
    void pings_keepTheSessionAlive_pastTheServerIdleTimeout() {
        SyncClient a = rig.client("a");
        rig.pump();
        for (int i = 0; i < 12; i++) {
            rig.advance(Duration.ofSeconds(5));
        }
        assertThat(a.status()).isEqualTo(SyncStatus.ONLINE);
        assertThat(rig.transport.connections("a")).isEqualTo(1);
        assertThat(rig.transport.sent("a").stream().filter(f -> f.equals("{\"type\":\"ping\"}")))
                .hasSizeBetween(11, 13);
    }

    @Test
    void typedView_mapsRecordsWithJackson() {
        record Shape(String id, String typeName, long x, Map<String, Object> props) {}
        SyncClient a = rig.client("a");
        SyncClient b = rig.client("b");
        rig.pump();
        TypedRecords<Shape> shapes = a.store().typed("shape", Shape.class);
        shapes.put(new Shape("shape:1", "shape", 4, Map.of("text", "t")));
        rig.pump();
        TypedRecords<Shape> bShapes = b.store().typed("shape", Shape.class);
        assertThat(bShapes.get("shape:1")).contains(new Shape("shape:1", "shape", 4, Map.of("text", "t")));
        assertThat(bShapes.all()).hasSize(1);
        assertThat(bShapes.remove("shape:1")).isTrue();
        rig.pump();
        assertThat(shapes.all()).isEmpty();
    }

    @Test
    void builder_checksValues() {
        assertThatThrownBy(() -> SyncClient.builder().pushRate(0)).hasMessage("pushRate must be in 1..1000 but was 0");
        assertThatThrownBy(() -> SyncClient.builder().backoff(Duration.ofSeconds(2), Duration.ofSeconds(1)))
                .hasMessage("backoff max must be >= min but was PT1S < PT2S");
        assertThatThrownBy(() -> SyncClient.builder().uri(java.net.URI.create("ftp://x/")))
                .hasMessage("uri must be ws, wss, http or https but was ftp://x/");
        assertThatThrownBy(() ->
                        SyncClient.builder().uri(java.net.URI.create("ws://x/")).build())
                .hasMessage("schema is required");
    }
}
