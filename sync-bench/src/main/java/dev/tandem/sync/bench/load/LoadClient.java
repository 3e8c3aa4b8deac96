package dev.tandem.sync.bench.load;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.jspecify.annotations.Nullable;

/**
 * A light protocol client: sends {@code connect}, then pushes creates and updates of small {@code page} records
 * on demand and pings; reads frames only to time results and deliveries. It answers nothing.
 *
 * <p>Each change carries {@code meta.lg_t}, a stamp of the send time in microseconds since the run started
 * shifted left 12 bits, with the client's index in the low 12 bits, so receivers in the same process measure
 * fan-out latency on one clock. Thread-safe: the generator's ticker calls {@link #push}, Jetty calls the
 * listener methods serially.
 */
public final class LoadClient implements Session.Listener.AutoDemanding {
    private static final String STAMP_KEY = "\"lg_t\":";
    private static final String PUSH_RESULT = "\"type\":\"push_result\"";
    private static final String PATCH = "\"type\":\"patch\"";
    private static final String CLIENT_CLOCK = "\"clientClock\":";
    private static final String ACTION = "\"action\":";

    final int index;
    final int room;
    private final String idPrefix;
    private final String connectMessage;
    private final LoadMetrics metrics;
    private final long[] sentNanos;
    private final AtomicInteger inFlight = new AtomicInteger();
    final CompletableFuture<Void> connected = new CompletableFuture<>();
    private volatile @Nullable Session session;
    private volatile long connectStartNanos;
    private int changes;
    /** Peers in the room when this client pushes (set once every client connected). */
    volatile int roomPeers;

    private final LoadConfig.Workload workload;
    /** In the tldraw workload: whether this user drags shapes besides moving its cursor. */
    private final boolean drawer;

    private double cursorX;
    private double cursorY;

    LoadClient(int index, int room, String idPrefix, String connectMessage, LoadMetrics metrics, int maxChanges) {
        this(index, room, idPrefix, connectMessage, metrics, maxChanges, LoadConfig.Workload.SYNTHETIC, false);
    }

    LoadClient(
            int index,
            int room,
            String idPrefix,
            String connectMessage,
            LoadMetrics metrics,
            int maxChanges,
            LoadConfig.Workload workload,
            boolean drawer) {
        this.workload = workload;
        this.drawer = drawer;
        this.cursorX = 100 + (index % 37) * 13.5;
        this.cursorY = 80 + (index % 23) * 9.25;
        this.index = index;
        this.room = room;
        this.idPrefix = idPrefix;
        this.connectMessage = connectMessage;
        this.metrics = metrics;
        this.sentNanos = new long[maxChanges];
    }

    void connecting() {
        connectStartNanos = System.nanoTime();
    }

    @Override
    public void onWebSocketOpen(Session s) {
        this.session = s;
        s.sendText(connectMessage, Callback.NOOP);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason, Callback callback) {
        session = null;
        if (!connected.isDone()) {
            connected.completeExceptionally(new IllegalStateException("closed " + statusCode + " " + reason));
        } else if (!metrics.stopping) {
            metrics.closedEarly.increment();
        }
        callback.succeed();
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        session = null;
        connected.completeExceptionally(cause);
    }

    /** Returns false when this client made all its changes or has too many pushes in flight. */
    boolean canPush(int maxInFlight) {
        return session != null && changes < sentNanos.length && inFlight.get() < maxInFlight;
    }

    /** Pushes the next change: even changes create a record, odd ones update the record just created. */
    void push() {
        Session s = session;
        if (s == null) {
            return;
        }
        int clock = changes++;
        long now = System.nanoTime();
        long stamp = ((now - metrics.startNanos) / 1000) << 12 | index;
        String id = idPrefix + (clock >> 1);
        String text;
        if (workload == LoadConfig.Workload.TLDRAW) {
            text = tldrawPush(clock, stamp);
        } else if ((clock & 1) == 0) {
            text = "{\"type\":\"push\",\"clientClock\":" + clock + ",\"diff\":{\"" + id + "\":[\"put\",{\"id\":\"" + id
                    + "\",\"typeName\":\"page\",\"name\":\"lg\",\"index\":\"a1\",\"meta\":{\"lg_t\":" + stamp
                    + "}}]}}";
        } else {
            text = "{\"type\":\"push\",\"clientClock\":" + clock + ",\"diff\":{\"" + id
                    + "\":[\"patch\",{\"meta\":[\"patch\",{\"lg_t\":[\"put\"," + stamp + "]}]}]}}";
        }
        sentNanos[clock] = now;
        inFlight.incrementAndGet();
        boolean measured = metrics.inWindow(now);
        if (measured) {
            metrics.sentInWindow.increment();
            if (roomPeers > 0) {
                metrics.trackFanout(stamp, roomPeers);
            }
        }
        metrics.sent.increment();
        s.sendText(text, Callback.NOOP);
    }

