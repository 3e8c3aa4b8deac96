package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.testing.ExhaustedSockets;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Session states and timers (tldraw SPEC SES1–SES7, protocol notes §8). */
@ExtendWith(ExhaustedSockets.class)
class RoomSessionLifecycleTest {
    private static final String PRESENCE = "[\"put\",{\"id\":\"i\",\"typeName\":\"instance_presence\",\"c\":1}]";
    private static final String REMOVE_P1 =
            "{\"type\":\"data\",\"data\":[{\"type\":\"patch\",\"diff\":{\"instance_presence:p1\":[\"remove\"]},\"serverClock\":0}]}";

    @Test
    void session_SES1_noConnectWithinTimeout_isRemoved() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.open("a");
        f.advance(Duration.ofMillis(9_999));
        assertThat(a.socket.isOpen()).isTrue();
        f.advance(Duration.ofMillis(1));
        a.expectNormalClose();
        assertThat(f.room.sessionCount()).isZero();
    }

    @Test
    void session_SES2_idleWithoutPing_isCancelledThenRemovedAfterGrace() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.pushPresence(0, PRESENCE);
        a.next();
        RoomFixture.Conn b = f.joined("b");

        for (int i = 0; i < 4; i++) {
            f.advance(Duration.ofSeconds(5));
            b.send("{\"type\":\"ping\"}");
            b.expect("{\"type\":\"pong\"}");
        }
        // a stopped at t=0: cancelled at 20 s (plain close, presence kept), removed 5 s later
        a.expectNormalClose();
        assertThat(f.room.sessionCount()).isEqualTo(2);
        b.expectNothing();
        f.advance(Duration.ofSeconds(5));
        b.expect(REMOVE_P1);
        assertThat(f.room.sessionCount()).isEqualTo(1);
        assertThat(b.socket.isOpen()).isTrue();
    }

    @Test
    void session_SES3_socketClosed_keepsPresenceForGraceThenBroadcastsRemoval() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.pushPresence(0, PRESENCE);
        a.next();
        RoomFixture.Conn b = f.joined("b");

        a.handler.onClose();
        f.advance(Duration.ofMillis(4_999));
        b.expectNothing();
        f.advance(Duration.ofMillis(1));
        b.expect(REMOVE_P1);
    }

    @Test
    void session_SES6_resumeWithinGrace_keepsPresenceIdAndPeersSeeNoChurn() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.pushPresence(0, PRESENCE);
        a.next();
        RoomFixture.Conn b = f.joined("b");

        a.handler.onClose();
        f.advance(Duration.ofSeconds(3));
        RoomFixture.Conn a2 = f.open("a");
        a2.join(0);
        a2.pushPresence(1, "[\"put\",{\"id\":\"i\",\"typeName\":\"instance_presence\",\"c\":2}]");
        a2.next();

        // the same presence id is patched; it is never removed, not even after the old grace period ends
        b.expect("{\"type\":\"data\",\"data\":[{\"type\":\"patch\",\"diff\":{\"instance_presence:p1\":"
                + "[\"patch\",{\"c\":[\"put\",2]}]},\"serverClock\":0}]}");
        f.advance(Duration.ofSeconds(10));
        a2.send("{\"type\":\"ping\"}");
        a2.next();
        b.send("{\"type\":\"ping\"}");
        b.next();
        assertThat(f.room.sessionCount()).isEqualTo(2);
    }

    @Test
    void session_sessionIdOfAnotherPrincipal_isRefusedAndNeverTakesOver() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn dave = f.open("s1", new Principal("dave", Map.of()));
        dave.join(-1);
        dave.pushPresence(0, PRESENCE);
        dave.next();

        RoomFixture.Conn mallory = f.open("s1", new Principal("mallory", Map.of()));
        dave.handler.onClose(); // even while dave's session waits out its grace period
        RoomFixture.Conn mallory2 = f.open("s1", new Principal("mallory", Map.of()));

        mallory.expectClosed("FORBIDDEN");
        mallory2.expectClosed("FORBIDDEN");
        RoomFixture.Conn dave2 = f.open("s1", new Principal("dave", Map.of()));
        dave2.join(0);
        assertThat(dave2.socket.isOpen()).isTrue();
        assertThat(f.room.sessionCount()).isEqualTo(1);
    }

    @Test
    void session_lateCloseFromReplacedSocket_doesNotKillNewSession() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.pushPresence(0, PRESENCE);
        a.next();
        RoomFixture.Conn b = f.joined("b");

        RoomFixture.Conn a2 = f.open("a"); // reconnect while the old socket still looked open
        a2.join(0);
        a.handler.onClose(); // the old socket's close event arrives late
        a.handler.onText("{\"type\":\"ping\"}");

        f.advance(Duration.ofSeconds(6));
        assertThat(a2.socket.isOpen()).isTrue();
        a2.send("{\"type\":\"ping\"}");
        a2.expect("{\"type\":\"pong\"}");
        assertThat(f.room.sessionCount()).isEqualTo(2);
    }

    @Test
    void session_SES4_rejectionIsImmediateAndRemovesPresence() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.pushPresence(0, PRESENCE);
        a.next();
        RoomFixture.Conn b = f.joined("b");

        a.push(1, "{\"x:1\":[\"put\",{\"id\":\"x:1\",\"typeName\":\"nope\"}]}");

        a.expectClosed("INVALID_RECORD");
        b.expect(REMOVE_P1);
        assertThat(f.room.sessionCount()).isEqualTo(1);
    }

    @Test
    void session_hostCloseSession_withReasonSends4099() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        f.room.closeSession("a", dev.tandem.sync.core.CloseReason.FORBIDDEN).join();
        a.expectClosed("FORBIDDEN");
    }

    @Test
    void session_slowConsumer_isDroppedAndOthersUnaffected() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn slow = f.joined("slow");
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");
        slow.socket.capacity(2);

        for (int i = 0; i < 3; i++) {
            a.push(i, "{\"page:" + i + "\":[\"put\",{\"id\":\"page:" + i + "\",\"typeName\":\"page\"}]}");
        }

        assertThat(slow.socket.isOpen()).isFalse();
        assertThat(f.room.sessionCount()).isEqualTo(2);
        assertThat(a.socket.drain()).hasSize(3);
        assertThat(b.socket.drain()).hasSize(3);
        assertThat(f.room.documentClock()).isEqualTo(3);
        slow.discardRemaining(); // the frames its full queue held went nowhere: that is the point
    }

    @Test
    void session_idleTimeoutZero_neverTimesOut() {
        RoomFixture f = new RoomFixture(RoomOptions.builder()
                .schema(RoomFixture.schema())
                .idleTimeout(Duration.ZERO)
                .batchInterval(Duration.ZERO));
        RoomFixture.Conn a = f.joined("a");
        f.advance(Duration.ofHours(1));
        assertThat(a.socket.isOpen()).isTrue();
    }

    @Test
    void room_close_closesEverySessionNormally() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.open("b");
        f.room.close();
        a.expectNormalClose();
        b.expectNormalClose();
        RoomFixture.Conn late = f.open("c");
        late.expectNormalClose();
        assertThat(f.room.sessionCount()).isZero();
    }
}
