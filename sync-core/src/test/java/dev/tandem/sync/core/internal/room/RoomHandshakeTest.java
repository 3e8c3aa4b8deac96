package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.Migration;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.testing.ExhaustedSockets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The connect handshake (tldraw SPEC HS1–HS6, protocol notes §4.4). */
@ExtendWith(ExhaustedSockets.class)
class RoomHandshakeTest {
    private static final String PAGE =
            "{\"id\":\"page:page\",\"typeName\":\"page\",\"name\":\"Page 1\",\"index\":\"a1\"}";

    @Test
    void connect_HS4_freshClient_getsWipeAllWithEveryDocument() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.push(0, "{\"page:page\":[\"put\"," + PAGE + "]}");
        a.next();

        RoomFixture.Conn b = f.open("b");
        b.connect(-1);
        b.expect(
                "{\"type\":\"connect\",\"connectRequestId\":\"cr\",\"hydrationType\":\"wipe_all\",\"protocolVersion\":8,"
                        + "\"schema\":" + RoomFixture.SCHEMA + ",\"diff\":{\"page:page\":[\"put\"," + PAGE + "]},"
                        + "\"serverClock\":1,\"isReadonly\":false,\"objectAccess\":\"write\"}");
    }

    @Test
    void connect_HS4_clientAtCurrentClock_getsWipePresenceWithEmptyDiff() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.push(0, "{\"page:page\":[\"put\"," + PAGE + "]}");
        a.next();

        RoomFixture.Conn b = f.open("b");
        Map<String, Object> reply = b.join(1);
        assertThat(reply).containsEntry("hydrationType", "wipe_presence").containsEntry("serverClock", 1L);
        assertThat(reply.get("diff")).isEqualTo(Map.of());
    }

    @Test
    void connect_HS4_clientBeforeDelete_getsIncrementalRemove() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.push(0, "{\"page:page\":[\"put\"," + PAGE + "]}");
        a.push(1, "{\"page:page\":[\"remove\"]}");
        a.next();
        a.next();

        RoomFixture.Conn b = f.open("b");
        Map<String, Object> reply = b.join(1);
        assertThat(reply).containsEntry("hydrationType", "wipe_presence").containsEntry("serverClock", 2L);
        assertThat(reply.get("diff")).isEqualTo(Json.parse("{\"page:page\":[\"remove\"]}"));
    }

    @Test
    void connect_clockAheadOfServer_isTreatedAsFresh() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.push(0, "{\"page:page\":[\"put\"," + PAGE + "]}");
        a.next();

        Map<String, Object> reply = f.open("b").join(99);
        assertThat(reply).containsEntry("hydrationType", "wipe_all");
        assertThat(((Map<?, ?>) reply.get("diff")).containsKey("page:page")).isTrue();
    }

    @Test
    void connect_HS2_protocolVersion9_isServerTooOld() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.open("a");
        a.connect(-1, 9, RoomFixture.SCHEMA);
        a.expectClosed("SERVER_TOO_OLD");
    }

    @Test
    void connect_HS2_protocolVersion4_isClientTooOld() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.open("a");
        a.connect(-1, 4, RoomFixture.SCHEMA);
        a.expectClosed("CLIENT_TOO_OLD");
    }

    @Test
    void connect_missingProtocolVersion_isClientTooOld() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.open("a");
        a.send("{\"type\":\"connect\",\"connectRequestId\":\"x\",\"lastServerClock\":-1,\"schema\":"
                + RoomFixture.SCHEMA + "}");
        a.expectClosed("CLIENT_TOO_OLD");
    }

    @Test
    void connect_SES5_legacyV6Client_getsIncompatibilityErrorThenPlainClose() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.open("a");
        a.connect(-1, 6, "{\"schemaVersion\":2,\"sequences\":{\"com.example.shape\":3}}");
        a.expect("{\"type\":\"incompatibility_error\",\"reason\":\"serverTooOld\"}");
        a.expectNormalClose();
    }

    @Test
    void connect_v5Client_isAcceptedAsLegacy() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.open("a");
        a.connect(-1, 5, RoomFixture.SCHEMA);
        assertThat(a.next()).containsEntry("type", "connect");
    }

    @Test
    void connect_HS3_noSchema_isClientTooOld() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.open("a");
        a.send("{\"type\":\"connect\",\"connectRequestId\":\"x\",\"lastServerClock\":-1,\"protocolVersion\":8}");
        a.expectClosed("CLIENT_TOO_OLD");
    }

    @Test
    void connect_HS3_newerSequence_isServerTooOld() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.open("a");
        a.connect(-1, 8, "{\"schemaVersion\":2,\"sequences\":{\"com.example.shape\":3,\"com.example.store\":1}}");
        a.expectClosed("SERVER_TOO_OLD");
    }

    @Test
    void connect_HS3_unknownSequenceAloneIsIgnored_butUnknownWithOlderIsServerTooOld() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.open("a");
        a.connect(
                -1,
                8,
                "{\"schemaVersion\":2,\"sequences\":{\"com.example.shape\":2,\"com.example.store\":1,\"x.y\":1}}");
        assertThat(a.next()).containsEntry("type", "connect");

        RoomFixture.Conn b = f.open("b");
        b.connect(-1, 8, "{\"schemaVersion\":2,\"sequences\":{\"com.example.shape\":1,\"x.y\":1}}");
        b.expectClosed("SERVER_TOO_OLD");
    }

    @Test
    void connect_HS3_olderSequenceWithoutMigration_isClientTooOld() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.open("a");
        a.connect(-1, 8, "{\"schemaVersion\":2,\"sequences\":{\"com.example.shape\":1,\"com.example.store\":1}}");
        a.expectClosed("CLIENT_TOO_OLD");
    }

    @Test
    void connect_HS3_missingSequence_isVersionZero_soWithoutMigrationsIsClientTooOld() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn empty = f.open("a");
        empty.connect(-1, 8, "{\"schemaVersion\":2,\"sequences\":{}}");
        empty.expectClosed("CLIENT_TOO_OLD");

        RoomFixture.Conn partial = f.open("b");
        partial.connect(-1, 8, "{\"schemaVersion\":2,\"sequences\":{\"com.example.shape\":2}}");
        partial.expectClosed("CLIENT_TOO_OLD");
    }

    @Test
    void connect_HS3_v1SchemaWithoutTheRoomsSequences_isClientTooOld() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.open("a");
        a.connect(-1, 8, "{\"schemaVersion\":1,\"storeVersion\":4,\"recordVersions\":{}}");
        a.expectClosed("CLIENT_TOO_OLD");
    }

    @Test
    void connect_HS3_missingSequenceThatIsNotRetroactive_isIgnored() {
        RoomSchema schema = RoomSchema.builder()
                .sequence("com.example.shape", 2)
                .sequence("com.example.store", 1, false)
                .documentType("page")
                .presenceType("instance_presence")
                .build();
        RoomFixture f = new RoomFixture(RoomOptions.builder().schema(schema).batchInterval(Duration.ZERO));
        RoomFixture.Conn a = f.open("a");
        a.connect(-1, 8, "{\"schemaVersion\":2,\"sequences\":{\"com.example.shape\":2}}");
        assertThat(a.next()).containsEntry("type", "connect");

        RoomFixture.Conn b = f.open("b");
        b.connect(-1, 8, "{\"schemaVersion\":2,\"sequences\":{\"com.example.store\":1}}");
        b.expectClosed("CLIENT_TOO_OLD");
    }

    @Test
    void connect_HS3_tldrawsNonRetroactiveSequences_areSoByDefault() {
        RoomSchema schema = RoomSchema.builder()
                .sequence("com.tldraw.store", 5)
                .sequence("com.tldraw.shape.arrow", 8)
                .sequence("com.tldraw.page", 1)
                .documentType("page")
                .build();
        RoomFixture f = new RoomFixture(RoomOptions.builder().schema(schema).batchInterval(Duration.ZERO));
        RoomFixture.Conn a = f.open("a");
        a.connect(-1, 8, "{\"schemaVersion\":2,\"sequences\":{\"com.tldraw.page\":1}}");
        assertThat(a.next()).containsEntry("type", "connect");

        RoomFixture.Conn b = f.open("b");
        b.connect(-1, 8, "{\"schemaVersion\":2,\"sequences\":{\"com.tldraw.store\":5,\"com.tldraw.shape.arrow\":8}}");
        b.expectClosed("CLIENT_TOO_OLD");
        assertThat(schema.isRetroactive("com.tldraw.page")).isTrue();
        assertThat(schema.isRetroactive("com.tldraw.store")).isFalse();
    }

    @Test
    void connect_MG1_missingSequenceWithDownMigrations_getsRecordsMigratedDownFromVersionZero() {
        RoomSchema schema = RoomSchema.builder()
                .documentType("shape")
                .presenceType("instance_presence")
                .sequence("com.example.store", 1, false)
                .migration(new Migration(
                        "com.example.shape", 1, "shape", r -> rename(r, "a", "b"), r -> rename(r, "b", "a")))
                .migration(new Migration(
                        "com.example.shape", 2, "shape", r -> rename(r, "b", "c"), r -> rename(r, "c", "b")))
                .build();
        RoomFixture f = new RoomFixture(RoomOptions.builder().schema(schema).batchInterval(Duration.ZERO));
        RoomFixture.Conn current = f.joined("new");
        current.push(0, "{\"shape:1\":[\"put\",{\"id\":\"shape:1\",\"typeName\":\"shape\",\"c\":5}]}");
        current.next();

        RoomFixture.Conn old = f.open("old");
        old.connect(-1, 8, "{\"schemaVersion\":2,\"sequences\":{}}");
        Map<String, Object> reply = old.next();
        assertThat(reply).containsEntry("type", "connect");
        assertThat(reply.get("diff"))
                .isEqualTo(Json.parse("{\"shape:1\":[\"put\",{\"id\":\"shape:1\",\"typeName\":\"shape\",\"a\":5}]}"));
    }

    @Test
    void connect_pinnedRoom_missingSequence_isClientTooOld_exceptTldrawsNonRetroactiveOnes() {
        RoomFixture f = new RoomFixture(
                RoomOptions.builder().schema(RoomSchema.pinned()).batchInterval(Duration.ZERO));
        RoomFixture.Conn first = f.open("a");
        first.connect(
                -1,
                8,
                "{\"schemaVersion\":2,\"sequences\":{\"com.tldraw.store\":5,\"com.tldraw.shape.arrow\":8,"
                        + "\"com.tldraw.page\":1,\"com.tldraw.shape.group\":0}}");
        assertThat(first.next()).containsEntry("type", "connect");

        // no migration is known, so a sequence taken as version 0 cannot be served
        RoomFixture.Conn noPage = f.open("b");
        noPage.connect(
                -1,
                8,
                "{\"schemaVersion\":2,\"sequences\":{\"com.tldraw.store\":5,\"com.tldraw.shape.arrow\":8,"
                        + "\"com.tldraw.shape.group\":0}}");
        noPage.expectClosed("CLIENT_TOO_OLD");

        // tldraw's store and arrow sequences are not retroactive; a group at version 0 needs nothing
        RoomFixture.Conn ok = f.open("c");
        ok.connect(-1, 8, "{\"schemaVersion\":2,\"sequences\":{\"com.tldraw.page\":1}}");
        assertThat(ok.next()).containsEntry("type", "connect");
    }

    @Test
    void connect_schemaVersion3_isServerTooOld() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.open("a");
        a.connect(-1, 8, "{\"schemaVersion\":3,\"sequences\":{}}");
        a.expectClosed("SERVER_TOO_OLD");
    }

    @Test
    void connect_HS5_excludesOwnPresenceButIncludesOthers() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.pushPresence(0, "[\"put\",{\"id\":\"whatever\",\"typeName\":\"instance_presence\",\"cursor\":1}]");
        a.next();

        Map<String, Object> reply = f.open("b").join(-1);
        assertThat(reply.get("diff"))
                .isEqualTo(
                        Json.parse(
                                "{\"instance_presence:p1\":[\"put\",{\"id\":\"instance_presence:p1\",\"typeName\":\"instance_presence\",\"cursor\":1}]}"));

        // a reconnecting "a" does not get its own presence back
        RoomFixture.Conn a2 = f.open("a");
        assertThat(a.socket.isOpen()).isFalse();
        assertThat(a2.join(0).get("diff")).isEqualTo(Map.of());
    }

    @Test
    void connect_pinnedRoom_adoptsFirstSchema_andRejectsNewerAndOlder() {
        RoomFixture f = new RoomFixture(
                RoomOptions.builder().schema(RoomSchema.pinned()).batchInterval(Duration.ZERO));
        RoomFixture.Conn a = f.open("a");
        assertThat(a.join(-1).get("schema")).isEqualTo(Json.parse(RoomFixture.SCHEMA));

        RoomFixture.Conn newer = f.open("b");
        newer.connect(-1, 8, "{\"schemaVersion\":2,\"sequences\":{\"com.example.shape\":3,\"com.example.store\":1}}");
        newer.expectClosed("SERVER_TOO_OLD");
        RoomFixture.Conn older = f.open("c");
        older.connect(-1, 8, "{\"schemaVersion\":2,\"sequences\":{\"com.example.shape\":1,\"com.example.store\":1}}");
        older.expectClosed("CLIENT_TOO_OLD");
    }

    @Test
    void connect_MG1_olderClientWithDownMigrations_staysConnectedAndSeesDownMigratedRecords() {
        // version 2 of com.example.shape renamed "x" to "left"
        Migration rename = new Migration(
                "com.example.shape", 2, "shape", r -> rename(r, "x", "left"), r -> rename(r, "left", "x"));
        RoomSchema schema = RoomSchema.builder()
                .documentType("shape")
                .presenceType("instance_presence")
                .sequence("com.example.store", 1)
                .sequence("com.example.shape", 1)
                .migration(new Migration("com.example.shape", 1, "shape", r -> r, r -> r))
                .migration(rename)
                .build();
        RoomFixture f = new RoomFixture(RoomOptions.builder().schema(schema).batchInterval(Duration.ZERO));
        RoomFixture.Conn current = f.joined("new");
        RoomFixture.Conn old = f.open("old");
        old.connect(-1, 8, "{\"schemaVersion\":2,\"sequences\":{\"com.example.shape\":1,\"com.example.store\":1}}");
        assertThat(old.next()).containsEntry("type", "connect");

        // the old client writes "x"; the room stores "left"; the new client sees "left"
        old.push(0, "{\"shape:1\":[\"put\",{\"id\":\"shape:1\",\"typeName\":\"shape\",\"x\":5}]}");
        old.expect(
                "{\"type\":\"data\",\"data\":[{\"type\":\"push_result\",\"clientClock\":0,\"serverClock\":1,"
                        + "\"action\":{\"rebaseWithDiff\":{\"shape:1\":[\"put\",{\"id\":\"shape:1\",\"typeName\":\"shape\",\"x\":5}]}}}]}");
        current.expect("{\"type\":\"data\",\"data\":[{\"type\":\"patch\",\"serverClock\":1,"
                + "\"diff\":{\"shape:1\":[\"put\",{\"id\":\"shape:1\",\"typeName\":\"shape\",\"left\":5}]}}]}");

        // the new client moves it; the old client gets the change expressed in its own version
        current.push(0, "{\"shape:1\":[\"patch\",{\"left\":[\"put\",7]}]}");
        current.next();
        old.expect("{\"type\":\"data\",\"data\":[{\"type\":\"patch\",\"serverClock\":2,"
                + "\"diff\":{\"shape:1\":[\"patch\",{\"x\":[\"put\",7]}]}}]}");
        assertThat(f.room.record("shape:1").join()).containsEntry("left", 7L).doesNotContainKey("x");
    }

    private static Map<String, Object> rename(Map<String, Object> r, String from, String to) {
        Map<String, Object> out = new LinkedHashMap<>();
        r.forEach((k, v) -> out.put(k.equals(from) ? to : k, v));
        return out;
    }
}