    /**
     * A push of a tldraw user: the first puts its presence record (and, for a drawer, a geo shape); later ones
     * move the cursor and, for a drawer, drag the shape, creating a new one every {@code DRAG_PUSHES}. The
     * stamp goes in one record only (the shape for drawers), so each receiver counts one delivery.
     */
    private String tldrawPush(int clock, long stamp) {
        cursorX += 3.25 + (clock % 7);
        cursorY += (clock % 11) - 5 + 0.5;
        StringBuilder b = new StringBuilder(drawer ? 1200 : 400);
        b.append("{\"type\":\"push\",\"clientClock\":").append(clock);
        if (drawer) {
            // tldraw's client leaves diff out of a presence-only push (an empty diff is answered with discard)
            b.append(",\"diff\":{");
            String shape = idPrefix.replace("page:", "shape:") + (clock / LoadConfig.Workload.DRAG_PUSHES);
            b.append('"').append(shape).append("\":");
            if (clock % LoadConfig.Workload.DRAG_PUSHES == 0) {
                b.append("[\"put\",{\"x\":")
                        .append(cursorX)
                        .append(",\"y\":")
                        .append(cursorY)
                        .append(",\"rotation\":0,\"isLocked\":false,\"opacity\":1,\"meta\":{\"lg_t\":")
                        .append(stamp)
                        .append("},\"id\":\"")
                        .append(shape)
                        .append("\",\"type\":\"geo\",\"props\":{\"w\":160.5,\"h\":90.25,\"geo\":\"rectangle\","
                                + "\"dash\":\"draw\",\"growY\":0,\"url\":\"\",\"scale\":1,\"color\":\"black\","
                                + "\"labelColor\":\"black\",\"fill\":\"semi\",\"size\":\"m\",\"font\":\"draw\","
                                + "\"align\":\"middle\",\"verticalAlign\":\"middle\",\"richText\":{\"type\":\"doc\","
                                + "\"content\":[{\"type\":\"paragraph\"}]},\"flipX\":false,\"flipY\":false},"
                                + "\"parentId\":\"page:page\",\"index\":\"a1\",\"typeName\":\"shape\"}]");
            } else {
                b.append("[\"patch\",{\"x\":[\"put\",")
                        .append(cursorX - 20)
                        .append("],\"y\":[\"put\",")
                        .append(cursorY - 10)
                        .append("],\"meta\":[\"put\",{\"lg_t\":")
                        .append(stamp)
                        .append("}]}]");
            }
        }
        if (drawer) {
            b.append('}');
        }
        b.append(",\"presence\":");
        if (clock == 0) {
            b.append("[\"put\",{\"id\":\"instance_presence:lg\",\"typeName\":\"instance_presence\","
                            + "\"userId\":\"user:lg")
                    .append(index)
                    .append("\",\"userName\":\"lg")
                    .append(index)
                    .append("\",\"lastActivityTimestamp\":1732300000000,\"color\":\"#FF802B\","
                            + "\"camera\":{\"x\":-120.5,\"y\":-48.25,\"z\":1},\"selectedShapeIds\":[],"
                            + "\"currentPageId\":\"page:page\",\"brush\":null,\"scribbles\":[],"
                            + "\"screenBounds\":{\"x\":0,\"y\":0,\"w\":1512,\"h\":823},\"followingUserId\":null,"
                            + "\"cursor\":{\"x\":")
                    .append(cursorX)
                    .append(",\"y\":")
                    .append(cursorY)
                    .append(",\"type\":\"default\",\"rotation\":0},\"chatMessage\":\"\",\"meta\":{")
                    .append(drawer ? "" : "\"lg_t\":" + stamp)
                    .append("}}]}");
        } else {
            b.append("[\"patch\",{\"lastActivityTimestamp\":[\"put\",")
                    .append(1_732_300_000_000L + clock)
                    .append("],\"cursor\":[\"put\",{\"x\":")
                    .append(cursorX)
                    .append(",\"y\":")
                    .append(cursorY)
                    .append(",\"type\":\"default\",\"rotation\":0}]");
            if (!drawer) {
                b.append(",\"meta\":[\"put\",{\"lg_t\":").append(stamp).append("}]");
            }
            b.append("}]}");
        }
        return b.toString();
    }

