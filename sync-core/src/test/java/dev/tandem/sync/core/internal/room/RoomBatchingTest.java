package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.testing.ExhaustedSockets;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Outgoing batching of data messages (tldraw SPEC RB1–RB5, protocol notes §6.2). */
@ExtendWith(ExhaustedSockets.class)
class RoomBatchingTest {
    private static RoomFixture batched() {
        return new RoomFixture(RoomOptions.builder().schema(RoomFixture.schema()));
    }

    private static String put(int i) {
        return "{\"page:" + i + "\":[\"put\",{\"id\":\"page:" + i + "\",\"typeName\":\"page\"}]}";
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> data(String frame) {
        Map<String, Object> m = (Map<String, Object>) Json.parse(frame);
        assertThat(m).containsEntry("type", "data");
        return (List<Map<String, Object>>) m.get("data");
    }

    @Test
    void batching_RB1_firstMessageImmediately_laterOnesInOneFrameAfterWindow() {
        RoomFixture f = batched();
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");

        a.push(0, put(0));
        a.push(1, put(1));
        a.push(2, put(2));

        assertThat(data(b.socket.take())).hasSize(1);
        b.expectNothing();
        f.advance(Duration.ofMillis(17));
        List<Map<String, Object>> batch = data(b.socket.take());
        assertThat(batch).extracting(m -> m.get("serverClock")).containsExactly(2L, 3L);
        b.expectNothing();
        // that window sent something, so the next one opened with it: a message now waits for its end
        a.push(3, put(3));
        b.expectNothing();
        f.advance(Duration.ofMillis(17));
        assertThat(data(b.socket.take())).extracting(m -> m.get("serverClock")).containsExactly(4L);
        // a window that ends with nothing to send closes: the next message goes out at once again
        f.advance(Duration.ofMillis(17));
        b.expectNothing();
        a.push(4, put(4));
        assertThat(data(b.socket.take())).extracting(m -> m.get("serverClock")).containsExactly(5L);
        a.discardRemaining(); // the author's push results are not what this test examines
    }

    @Test
    void batching_steadyTraffic_atMostOneFramePerInterval_andNoMessageWaitsLongerThanOne() {
        RoomFixture f = batched();
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");
        int frames = 0;
        int received = 0;
        // a push every 4 ms for 400 ms: 100 messages, 16 ms windows
        for (int i = 0; i < 100; i++) {
            a.push(i, put(i));
            f.advance(Duration.ofMillis(4));
            for (String frame : b.socket.drain()) {
                frames++;
                received += data(frame).size();
            }
            // everything pushed more than one window (plus the timer's slack) ago has arrived
            assertThat(received).as("messages delivered after push %d", i).isGreaterThanOrEqualTo(i + 1 - 5);
        }
        f.advance(Duration.ofMillis(17));
        for (String frame : b.socket.drain()) {
            frames++;
            received += data(frame).size();
        }
        assertThat(received).isEqualTo(100);
        assertThat(frames).isBetween(25, 1 + 400 / 16 + 1);
        a.discardRemaining(); // the author's push results are not what this test examines
    }

    @Test
    void batching_RB2_pushResultFollowsEarlierPatchesInOrder() {
        RoomFixture f = batched();
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");
        a.push(0, put(0));
        b.push(0, put(1));
        f.advance(Duration.ofMillis(17));

        List<String> frames = b.socket.drain();
        List<Object> types = frames.stream()
                .flatMap(fr -> data(fr).stream())
                .map(m -> m.get("type"))
                .toList();
        assertThat(types).containsExactly("patch", "push_result");
        a.discardRemaining(); // the author's push results are not what this test examines
    }

    @Test
    void batching_RB3_pongDoesNotFlushBatchedData() {
        RoomFixture f = batched();
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");
        a.push(0, put(0));
        a.push(1, put(1));
        b.send("{\"type\":\"ping\"}");

        assertThat(data(b.socket.take())).hasSize(1);
        b.expect("{\"type\":\"pong\"}");
        f.advance(Duration.ofMillis(17));
        assertThat(data(b.socket.take())).hasSize(1);
        a.discardRemaining(); // the author's push results are not what this test examines
    }

    @Test
    void batching_RB4_customMessageFlushesBatchFirst() {
        RoomFixture f = batched();
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");
        a.push(0, put(0));
        a.push(1, put(1));
        assertThat(f.room.sendCustomMessage("b", Map.of("hello", 1)).join()).isTrue();

        assertThat(data(b.socket.take())).hasSize(1);
        assertThat(data(b.socket.take())).hasSize(1);
        b.expect("{\"type\":\"custom\",\"data\":{\"hello\":1}}");
        a.discardRemaining(); // the author's push results are not what this test examines
    }

    @Test
    void batching_off_sendsEveryMessageInItsOwnFrame() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");
        a.push(0, put(0));
        a.push(1, put(1));
        assertThat(b.socket.drain()).hasSize(2);
        a.discardRemaining(); // the author's push results are not what this test examines
    }

    @Test
    void broadcast_sameFrameInstanceGoesToEverySessionWithoutMigration() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");
        RoomFixture.Conn c = f.joined("c");
        a.push(0, put(0));
        assertThat(b.socket.take()).isSameAs(c.socket.take());
        a.discardRemaining(); // the author's push results are not what this test examines
    }
}
