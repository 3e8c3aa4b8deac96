package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.testing.ExhaustedSockets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Push handling (tldraw SPEC RP1–RP13, protocol notes §4.5). */
@ExtendWith(ExhaustedSockets.class)
class RoomPushTest {
    private static final String SHAPE =
            "{\"id\":\"shape:1\",\"typeName\":\"shape\",\"x\":1,\"props\":{\"text\":\"hi\"}}";
    private static final String PUT_SHAPE = "{\"shape:1\":[\"put\"," + SHAPE + "]}";

    private static String result(long clientClock, long serverClock, String action) {
        return "{\"type\":\"data\",\"data\":[{\"type\":\"push_result\",\"clientClock\":" + clientClock
                + ",\"serverClock\":" + serverClock + ",\"action\":" + action + "}]}";
    }

    private static String patch(long serverClock, String diff) {
        return "{\"type\":\"data\",\"data\":[{\"type\":\"patch\",\"diff\":" + diff + ",\"serverClock\":" + serverClock
                + "}]}";
    }

    @Test
    void push_RP7_newRecord_commitsAndIsBroadcastToOthersOnly() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");

        a.push(0, PUT_SHAPE);

        a.expect(result(0, 1, "\"commit\""));
        b.expect(patch(1, PUT_SHAPE));
        assertThat(f.room.documentClock()).isEqualTo(1);
    }

    @Test
    void push_RP7_putOverExistingRecord_isRebasedAsPatch() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");
        a.push(0, PUT_SHAPE);
        a.next();
        b.next();

        a.push(
                1,
                "{\"shape:1\":[\"put\",{\"id\":\"shape:1\",\"typeName\":\"shape\",\"x\":2,\"props\":{\"text\":\"hi\"}}]}");

        a.expect(result(1, 2, "{\"rebaseWithDiff\":{\"shape:1\":[\"patch\",{\"x\":[\"put\",2]}]}}"));
        b.expect(patch(2, "{\"shape:1\":[\"patch\",{\"x\":[\"put\",2]}]}"));
    }

    @Test
    void push_RP7_putEqualToStored_isDiscarded() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");
        a.push(0, PUT_SHAPE);
        a.next();
        b.next();

        a.push(1, PUT_SHAPE);

        a.expect(result(1, 1, "\"discard\""));
    }

    @Test
    void push_SS9_manyRecordsInOnePush_advanceClockOnce() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.push(
                0,
                "{\"shape:1\":[\"put\",{\"id\":\"shape:1\",\"typeName\":\"shape\",\"x\":1}],"
                        + "\"shape:2\":[\"put\",{\"id\":\"shape:2\",\"typeName\":\"shape\",\"x\":2}]}");
        a.expect(result(0, 1, "\"commit\""));
        assertThat(f.room.documentClock()).isEqualTo(1);
    }

    @Test
    void push_RP7_patchWithAppend_commitsWithSameDiff() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");
        a.push(0, PUT_SHAPE);
        a.next();
        b.next();

        String diff = "{\"shape:1\":[\"patch\",{\"props\":[\"patch\",{\"text\":[\"append\",\" there\",2]}]}]}";
        a.push(1, diff);

        a.expect(result(1, 2, "\"commit\""));
        b.expect(patch(2, diff));
        assertThat(f.room.record("shape:1").join().get("props")).isEqualTo(java.util.Map.of("text", "hi there"));
    }

    @Test
    void push_RP7_patchWithStaleAppend_isRebasedToWhatHappened() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.push(0, PUT_SHAPE);
        a.next();

        // offset 5 does not match "hi".length(): the append is ignored, and x still changes
        a.push(
                1,
                "{\"shape:1\":[\"patch\",{\"x\":[\"put\",3],\"props\":[\"patch\",{\"text\":[\"append\",\"!\",5]}]}]}");

        a.expect(result(1, 2, "{\"rebaseWithDiff\":{\"shape:1\":[\"patch\",{\"x\":[\"put\",3]}]}}"));
    }

    @Test
    void push_RP7_patchOfDeletedRecord_isDiscarded() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.push(0, "{\"shape:9\":[\"patch\",{\"x\":[\"put\",3]}]}");
        a.expect(result(0, 0, "\"discard\""));
    }

    @Test
    void push_RP7_removeOfMissingRecord_isDiscarded() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.push(0, "{\"shape:9\":[\"remove\"]}");
        a.expect(result(0, 0, "\"discard\""));
    }

    @Test
    void push_remove_commitsLeavesTombstoneAndIsBroadcast() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");
        a.push(0, PUT_SHAPE);
        a.next();
        b.next();

        a.push(1, "{\"shape:1\":[\"remove\"]}");

        a.expect(result(1, 2, "\"commit\""));
        b.expect(patch(2, "{\"shape:1\":[\"remove\"]}"));
        assertThat(f.room.snapshot().join().tombstones()).containsEntry("shape:1", 2L);
    }

    @Test
    void push_RP1_unknownRecordType_rejectsSessionAndRollsBackWholePush() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");

        a.push(0, "{\"shape:1\":[\"put\"," + SHAPE + "],\"x:1\":[\"put\",{\"id\":\"x:1\",\"typeName\":\"nope\"}]}");

        a.expectClosed("INVALID_RECORD");
        b.expectNothing();
        assertThat(f.room.documentClock()).isZero();
        assertThat(f.room.record("shape:1").join()).isNull();

        // the other session keeps working
        b.push(0, PUT_SHAPE);
        b.expect(result(0, 1, "\"commit\""));
    }

    @Test
    void push_RP2_validatorFailure_isInvalidRecord() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.push(0, "{\"shape:1\":[\"put\",{\"id\":\"shape:1\",\"typeName\":\"shape\",\"x\":\"left\"}]}");
        a.expectClosed("INVALID_RECORD");
    }

    @Test
    void push_RP2_patchThatBreaksValidation_isInvalidRecord() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.push(0, PUT_SHAPE);
        a.next();
        a.push(1, "{\"shape:1\":[\"patch\",{\"x\":[\"delete\"]}]}");
        a.expectClosed("INVALID_RECORD");
        assertThat(f.room.record("shape:1").join()).containsEntry("x", 1L);
    }

    @Test
    void push_RP9_readOnlySession_isDiscardedButPresenceGoesThrough() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn writer = f.joined("w");
        RoomFixture.Conn reader = f.openReadOnly("r");
        assertThat(reader.join(-1)).containsEntry("isReadonly", true);

        reader.send(
                "{\"type\":\"push\",\"clientClock\":0,\"diff\":" + PUT_SHAPE
                        + ",\"presence\":[\"put\",{\"id\":\"instance_presence:mine\",\"typeName\":\"instance_presence\",\"c\":1}]}");

        reader.expect(result(0, 0, "\"discard\""));
        writer.expect(patch(
                0,
                "{\"instance_presence:p1\":[\"put\",{\"id\":\"instance_presence:p1\","
                        + "\"typeName\":\"instance_presence\",\"c\":1}]}"));
        assertThat(f.room.record("shape:1").join()).isNull();
    }

    @Test
    void push_readOnlySession_unknownTypeIsSkippedNotRejected() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn reader = f.openReadOnly("r");
        reader.join(-1);
        reader.push(0, "{\"x:1\":[\"put\",{\"id\":\"x:1\",\"typeName\":\"nope\"}]}");
        reader.expect(result(0, 0, "\"discard\""));
        assertThat(reader.socket.isOpen()).isTrue();
    }

    @Test
    void push_RP10_presenceOnly_commitsWithoutMovingClock_andForcesIdAndType() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");

        a.pushPresence(0, "[\"put\",{\"id\":\"instance_presence:fake\",\"typeName\":\"other\",\"cursor\":{\"x\":1}}]");
        a.expect(result(0, 0, "\"commit\""));
        b.expect(patch(
                0,
                "{\"instance_presence:p1\":[\"put\",{\"id\":\"instance_presence:p1\","
                        + "\"typeName\":\"instance_presence\",\"cursor\":{\"x\":1}}]}"));

        a.pushPresence(1, "[\"patch\",{\"cursor\":[\"patch\",{\"x\":[\"put\",2]}],\"id\":[\"put\",\"hijack\"]}]");
        a.expect(result(1, 0, "\"commit\""));
        // a top-level object key is put whole, as tldraw's diffRecord does
        b.expect(patch(0, "{\"instance_presence:p1\":[\"patch\",{\"cursor\":[\"put\",{\"x\":2}]}]}"));
        assertThat(f.room.documentClock()).isZero();
    }

    @Test
    void push_invalidPresenceInSamePushAsRemove_rollsBackTheRemove() {
        RoomFixture f = new RoomFixture(RoomOptions.builder()
                .schema(dev.tandem.sync.core.RoomSchema.builder()
                        .documentType("page")
                        .presenceType("instance_presence", r -> {
                            if (r.containsKey("bad")) {
                                throw new IllegalArgumentException("bad presence");
                            }
                        })
                        .sequence("com.example.shape", 2)
                        .sequence("com.example.store", 1)
                        .build())
                .batchInterval(Duration.ZERO));
        RoomFixture.Conn a = f.joined("a");
        a.push(0, "{\"page:1\":[\"put\",{\"id\":\"page:1\",\"typeName\":\"page\"}]}");
        a.next();

        a.send("{\"type\":\"push\",\"clientClock\":1,\"diff\":{\"page:1\":[\"remove\"]},"
                + "\"presence\":[\"put\",{\"id\":\"i\",\"typeName\":\"instance_presence\",\"bad\":true}]}");

        a.expectClosed("INVALID_RECORD");
        assertThat(f.room.record("page:1").join()).isNotNull();
        assertThat(f.room.documentClock()).isEqualTo(1);
    }

    @Test
    void push_beforeConnect_isIgnored() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.open("a");
        a.push(0, PUT_SHAPE);
        assertThat(a.socket.isOpen()).isTrue();
        assertThat(f.room.documentClock()).isZero();
    }

    @Test
    void ping_connected_getsPong_butNotBeforeConnect() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.open("a");
        a.send("{\"type\":\"ping\"}");
        a.expectNothing();
        a.join(-1);
        a.send("{\"type\":\"ping\"}");
        a.expect("{\"type\":\"pong\"}");
    }

    @Test
    void push_conflict_secondClientSeesFirstPatchBeforeItsRebase() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");
        a.push(0, PUT_SHAPE);
        a.next();
        b.next();

        a.push(1, "{\"shape:1\":[\"patch\",{\"x\":[\"put\",5]}]}");
        b.push(0, "{\"shape:1\":[\"patch\",{\"x\":[\"put\",5],\"y\":[\"put\",1]}]}");

        a.expect(result(1, 2, "\"commit\""));
        b.expect(patch(2, "{\"shape:1\":[\"patch\",{\"x\":[\"put\",5]}]}"));
        b.expect(result(0, 3, "{\"rebaseWithDiff\":{\"shape:1\":[\"patch\",{\"y\":[\"put\",1]}]}}"));
        a.expect(patch(3, "{\"shape:1\":[\"patch\",{\"y\":[\"put\",1]}]}"));
    }
}