    void ping() {
        Session s = session;
        if (s != null) {
            s.sendText("{\"type\":\"ping\"}", Callback.NOOP);
        }
    }

    void close() {
        Session s = session;
        if (s != null) {
            s.close();
        }
    }

    @Override
    public void onWebSocketText(String text) {
        long now = System.nanoTime();
        metrics.frameReceived(now);
        if (!connected.isDone()) {
            if (text.startsWith("{\"type\":\"connect\"")) {
                metrics.connectMicros.recordValue(Math.max(0, (now - connectStartNanos) / 1000));
                connected.complete(null);
            }
            return;
        }
        if (!text.startsWith("{\"type\":\"data\"")) {
            return;
        }
        // messages in a data frame, in order; a stamp counts as a delivery only inside a patch
        int i = 0;
        boolean inPatch = false;
        int nextResult = text.indexOf(PUSH_RESULT);
        int nextPatch = text.indexOf(PATCH);
        int nextStamp = text.indexOf(STAMP_KEY);
        while (true) {
            int next = min(nextResult, nextPatch, nextStamp);
            if (next < 0) {
                return;
            }
            if (next == nextResult) {
                inPatch = false;
                i = onPushResult(text, next + PUSH_RESULT.length(), now);
            } else if (next == nextPatch) {
                inPatch = true;
                i = next + PATCH.length();
            } else {
                i = next + STAMP_KEY.length();
                if (inPatch) {
                    onDelivery(parseStamp(text, i), now);
                }
            }
            if (nextResult >= 0 && nextResult < i) {
                nextResult = text.indexOf(PUSH_RESULT, i);
            }
            if (nextPatch >= 0 && nextPatch < i) {
                nextPatch = text.indexOf(PATCH, i);
            }
            if (nextStamp >= 0 && nextStamp < i) {
                nextStamp = text.indexOf(STAMP_KEY, i);
            }
        }
    }

    private int onPushResult(String text, int from, long now) {
        int c = text.indexOf(CLIENT_CLOCK, from);
        int a = text.indexOf(ACTION, from);
        if (c < 0 || a < 0) {
            return text.length();
        }
        int clock = (int) parseLong(text, c + CLIENT_CLOCK.length());
        // "commit", "discard", or {"rebaseWithDiff":…}
        char action = text.charAt(a + ACTION.length()) == '{' ? 'r' : text.charAt(a + ACTION.length() + 1);
        inFlight.decrementAndGet();
        if (clock >= 0 && clock < sentNanos.length) {
            long sent = sentNanos[clock];
            if (metrics.inWindow(sent)) {
                if (action == 'c' || action == 'r') { // commit, rebaseWithDiff
                    metrics.committedInWindow.increment();
                    metrics.commitMicros.recordValue(Math.max(0, (now - sent) / 1000));
                } else {
                    metrics.discarded.increment();
                }
            }
        }
        return a + ACTION.length();
    }

    private void onDelivery(long stamp, long now) {
        if (stamp < 0) {
            return;
        }
        long sentNanos = metrics.startNanos + (stamp >>> 12) * 1000;
        metrics.delivered(stamp, sentNanos, now);
    }

    /** Parses the number after {@code "lg_t":}, either bare or as {@code ["put",n]}. */
    private static long parseStamp(String text, int from) {
        int i = from;
        int end = Math.min(text.length(), from + 16);
        while (i < end && !Character.isDigit(text.charAt(i))) {
            i++;
        }
        return i < end ? parseLong(text, i) : -1;
    }

    private static long parseLong(String text, int from) {
        long v = 0;
        boolean neg = false;
        int i = from;
        if (i < text.length() && text.charAt(i) == '-') {
            neg = true;
            i++;
        }
        while (i < text.length()) {
            char ch = text.charAt(i);
            if (ch < '0' || ch > '9') {
                break;
            }
            v = v * 10 + (ch - '0');
            i++;
        }
        return neg ? -v : v;
    }

    private static int min(int a, int b, int c) {
        return minNonNegative(minNonNegative(a, b), c);
    }

    private static int minNonNegative(int a, int b) {
        if (a < 0) {
            return b;
        }
        return b < 0 ? a : Math.min(a, b);
    }
}
