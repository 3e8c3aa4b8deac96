package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.testing.ExhaustedSockets;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The verdict on ops that tldraw 5.4.2's server ignores or refuses, checked against its {@code TLSocketRoom}:
 * an op it ignores costs the push its commit (the effective diff differs from the request) but never the
 * other ops; refusals close with the same reason.
 */
@ExtendWith(ExhaustedSockets.class)
class RoomPushVerdictTest {
    private static final String SHAPE =
            "{\"id\":\"shape:1\",\"typeName\":\"shape\",\"x\":1,\"props\":{\"text\":\"hi\"}}";
    private static final String SHAPE_2 = "{\"id\":\"shape:2\",\"typeName\":\"shape\",\"x\":2}";
    private static final String MOVE_X = "\"x\":[\"put\",3]";
    private static final String REBASE_MOVE_X = "{\"rebaseWithDiff\":{\"shape:1\":[\"patch\",{\"x\":[\"put\",3]}]}}";

    private static String result(long clientClock, long serverClock, String action) {
        return "{\"type\":\"data\",\"data\":[{\"type\":\"push_result\",\"clientClock\":" + clientClock
                + ",\"serverClock\":" + serverClock + ",\"action\":" + action + "}]}";
    }

    /** A room holding shape:1, and a writer that has seen it. */
    private static RoomFixture.Conn writerWithShape(RoomFixture f) {
        RoomFixture.Conn a = f.joined("a");
        a.push(0, "{\"shape:1\":[\"put\"," + SHAPE + "]}");
        a.expect(result(0, 1, "\"commit\""));
        return a;
    }

    private static void expectShape(RoomFixture f, long x, String text) {
        Map<String, Object> shape = f.room.record("shape:1").join();
        assertThat(shape).containsEntry("x", x);
        assertThat(shape.get("props")).isEqualTo(Map.of("text", text));
    }

    @Test
    void push_appendWithNegativeOffset_isIgnored_andTheOtherOpsAreRebased() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = writerWithShape(f);

        a.push(1, "{\"shape:1\":[\"patch\",{" + MOVE_X + ",\"props\":[\"patch\",{\"text\":[\"append\",\"!\",-1]}]}]}");

