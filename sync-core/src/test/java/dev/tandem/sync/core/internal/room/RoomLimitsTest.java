package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.SyncLimits;
import dev.tandem.sync.core.internal.json.JsonCodec;
import dev.tandem.sync.core.internal.protocol.ProtocolCodec;
import dev.tandem.sync.core.testing.ExhaustedSockets;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Each limit rejects only the offending session, with its exact reason; the others keep working. */
@ExtendWith(ExhaustedSockets.class)
class RoomLimitsTest {
    private static RoomFixture withLimits(SyncLimits.Builder limits) {
        return new RoomFixture(RoomOptions.builder()
                .schema(RoomFixture.schema())
                .batchInterval(Duration.ZERO)
                .limits(limits.build()));
    }

    private static String page(int i, String name) {
        return "\"page:" + i + "\":[\"put\",{\"id\":\"page:" + i + "\",\"typeName\":\"page\",\"name\":\"" + name
                + "\"}]";
    }

    /** The honest session still pushes, and a third sees it. */
    private static void othersStillWork(
            RoomFixture f, RoomFixture.Conn good, RoomFixture.Conn watcher, long clientClock) {
        good.socket.drain();
        watcher.socket.drain();
        good.push(clientClock, "{" + page(99, "ok") + "}");
        assertThat(good.next()).containsEntry("type", "data");
        assertThat(watcher.next().toString()).contains("page:99");
        assertThat(f.room.record("page:99").join()).isNotNull();
    }

    /** A page record nested {@code depth} levels deep, the record itself being one. */
    private static String deepPage(int i, int depth) {
        return "\"page:" + i + "\":[\"put\",{\"id\":\"page:" + i + "\",\"typeName\":\"page\",\"n\":"
                + "{\"a\":".repeat(depth - 1) + "1" + "}".repeat(depth - 1) + "}]";
    }

    @Test
    void recordDepth_deeperThanClientsCanParseInABroadcast_isInvalidRecord() {
        int deepest = JsonCodec.MAX_DEPTH - 16;
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn deep = f.joined("deep");
        RoomFixture.Conn good = f.joined("good");
        RoomFixture.Conn watcher = f.joined("watcher");

        good.push(0, "{" + deepPage(1, deepest) + "}");
        assertThat(good.next()).containsEntry("type", "data");
        String broadcast = watcher.socket.take();
        assertThat(ProtocolCodec.decodeServer(broadcast)).isNotNull(); // what a Tandem client parses
        good.push(1, "{\"page:1\":[\"patch\",{\"name\":[\"put\",\"x\"]}]}");
        good.next();
        assertThat(ProtocolCodec.decodeServer(watcher.socket.take())).isNotNull();

        deep.push(0, "{" + deepPage(2, deepest + 1) + "}");
        deep.expectClosed("INVALID_RECORD");
        assertThat(f.room.record("page:2").join()).isNull();
        othersStillWork(f, good, watcher, 2);
        deep.discardRemaining(); // the broadcasts it received before it was refused are not examined
    }

    @Test
    void sessionsPerRoom_overLimit_isRoomFull_andReconnectOfExistingIdStillWorks() {
        RoomFixture f = withLimits(SyncLimits.builder().maxSessionsPerRoom(2));
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");

        RoomFixture.Conn c = f.open("c");
        c.expectClosed("ROOM_FULL");

        RoomFixture.Conn a2 = f.open("a"); // same session id: a resume, not a new session
        assertThat(a2.join(0)).containsEntry("type", "connect");
        othersStillWork(f, a2, b, 0);
    }

