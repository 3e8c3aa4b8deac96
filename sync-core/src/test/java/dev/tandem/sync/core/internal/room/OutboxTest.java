package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.testing.ExhaustedSockets;
import dev.tandem.sync.core.testing.ManualScheduler;
import dev.tandem.sync.core.testing.RecordingSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The outbox alone: batch windows on a manual clock, control frames, broadcasts and refused sends. */
@ExtendWith(ExhaustedSockets.class)
class OutboxTest {
    private static final Duration INTERVAL = Duration.ofMillis(16);

    private final ManualScheduler clock = new ManualScheduler();
    private final RoomOptions options =
            RoomOptions.builder().scheduler(clock).executor(Runnable::run).build();
    private final SyncRoom room = new SyncRoom("r", options);
    private final List<RoomSession> sessions = new ArrayList<>();
    private final Outbox outbox = new Outbox("r", INTERVAL, clock, new SerialLane(Runnable::run), sessions);

    private RoomSession connected(String id, RecordingSocket socket) {
        Connection c = new Connection(room, socket, SessionOptions.of(id), options);
        RoomSession s = new RoomSession(id, c, false, Map.of());
        s.state = RoomSession.State.CONNECTED;
        sessions.add(s);
        return s;
    }

    /** A connected session that was sent data "1" (at once) and "2" (batched). */
    private RoomSession batching(RecordingSocket socket) {
        RoomSession s = connected("a", socket);
        outbox.deliver(new Outbox.Data(s, "1"));
        outbox.deliver(new Outbox.Data(s, "2"));
        return s;
    }

    private static String data(String... messages) {
        return "{\"type\":\"data\",\"data\":[" + String.join(",", messages) + "]}";
    }

    @Test
    void data_firstGoesOutAtOnce_laterOnesTogetherWhenTheWindowEnds() {
        RecordingSocket socket = new RecordingSocket();
        RoomSession s = connected("a", socket);

        outbox.deliver(new Outbox.Data(s, "1"));
        assertThat(socket.take()).isEqualTo(data("1"));
        outbox.deliver(new Outbox.Data(s, "2"));
        outbox.deliver(new Outbox.Data(s, "3"));
        socket.assertNoFrames();

        clock.advance(INTERVAL);
        assertThat(socket.take()).isEqualTo(data("2", "3"));
        // that window sent something, so the next opened with it; one that sends nothing closes
        clock.advance(INTERVAL);
        outbox.deliver(new Outbox.Data(s, "4"));
        assertThat(socket.take()).isEqualTo(data("4"));
    }

    @Test
    void control_sendsWhatIsBatchedFirst() {
        RecordingSocket socket = new RecordingSocket();
        RoomSession s = batching(socket);

        outbox.deliver(new Outbox.Control(s, "{\"type\":\"custom\"}"));

        assertThat(socket.drain()).containsExactly(data("1"), data("2"), "{\"type\":\"custom\"}");
    }

    @Test
    void broadcast_reachesEveryConnectedSessionButItsAuthor_asOneFrameInstance() {
        RecordingSocket author = new RecordingSocket();
        RecordingSocket b = new RecordingSocket();
        RecordingSocket c = new RecordingSocket();
        RoomSession a = connected("a", author);
        connected("b", b);
        connected("c", c);
        NetworkDiff diff = new NetworkDiff(Map.of("page:1", RecordOp.Remove.INSTANCE));

        outbox.deliver(new Outbox.Broadcast(diff, a, Map.of(), Map.of(), 7));

        author.assertNoFrames();
        String frame = b.take();
        assertThat(frame).isEqualTo(data("{\"type\":\"patch\",\"diff\":{\"page:1\":[\"remove\"]},\"serverClock\":7}"));
        assertThat(c.take()).isSameAs(frame);
    }

    @Test
    void refusedSend_marksTheSessionFailed_andIsReportedOnce() {
        RecordingSocket socket = new RecordingSocket();
        socket.capacity(0);
        RoomSession s = connected("a", socket);

        outbox.deliver(new Outbox.Data(s, "1"));

        assertThat(s.sendFailed).isTrue();
        assertThat(outbox.takeFailures()).isTrue();
        assertThat(outbox.takeFailures()).isFalse();
        assertThat(s.batchWindowOpen).as("no window opens for a failed session").isFalse();
    }

    @Test
    void completion_completesItsFuture() {
        CompletableFuture<String> done = new CompletableFuture<>();

        outbox.deliver(new Outbox.Completion<>(done, "results"));

        assertThat(done).isCompletedWithValue("results");
    }

    @Test
    void stop_cancelsTheWindowTimer_andDropsWhatIsBatched() {
        RecordingSocket socket = new RecordingSocket();
        RoomSession s = batching(socket);
        assertThat(socket.take()).isEqualTo(data("1"));

        outbox.stop();
        clock.advance(INTERVAL.multipliedBy(4));

        socket.assertNoFrames();
        assertThat(s.outgoing).containsExactly("2");
    }
}