        a.expect(result(1, 2, REBASE_MOVE_X));
        expectShape(f, 3, "hi");
    }

    @Test
    void push_appendOfANumberOrAnObject_isIgnored_andTheOtherOpsAreRebased() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = writerWithShape(f);

        a.push(
                1,
                "{\"shape:1\":[\"patch\",{" + MOVE_X + ",\"props\":[\"patch\",{\"text\":[\"append\",5,2],"
                        + "\"more\":[\"append\",{\"a\":1},0]}]}]}");

        a.expect(result(1, 2, REBASE_MOVE_X));
        expectShape(f, 3, "hi");
    }

    @Test
    void push_appendWithOffsetThatIsNotANumber_isIgnored() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = writerWithShape(f);

        a.push(1, "{\"shape:1\":[\"patch\",{\"props\":[\"patch\",{\"text\":[\"append\",\"!\",\"2\"]}]}]}");

        a.expect(result(1, 1, "\"discard\""));
        expectShape(f, 1, "hi");
        assertThat(a.socket.isOpen()).isTrue();
    }

    @Test
    void push_unknownValueOp_isIgnored_andTheOtherOpsAreRebased() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = writerWithShape(f);

        a.push(1, "{\"shape:1\":[\"patch\",{" + MOVE_X + ",\"props\":[\"frob\",{\"text\":\"x\"}]}]}");

        a.expect(result(1, 2, REBASE_MOVE_X));
        expectShape(f, 3, "hi");
    }

    @Test
    void push_valueOpThatIsNotAnArray_isIgnored_andTheOtherOpsAreRebased() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = writerWithShape(f);

        a.push(1, "{\"shape:1\":[\"patch\",{" + MOVE_X + ",\"props\":5,\"y\":\"put\",\"z\":[]}]}");

        a.expect(result(1, 2, REBASE_MOVE_X));
        expectShape(f, 3, "hi");
    }

    @Test
    void push_unknownRecordOp_isIgnored_andTheOtherRecordsAreRebased() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = writerWithShape(f);
        RoomFixture.Conn b = f.joined("b");

        a.push(1, "{\"shape:1\":[\"frob\"],\"shape:2\":[\"put\"," + SHAPE_2 + "]}");

        a.expect(result(1, 2, "{\"rebaseWithDiff\":{\"shape:2\":[\"put\"," + SHAPE_2 + "]}}"));
        b.expect("{\"type\":\"data\",\"data\":[{\"type\":\"patch\",\"diff\":{\"shape:2\":[\"put\"," + SHAPE_2
                + "]},\"serverClock\":2}]}");
        expectShape(f, 1, "hi");
    }

    @Test
    void push_recordOpThatIsNotAnArray_isIgnored_andTheOtherRecordsAreRebased() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = writerWithShape(f);

        a.push(1, "{\"shape:1\":5,\"shape:3\":\"remove\",\"shape:4\":[],\"shape:2\":[\"put\"," + SHAPE_2 + "]}");

        a.expect(result(1, 2, "{\"rebaseWithDiff\":{\"shape:2\":[\"put\"," + SHAPE_2 + "]}}"));
        expectShape(f, 1, "hi");
    }

    @Test
    void push_onlyIgnoredRecordOps_isDiscarded() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = writerWithShape(f);

        a.push(1, "{\"shape:1\":[\"frob\"],\"shape:2\":true}");

        a.expect(result(1, 1, "\"discard\""));
        assertThat(a.socket.isOpen()).isTrue();
    }

    @Test
    void push_opWithAnExtraElement_isRebased_butARemoveWithOneCommits() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = writerWithShape(f);

        // tldraw compares the request with the diff it made, which has no extra element
        a.push(1, "{\"shape:2\":[\"put\"," + SHAPE_2 + ",1]}");
        a.expect(result(1, 2, "{\"rebaseWithDiff\":{\"shape:2\":[\"put\"," + SHAPE_2 + "]}}"));
        a.push(2, "{\"shape:1\":[\"patch\",{\"x\":[\"put\",3,\"extra\"]}]}");
        a.expect(result(2, 3, REBASE_MOVE_X));

        // ...but it passes a remove on as it came
        a.push(3, "{\"shape:2\":[\"remove\",1]}");
        a.expect(result(3, 4, "\"commit\""));
        assertThat(f.room.record("shape:2").join()).isNull();
    }

    @Test
    void push_opAsAnObjectWithIndexKeys_isReadLikeAnArray() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = writerWithShape(f);

        a.push(1, "{\"shape:1\":[\"patch\",{\"x\":{\"0\":\"put\",\"1\":3}}]}");

        a.expect(result(1, 2, REBASE_MOVE_X));
        expectShape(f, 3, "hi");
    }

    @Test
    void push_nullDiff_isDiscarded() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = writerWithShape(f);

        a.send("{\"type\":\"push\",\"clientClock\":1,\"diff\":null}");

        a.expect(result(1, 1, "\"discard\""));
    }

    @Test
    void push_patchWhoseDiffIsNotAnObject_changesNothing() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = writerWithShape(f);

        a.push(1, "{\"shape:1\":[\"patch\",5]}");

        a.expect(result(1, 1, "\"discard\""));
        expectShape(f, 1, "hi");
    }

    @Test
    void push_nullRecordOp_isUnknownError() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = writerWithShape(f);

        a.push(1, "{\"shape:2\":[\"put\"," + SHAPE_2 + "],\"shape:1\":null}");

        a.expectClosed("UNKNOWN_ERROR");
        assertThat(f.room.record("shape:2").join()).isNull();
    }

    @Test
    void push_putWithoutValue_removesTheKey() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = writerWithShape(f);

        // JSON cannot say undefined: tldraw 5.5 treats the key as missing
        a.push(1, "{\"shape:1\":[\"patch\",{\"props\":[\"patch\",{\"text\":[\"put\"]}]}]}");

        a.expect(result(
                1,
                2,
                "{\"rebaseWithDiff\":{\"shape:1\":[\"patch\",{\"props\":[\"patch\",{\"text\":[\"delete\"]}]}]}}"));
        assertThat(f.room.record("shape:1").join().get("props")).isEqualTo(Map.of());
    }

    @Test
    void push_putThatOnlyChangesAProtoKey_isDiscarded() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = writerWithShape(f);
        a.push(1, "{\"shape:2\":[\"put\",{\"id\":\"shape:2\",\"typeName\":\"shape\",\"x\":2,\"__proto__\":1}]}");
        a.expect(result(1, 2, "\"commit\""));

        // tldraw 5.5's diff skips the key, so nothing changed
        a.push(2, "{\"shape:2\":[\"put\",{\"id\":\"shape:2\",\"typeName\":\"shape\",\"x\":2,\"__proto__\":2}]}");

        a.expect(result(2, 2, "\"discard\""));
    }

    @Test
    void push_recordIdNotMatchingItsKey_isUnknownError() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = writerWithShape(f);

        a.push(1, "{\"shape:2\":[\"put\",{\"id\":\"shape:3\",\"typeName\":\"shape\",\"x\":2}]}");

        a.expectClosed("UNKNOWN_ERROR");
        assertThat(f.room.record("shape:2").join()).isNull();
        assertThat(f.room.record("shape:3").join()).isNull();
    }

    @Test
    void push_putOverExistingRecordWithAnotherId_isUnknownError() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = writerWithShape(f);

        a.push(1, "{\"shape:1\":[\"put\"," + SHAPE_2 + "]}");

        a.expectClosed("UNKNOWN_ERROR");
        expectShape(f, 1, "hi");
    }

    @Test
    void push_recordIdNotMatchingItsKeyAndInvalid_isInvalidRecord() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");

        // tldraw validates before it stores, and the id is checked only when storing
        a.push(0, "{\"shape:2\":[\"put\",{\"id\":\"shape:3\",\"typeName\":\"shape\",\"x\":\"left\"}]}");

        a.expectClosed("INVALID_RECORD");
    }

    @Test
    void push_patchOfId_isUnknownError() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = writerWithShape(f);

        a.push(1, "{\"shape:1\":[\"patch\",{\"id\":[\"put\",\"shape:9\"]}]}");

        a.expectClosed("UNKNOWN_ERROR");
        expectShape(f, 1, "hi");
        assertThat(f.room.record("shape:9").join()).isNull();
    }

    @Test
    void push_patchOfTypeName_isInvalidRecord() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = writerWithShape(f);

        a.push(1, "{\"shape:1\":[\"patch\",{\"typeName\":[\"put\",\"page\"]}]}");

        a.expectClosed("INVALID_RECORD");
    }

    @Test
    void push_putOfANumberStringOrArray_isInvalidRecord() {
        for (String value : new String[] {"5", "\"abc\"", "[1]", "true"}) {
            RoomFixture f = new RoomFixture();
            RoomFixture.Conn a = f.joined("a");

            a.push(0, "{\"shape:2\":[\"put\"," + value + "]}");

            a.expectClosed("INVALID_RECORD");
        }
    }

    @Test
    void push_putOfANumber_fromReadOnlySession_isDiscarded() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn reader = f.openReadOnly("r");
        reader.join(-1);

        reader.push(0, "{\"shape:2\":[\"put\",5]}");

        reader.expect(result(0, 0, "\"discard\""));
        assertThat(reader.socket.isOpen()).isTrue();
    }
}