    @Test
    void messagesPerSecond_overBurst_isRateLimited_andRefillsWithTime() {
        RoomFixture f = withLimits(SyncLimits.builder().messageBurst(5).messagesPerSecond(5));
        RoomFixture.Conn flood = f.joined("flood"); // the connect used one token
        RoomFixture.Conn good = f.joined("good");
        RoomFixture.Conn watcher = f.joined("watcher");
        for (int i = 0; i < 4; i++) {
            flood.send("{\"type\":\"ping\"}");
        }
        assertThat(flood.socket.drain()).hasSize(4);

        flood.send("{\"type\":\"ping\"}");

        flood.expectClosed("RATE_LIMITED");
        othersStillWork(f, good, watcher, 0);

        f.advance(Duration.ofSeconds(1));
        for (int i = 0; i < 5; i++) {
            good.send("{\"type\":\"ping\"}");
        }
        assertThat(good.socket.isOpen()).isTrue();
        good.discardRemaining(); // its pongs are not what this test examines
    }

    @Test
    void charsPerSecond_overBurst_isRateLimited() {
        RoomFixture f = withLimits(SyncLimits.builder().charBurst(1000).charsPerSecond(1000));
        RoomFixture.Conn flood = f.joined("flood");
        RoomFixture.Conn good = f.joined("good");
        RoomFixture.Conn watcher = f.joined("watcher");

        flood.push(0, "{" + page(1, "x".repeat(900)) + "}");

        flood.expectClosed("RATE_LIMITED");
        assertThat(f.room.record("page:1").join()).isNull();
        othersStillWork(f, good, watcher, 0);
    }

    @Test
    void recordsPerPush_overLimit_isInvalidRecord_andRolledBack() {
        RoomFixture f = withLimits(SyncLimits.builder().maxRecordsPerPush(2));
        RoomFixture.Conn bad = f.joined("bad");
        RoomFixture.Conn good = f.joined("good");
        RoomFixture.Conn watcher = f.joined("watcher");

        bad.push(0, "{" + page(1, "a") + "," + page(2, "b") + "," + page(3, "c") + "}");

        bad.expectClosed("INVALID_RECORD");
        assertThat(f.room.documentClock()).isZero();
        othersStillWork(f, good, watcher, 0);
    }

    @Test
    void recordSize_overLimit_isInvalidRecord_alsoWhenReachedByAppend() {
        RoomFixture f = withLimits(SyncLimits.builder().maxRecordChars(200));
        RoomFixture.Conn bad = f.joined("bad");
        RoomFixture.Conn good = f.joined("good");
        RoomFixture.Conn watcher = f.joined("watcher");
        bad.push(0, "{" + page(1, "x".repeat(100)) + "}");
        assertThat(bad.next()).containsEntry("type", "data");

        bad.push(1, "{\"page:1\":[\"patch\",{\"name\":[\"append\",\"" + "y".repeat(100) + "\",100]}]}");

        bad.expectClosed("INVALID_RECORD");
        assertThat(f.room.record("page:1").join().get("name")).isEqualTo("x".repeat(100));
        othersStillWork(f, good, watcher, 0);
    }

    @Test
    void documentSize_overLimit_isInvalidRecord_butShrinkingIsAllowed() {
        RoomFixture f = withLimits(SyncLimits.builder().maxDocumentChars(400));
        RoomFixture.Conn bad = f.joined("bad");
        RoomFixture.Conn good = f.joined("good");
        RoomFixture.Conn watcher = f.joined("watcher");
        bad.push(0, "{" + page(1, "x".repeat(150)) + "}");
        bad.push(1, "{" + page(2, "x".repeat(150)) + "}");
        assertThat(bad.socket.drain()).hasSize(2);

        bad.push(2, "{" + page(3, "x".repeat(150)) + "}");

        bad.expectClosed("INVALID_RECORD");
        assertThat(f.room.record("page:3").join()).isNull();
        good.push(0, "{\"page:1\":[\"remove\"]}");
        assertThat(good.next()).containsEntry("type", "data");
        assertThat(f.room.record("page:1").join()).isNull();
        good.discardRemaining(); // the broadcasts it received are not what this test examines
        watcher.discardRemaining(); // the broadcasts it received are not what this test examines
    }

    @Test
    void limits_badValues_areRejectedWithTheirName() {
        org.assertj.core.api.Assertions.assertThatThrownBy(
                        () -> SyncLimits.builder().maxSessionsPerRoom(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSessionsPerRoom must be > 0 but was 0");
    }
}
