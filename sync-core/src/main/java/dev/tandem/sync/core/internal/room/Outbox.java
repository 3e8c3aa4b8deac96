package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.Scheduler;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.protocol.ProtocolCodec;
import dev.tandem.sync.core.internal.protocol.ServerMessage;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Everything a room sends: messages to one session, patches to all sessions but their author, and the batch
 * windows that coalesce a session's data messages into one {@code data} frame per interval.
 *
 * <p>A session's first data message after a quiet interval goes out at once and opens a window; later ones wait
 * for the window's end and go out together, in order. A push result and a non-data message (connect, custom)
 * do not wait: each sends what is batched before it. One timer serves the whole room, like Caffeine's {@code Pacer}: windows open in time order,
 * so the timer is always armed for the oldest. A send the socket refuses marks the session failed; {@link
 * Sessions#dropFailed} drops it after the lane task. Confined to the room's lane.
 */
final class Outbox {
    private static final Logger LOG = LoggerFactory.getLogger(SyncRoom.class);
    private static final String DATA_PREFIX = "{\"type\":\"data\",\"data\":[";
    private static final String DATA_SUFFIX = "]}";
    /**
     * The characters of a fragment of a message sent while it is encoded (a WebSocket frame of about this size):
     * large enough that a fragment's costs are small beside its bytes, small enough that the first one goes out
     * within a fraction of a millisecond.
     */
    static final int FRAGMENT_CHARS = 32_000;

    /** A message produced on the lane, sent now or, in durable mode, once its clock is durable. */
    sealed interface Message permits Broadcast, Data, Control, Reply, Completion {}

    /** A patch at {@code clock} for every connected session but {@code author}. */
    record Broadcast(
            NetworkDiff diff,
            @Nullable RoomSession author,
            Map<String, FrozenMap> before,
            Map<String, FrozenMap> after,
            long clock)
            implements Message {}

    /** An encoded push result for one session: it goes out at once, after what is batched before it. */
    record Data(RoomSession session, String encoded) implements Message {}

    /** A whole frame that is not data (connect, custom) for one session; what is batched goes out before it. */
    record Control(RoomSession session, String text) implements Message {}

    /**
     * A connect reply for one session, encoded as it goes out: when large, and the socket takes fragments, in
     * fragments of about {@link #FRAGMENT_CHARS} sent while the rest is encoded. What is batched goes out before
     * it.
     */
    record Reply(RoomSession session, ServerMessage message) implements Message {}

    /** A caller's future, completed in order with the messages around it. */
    record Completion<T>(CompletableFuture<T> future, T value) implements Message {}

    /** A session's batch window, in the order windows opened. */
    private record Window(RoomSession session, long endsNanos) {}

    private final String roomId;
    private final Duration batchInterval;
    /** Whether push results wait in the batch window like patches. */
    private final boolean batchResults;

    private final Scheduler scheduler;
    private final SerialLane lane;
    /** The room's sessions, a live view. */
    private final Collection<RoomSession> sessions;
    /** Open batch windows in the order they opened (so by end time); stale entries are skipped. */
    private final ArrayDeque<Window> openWindows = new ArrayDeque<>();

    /**
     * The messages of the last frame {@link #flushDueWindows} built, and that frame: windows of a room end
     * together, and most sessions then hold the same messages (the same instances, all but their own patches),
     * so their frame is built once. Cleared after each pass.
     */
    private String @Nullable [] lastBatch;

    private @Nullable String lastFrame;

    private Scheduler.@Nullable Cancellable windowTimer;
    private boolean stopped;
    /** Sends that failed since the last {@link #takeFailures()}; zero makes dropping a no-op. */
    private int failedSends;

    Outbox(
            String roomId,
            Duration batchInterval,
            boolean batchResults,
            Scheduler scheduler,
            SerialLane lane,
            Collection<RoomSession> sessions) {
        this.roomId = roomId;
        this.batchInterval = batchInterval;
        this.batchResults = batchResults;
        this.scheduler = scheduler;
        this.lane = lane;
        this.sessions = sessions;
    }

    /** Sends a message; the room's persistence calls this as it releases what it held. */
    void deliver(Message message) {
        if (message instanceof Broadcast b) {
            broadcast(b);
        } else if (message instanceof Data d) {
            sendData(d.session(), d.encoded(), !batchResults);
        } else if (message instanceof Control c) {
            sendControl(c.session(), c.text());
        } else if (message instanceof Reply r) {
            sendReply(r.session(), r.message());
        } else {
            complete((Completion<?>) message);
        }
    }

    private static <T> void complete(Completion<T> c) {
        c.future().complete(c.value());
    }

    /**
     * Sends a patch to every connected session but its author. The patch is encoded once and the same frame goes
     * to every session that needs no migration.
     */
    private void broadcast(Broadcast b) {
        String encoded = null;
        String frame = null;
        for (RoomSession s : sessions) {
            if (s == b.author() || !s.isConnected()) {
                continue;
            }
            if (s.needsMigration()) {
                try {
                    NetworkDiff mine = Change.downDiff(s.migrations, b.diff().ops(), b.before(), b.after());
                    sendData(s, ProtocolCodec.encode(new ServerMessage.Patch(mine, b.clock())), false);
                } catch (SyncException e) {
                    failed(s); // dropped after this task, like any failed session
                    LOG.debug("room {}: down-migration failed for session {}", roomId, s.sessionId, e);
                }
                continue;
            }
            if (encoded == null) {
                encoded = ProtocolCodec.encode(new ServerMessage.Patch(b.diff(), b.clock()));
            }
            if (batchInterval.isZero() || !s.batchWindowOpen) {
                if (frame == null) {
                    frame = DATA_PREFIX + encoded + DATA_SUFFIX;
                }
                sendFirstOfWindow(s, frame);
            } else {
                s.outgoing.add(encoded);
            }
        }
    }

    /**
     * Sends one encoded data message: the first of a window at once, later ones batched. With {@code atOnce} (a
     * push result, unless {@code batchPushResults}) a batched one goes out at once too, in one frame with what is
     * batched before it, so the pusher's wait is the room's work, not its window; the window stays open, so what
     * follows is batched as before (one more frame per push for its author, none for the others).
     */
    private void sendData(RoomSession s, String encoded, boolean atOnce) {
        if (!s.isConnected()) {
            return;
        }
        if (batchInterval.isZero() || !s.batchWindowOpen) {
            sendFirstOfWindow(s, DATA_PREFIX + encoded + DATA_SUFFIX);
            return;
        }
        s.outgoing.add(encoded);
        if (atOnce) {
            flush(s);
            s.windowFlushedEarly = true;
        }
    }

    private void sendFirstOfWindow(RoomSession s, String frame) {
        sendFrame(s, frame);
        if (batchInterval.isZero() || s.sendFailed) {
            return;
        }
        openWindow(s, scheduler.nanoTime());
        if (windowTimer == null) {
            armWindowTimer(batchInterval.toNanos());
        }
    }

    /** Opens a session's next window without touching the timer (the caller arms it). */
    private void openWindow(RoomSession s, long now) {
        s.batchWindowOpen = true;
        s.windowEndsNanos = now + batchInterval.toNanos();
        openWindows.add(new Window(s, s.windowEndsNanos));
    }

    /**
     * One timer per room, not per session: a broadcast opens the windows of all its receivers at once, so they
     * end together and are flushed in one lane task.
     */
    private void armWindowTimer(long delayNanos) {
        windowTimer = scheduler.schedule(
                Duration.ofNanos(Math.max(0, delayNanos)),
                () -> lane.executeHere(() -> {
                    windowTimer = null;
                    if (!stopped) {
                        flushDueWindows();
                    }
                }));
    }

    /**
     * Ends every batch window that ends now (or within an eighth of the interval). A window that batched
     * something sends it as one frame and opens the next window at once, so a session under steady traffic gets
     * at most one frame per interval and each message waits at most one interval; a window that batched nothing
     * closes, and the session's next message goes out at once.
     */
    private void flushDueWindows() {
        long now = scheduler.nanoTime();
        long slack = batchInterval.toNanos() / 8;
        Window w;
        while ((w = openWindows.peek()) != null) {
            RoomSession s = w.session();
            if (!s.isConnected() || !s.batchWindowOpen || s.windowEndsNanos != w.endsNanos()) {
                openWindows.poll(); // the session left, or the window was reopened since
                continue;
            }
            if (w.endsNanos() > now + slack) {
                break;
            }
            openWindows.poll();
            s.batchWindowOpen = false;
            boolean flushedEarly = s.windowFlushedEarly;
            s.windowFlushedEarly = false;
            boolean sent = !s.outgoing.isEmpty();
            if (sent) {
                flushShared(s);
            }
            if ((!sent && !flushedEarly) || s.sendFailed || !s.isConnected()) {
                continue; // a window that sent nothing closes
            }
            // queued last and ending a whole interval from now, past the slack: the loop stops there. A window
            // a push result emptied stays open too, so the session keeps the room's phase under traffic
            openWindow(s, now);
        }
        lastBatch = null;
        lastFrame = null;
        if (w != null && windowTimer == null) {
            armWindowTimer(w.endsNanos() - now);
        }
    }

    /** Like {@link #flush}, reusing the frame built for the previous session when it holds the same messages. */
    private void flushShared(RoomSession s) {
        String[] last = lastBatch;
        String frame = lastFrame;
        ArrayList<String> batch = s.outgoing;
        boolean same = last != null && frame != null && last.length == batch.size();
        for (int i = 0; same && i < last.length; i++) {
            same = last[i] == batch.get(i); // the same encoded instance: broadcasts encode once for all
        }
        if (!same || frame == null) {
            frame = frame(batch);
            lastBatch = batch.toArray(new String[0]);
            lastFrame = frame;
        }
        batch.clear();
        sendFrame(s, frame);
    }

    /** Sends everything batched for a session as one data frame; its batch window stays as it is. */
    void flush(RoomSession s) {
        if (s.outgoing.isEmpty()) {
            return;
        }
        String frame = frame(s.outgoing);
        s.outgoing.clear();
        sendFrame(s, frame);
    }

    /** One data frame of encoded messages. */
    private static String frame(List<String> messages) {
        int length = DATA_PREFIX.length() + DATA_SUFFIX.length() + messages.size();
        for (String m : messages) {
            length += m.length();
        }
        StringBuilder b = new StringBuilder(length).append(DATA_PREFIX);
        for (int i = 0; i < messages.size(); i++) {
            if (i > 0) {
                b.append(',');
            }
            b.append(messages.get(i));
        }
        return b.append(DATA_SUFFIX).toString();
    }

    /** Sends a frame that is not data (connect, custom, a legacy rejection): batched data goes out before it. */
    void sendControl(RoomSession s, String text) {
        flush(s);
        sendFrame(s, text);
    }

    /**
     * Sends a message encoded as it goes: what is batched first, then the message whole, or, when it is longer
     * than {@link #FRAGMENT_CHARS} and the socket takes fragments, in fragments sent as they are written (a
     * fresh client's connect reply of a large room reaches it sooner, and is never held whole as one string).
     */
    void sendReply(RoomSession s, ServerMessage message) {
        flush(s);
        if (s.sendFailed) {
            return;
        }
        if (!s.socket.sendsFragments()) {
            sendFrame(s, ProtocolCodec.encode(message));
            return;
        }
        boolean[] started = new boolean[1];
        try {
            ProtocolCodec.encode(message, FRAGMENT_CHARS, (text, last) -> {
                if (last && !started[0]) {
                    sendFrame(s, text); // short enough to go whole
                    return;
                }
                started[0] = true;
                if (!sent(s, text, true, last)) {
                    throw StopEncoding.INSTANCE;
                }
            });
        } catch (StopEncoding e) {
            // the socket refused a fragment: the session is dropped after this task, the rest is not encoded
        }
    }

    /** Ends the encoding of a message whose fragment the socket refused. */
    private static final class StopEncoding extends RuntimeException {
        private static final long serialVersionUID = 1L;
        static final StopEncoding INSTANCE = new StopEncoding();

        private StopEncoding() {
            super("socket refused a fragment", null, false, false);
        }
    }

    /** Sends one frame as it is, overtaking what is batched (a pong, like tldraw's). */
    void sendFrame(RoomSession s, String text) {
        if (!s.sendFailed) {
            sent(s, text, false, true);
        }
    }

    /**
     * Hands a whole frame, or a fragment of one message, to the session's socket; a refusal (or a socket that
     * throws) marks the session failed. Returns whether the socket took it.
     */
    private boolean sent(RoomSession s, String text, boolean fragment, boolean last) {
        boolean sent;
        try {
            sent = fragment ? s.socket.sendFragment(text, last) : s.socket.send(text);
        } catch (RuntimeException e) {
            LOG.debug("room {}: send to session {} failed", roomId, s.sessionId, e);
            sent = false;
        }
        if (!sent) {
            failed(s);
        }
        return sent;
    }

    private void failed(RoomSession s) {
        s.sendFailed = true;
        failedSends++;
    }

    /** Returns whether a send failed since the last call, and forgets it. */
    boolean takeFailures() {
        boolean any = failedSends > 0;
        failedSends = 0;
        return any;
    }

    /** Keeps a failed session that could not be dropped yet for the next {@link #takeFailures()}. */
    void failureRemains() {
        failedSends++;
    }

    /** Stops the batch timer for good; what is batched is not sent. */
    void stop() {
        stopped = true;
        if (windowTimer != null) {
            windowTimer.cancel();
            windowTimer = null;
        }
        openWindows.clear();
    }
}
