package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SessionSocket;
import dev.tandem.sync.core.internal.protocol.ProtocolCodec;
import dev.tandem.sync.core.internal.protocol.ServerMessage;
import dev.tandem.sync.core.testing.ExhaustedSockets;
import dev.tandem.sync.core.testing.ManualScheduler;
import dev.tandem.sync.core.testing.RecordingSocket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
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
    private final Outbox outbox = new Outbox("r", INTERVAL, false, clock, new SerialLane(Runnable::run), sessions);

    private RoomSession connected(String id, SessionSocket socket) {
        Connection c = new Connection(room, socket, SessionOptions.of(id), options);
        RoomSession s = new RoomSession(id, c, false, Map.of());
        s.state = RoomSession.State.CONNECTED;
        sessions.add(s);
        return s;
    }

    /** A connected session that was sent patch 1 (at once) and patch 2 (batched). */
    private RoomSession batching(SessionSocket socket) {
        RoomSession s = connected("a", socket);
        outbox.deliver(patch(1));
        outbox.deliver(patch(2));
        return s;
    }

    /** A patch at clock {@code n} removing {@code page:n}, for every session (no author). */
    private static Outbox.Broadcast patch(int n) {
        NetworkDiff diff = new NetworkDiff(Map.of("page:" + n, RecordOp.Remove.INSTANCE));
        return new Outbox.Broadcast(diff, null, Map.of(), Map.of(), n);
    }

    /** The encoded form of {@link #patch(int)}. */
    private static String encodedPatch(int n) {
        return "{\"type\":\"patch\",\"diff\":{\"page:" + n + "\":[\"remove\"]},\"serverClock\":" + n + "}";
    }

    private static String data(String... messages) {
        return "{\"type\":\"data\",\"data\":[" + String.join(",", messages) + "]}";
    }

    @Test
    void patches_firstGoesOutAtOnce_laterOnesTogetherWhenTheWindowEnds() {
        RecordingSocket socket = new RecordingSocket();
        connected("a", socket);

        outbox.deliver(patch(1));
        assertThat(socket.take()).isEqualTo(data(encodedPatch(1)));
        outbox.deliver(patch(2));
        outbox.deliver(patch(3));
        socket.assertNoFrames();

        clock.advance(INTERVAL);
        assertThat(socket.take()).isEqualTo(data(encodedPatch(2), encodedPatch(3)));
        // that window sent something, so the next opened with it; one that sends nothing closes
        clock.advance(INTERVAL);
        outbox.deliver(patch(4));
        assertThat(socket.take()).isEqualTo(data(encodedPatch(4)));
    }

    @Test
    void pushResult_goesOutAtOnce_afterWhatIsBatched_andTheWindowStaysOpen() {
        RecordingSocket socket = new RecordingSocket();
        RoomSession s = batching(socket);
        assertThat(socket.take()).isEqualTo(data(encodedPatch(1)));

        outbox.deliver(new Outbox.Data(s, "result"));
        assertThat(socket.take()).isEqualTo(data(encodedPatch(2), "result"));

        // the window opened by patch 1 is still open: a patch after the result waits for its end
        outbox.deliver(patch(3));
        socket.assertNoFrames();
        clock.advance(INTERVAL);
        assertThat(socket.take()).isEqualTo(data(encodedPatch(3)));
    }

    @Test
    void aWindowAPushResultEmptied_staysOpenOnce_soTheSessionKeepsItsPhase() {
        RecordingSocket socket = new RecordingSocket();
        RoomSession s = batching(socket);
        assertThat(socket.take()).isEqualTo(data(encodedPatch(1)));
        outbox.deliver(new Outbox.Data(s, "result"));
        assertThat(socket.take()).isEqualTo(data(encodedPatch(2), "result"));

        clock.advance(INTERVAL); // nothing batched, but the result emptied it: the next window opens now
        socket.assertNoFrames();
        assertThat(s.batchWindowOpen).isTrue();
        outbox.deliver(patch(3));
        socket.assertNoFrames();
        clock.advance(INTERVAL);
        assertThat(socket.take()).isEqualTo(data(encodedPatch(3)));

        clock.advance(INTERVAL); // a window that sent nothing and had no result closes
        assertThat(s.batchWindowOpen).isFalse();
        outbox.deliver(patch(4));
        assertThat(socket.take()).isEqualTo(data(encodedPatch(4)));
    }

    @Test
    void pushResult_inAQuietInterval_goesOutAtOnce_andOpensAWindow() {
        RecordingSocket socket = new RecordingSocket();
        RoomSession s = connected("a", socket);

        outbox.deliver(new Outbox.Data(s, "result"));
        assertThat(socket.take()).isEqualTo(data("result"));
        assertThat(s.batchWindowOpen).isTrue();
        outbox.deliver(patch(1));
        socket.assertNoFrames();
        clock.advance(INTERVAL);
        assertThat(socket.take()).isEqualTo(data(encodedPatch(1)));
    }

    @Test
    void pushResult_waitsInTheWindow_whenResultsAreBatched() {
        Outbox batched = new Outbox("r", INTERVAL, true, clock, new SerialLane(Runnable::run), sessions);
        RecordingSocket socket = new RecordingSocket();
        RoomSession s = connected("a", socket);
        batched.deliver(patch(1));
        assertThat(socket.take()).isEqualTo(data(encodedPatch(1)));

        batched.deliver(new Outbox.Data(s, "result"));
        socket.assertNoFrames();
        clock.advance(INTERVAL);
        assertThat(socket.take()).isEqualTo(data("result"));
    }

    @Test
    void control_sendsWhatIsBatchedFirst() {
        RecordingSocket socket = new RecordingSocket();
        batching(socket);

        outbox.deliver(new Outbox.Control(sessions.get(0), "{\"type\":\"custom\"}"));

        assertThat(socket.drain())
                .containsExactly(data(encodedPatch(1)), data(encodedPatch(2)), "{\"type\":\"custom\"}");
    }

    /** A socket that takes messages in fragments, recording whole frames and fragments in order. */
    private static final class FragmentSocket implements SessionSocket {
        final List<String> whole = new ArrayList<>();
        final List<String> fragments = new ArrayList<>();
        final List<Boolean> lasts = new ArrayList<>();
        int fragmentCapacity = Integer.MAX_VALUE;

        @Override
        public boolean send(String text) {
            assertThat(lasts.isEmpty() || lasts.get(lasts.size() - 1))
                    .as("a whole frame never interrupts a fragmented message")
                    .isTrue();
            whole.add(text);
            return true;
        }

        @Override
        public boolean sendsFragments() {
            return true;
        }

        @Override
        public boolean sendFragment(String text, boolean last) {
            if (fragments.size() >= fragmentCapacity) {
                return false;
            }
            fragments.add(text);
            lasts.add(last);
            return true;
        }

        @Override
        public void close(int code, String reason) {}

        @Override
        public void close() {}

        @Override
        public boolean isOpen() {
            return true;
        }
    }

    /** A connect reply holding {@code n} records of about 500 characters each. */
    private static ServerMessage.Connect reply(int n) {
        Map<String, RecordOp> ops = new LinkedHashMap<>();
        for (int i = 0; i < n; i++) {
            String id = "shape:" + i;
            ops.put(id, new RecordOp.Put(Map.of("id", id, "typeName", "shape", "text", "é€😀x".repeat(100) + i)));
        }
        return new ServerMessage.Connect(
                "c1", ServerMessage.HydrationType.WIPE_ALL, 8, Map.of(), new NetworkDiff(ops), 42, false, null);
    }

    @Test
    void reply_shortEnough_goesWhole_afterWhatIsBatched() {
        FragmentSocket socket = new FragmentSocket();
        RoomSession s = batching(socket);
        ServerMessage.Connect reply = reply(3);

        outbox.deliver(new Outbox.Reply(s, reply));

        assertThat(socket.whole)
                .containsExactly(data(encodedPatch(1)), data(encodedPatch(2)), ProtocolCodec.encode(reply));
        assertThat(socket.fragments).isEmpty();
    }

    @Test
    void reply_large_goesInFragmentsCutBetweenRecords_thatJoinToTheWholeMessage() {
        FragmentSocket socket = new FragmentSocket();
        RoomSession s = batching(socket);
        ServerMessage.Connect reply = reply(300); // about 150,000 characters

        outbox.deliver(new Outbox.Reply(s, reply));

        assertThat(socket.whole).containsExactly(data(encodedPatch(1)), data(encodedPatch(2)));
        assertThat(socket.fragments).hasSizeGreaterThan(2);
        assertThat(String.join("", socket.fragments)).isEqualTo(ProtocolCodec.encode(reply));
        int n = socket.fragments.size();
        assertThat(socket.lasts.subList(0, n - 1)).containsOnly(false);
        assertThat(socket.lasts.get(n - 1)).isTrue();
        for (String fragment : socket.fragments.subList(0, n - 1)) {
            assertThat(fragment.length()).isGreaterThanOrEqualTo(Outbox.FRAGMENT_CHARS);
            assertThat(fragment).as("a fragment ends with a whole record op").endsWith("]");
            // never half a surrogate pair at either end: each fragment is encoded to UTF-8 on its own
            assertThat(Character.isHighSurrogate(fragment.charAt(fragment.length() - 1)))
                    .isFalse();
        }
        assertThat(s.sendFailed).isFalse();
    }

    @Test
    void reply_toASocketWithoutFragments_goesWhole() {
        RecordingSocket socket = new RecordingSocket();
        RoomSession s = connected("a", socket);
        ServerMessage.Connect reply = reply(300);

        outbox.deliver(new Outbox.Reply(s, reply));

        assertThat(socket.take()).isEqualTo(ProtocolCodec.encode(reply));
    }

    @Test
    void reply_refusedFragment_stopsTheReply_andMarksTheSessionFailed() {
        FragmentSocket socket = new FragmentSocket();
        socket.fragmentCapacity = 1;
        RoomSession s = connected("a", socket);

        outbox.deliver(new Outbox.Reply(s, reply(300)));

        assertThat(socket.fragments).hasSize(1);
        assertThat(socket.lasts).containsExactly(false);
        assertThat(s.sendFailed).isTrue();
        assertThat(outbox.takeFailures()).isTrue();
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
    void windowsEndingTogether_shareOneFrame_whenTheyHoldTheSameMessages() {
        RecordingSocket author = new RecordingSocket();
        RecordingSocket b = new RecordingSocket();
        RecordingSocket c = new RecordingSocket();
        RoomSession a = connected("a", author);
        connected("b", b);
        connected("c", c);
        outbox.deliver(patch(1)); // opens all three windows at once
        String first = b.take();
        assertThat(author.take()).isSameAs(first);
        assertThat(c.take()).isSameAs(first);

        outbox.deliver(patch(2));
        NetworkDiff diff = new NetworkDiff(Map.of("page:3", RecordOp.Remove.INSTANCE));
        outbox.deliver(new Outbox.Broadcast(diff, a, Map.of(), Map.of(), 3));
        clock.advance(INTERVAL);

        assertThat(author.take()).isEqualTo(data(encodedPatch(2)));
        String shared = b.take();
        assertThat(shared).isEqualTo(data(encodedPatch(2), encodedPatch(3)));
        assertThat(c.take()).isSameAs(shared);
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
        assertThat(socket.take()).isEqualTo(data(encodedPatch(1)));

        outbox.stop();
        clock.advance(INTERVAL.multipliedBy(4));

        socket.assertNoFrames();
        assertThat(s.outgoing).containsExactly(encodedPatch(2));
    }
}
