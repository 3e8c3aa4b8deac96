package dev.tandem.sync.server.internal.ws;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SessionSocket;
import dev.tandem.sync.core.SocketHandler;
import dev.tandem.sync.server.ConnectionSettings;
import dev.tandem.sync.server.NodeBudget;
import dev.tandem.sync.server.internal.budget.ConnectionGate;
import dev.tandem.sync.server.internal.budget.NodeBudgets;
import dev.tandem.sync.server.internal.limits.PrincipalRateLimit;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.nio.ByteBuffer;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.websocket.api.Callback;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One client connection: a Jetty WebSocket endpoint that feeds a room's {@link SocketHandler}, and the
 * {@link SessionSocket} the room sends through.
 *
 * <p>Thread-safe. Jetty delivers the listener callbacks serially, and reads the next frame only when this
 * connection demands it: at once while the client's address is within its inbound rate ({@link
 * NodeBudget#inboundBytesPerSecond()}), later past it, so a client sending faster than its rate is slowed by TCP
 * back-pressure instead of taking the node's CPU from others; the room calls {@link #send}/{@link #close} from its lane. Outgoing frames go straight to
 * Jetty's frame queue; their length in characters is counted until Jetty has written them (not their UTF-8
 * size: a frame shared by many sessions would be scanned once per session), and a frame that would push
 * the count over {@link ConnectionSettings#maxQueuedChars()} is refused and the connection closed (a slow
 * consumer never grows server memory). A large connect reply comes as fragments of one message, sent while the
 * room encodes the rest ({@link #sendFragment}).
 *
 * <p>Every connection also draws on its node's {@link NodeBudgets}: it counts against the open connections (in
 * total and per client address), its outgoing frames against the node's queued bytes, and what an unfinished
 * message holds against the node's chunk bytes: the chunks of a chunked message (2 bytes per character, until
 * its last chunk arrives) and the fragments of a WebSocket message still arriving. Past any of them the
 * connection is closed with 1013 and {@code too many connections} or {@code server busy}.
 *
 * <p>Jetty hands frames over in fragments of at most {@link #FRAGMENT_BYTES} (auto-fragment), so what it buffers
 * per connection is bounded by that, not by the message limit; a message's fragments are kept here, counted,
 * and joined once when its last one arrives.
 */
public final class WebSocketConnection implements Session.Listener, SessionSocket {
    private static final Logger LOG = LoggerFactory.getLogger(WebSocketConnection.class);
    /** RFC 6455 limits the close reason to 123 UTF-8 bytes. */
    private static final int MAX_CLOSE_REASON_BYTES = 123;
    /** The largest piece of an incoming message Jetty buffers before handing it over. */
    static final int FRAGMENT_BYTES = 64 * 1024;

    private final String roomId;
    private final @Nullable Room room;
    private final Connector connector;
    private final SessionOptions options;
    private final ConnectionSettings settings;
    private final Set<WebSocketConnection> registry;
    private final AtomicLong queuedBytes = new AtomicLong();
    private final AtomicBoolean closing = new AtomicBoolean();
    private final AtomicBoolean ended = new AtomicBoolean();
    private final CompletableFuture<Void> endedFuture = new CompletableFuture<>();
    private volatile @Nullable Session session;
    private volatile @Nullable SocketHandler handler;
    private final @Nullable PrincipalRateLimit principalRates;
    private volatile boolean rateLimited;
    private final Runnable onRateLimited;
    private final NodeBudgets budgets;
    private final AtomicLong chunkBytes = new AtomicLong();
    /** The fragments of the message being received. */
    private final MessageFragments fragments;

    private volatile @Nullable String address;
    /** Whether a fragmented message is being sent (its first fragment queued, not its last); room lane only. */
    private boolean inMessage;
    /** Whether the message being queued started with nothing queued before it; room lane only. */
    private boolean messageFromEmpty;

    /** Joins a connection to its room: returns the handler the connection feeds. */
    @FunctionalInterface
    public interface Connector {
        SocketHandler connect(SessionSocket socket, SessionOptions options);
    }

    /**
     * @param principalRates the rate limit of the session's principal over all its sessions, or null for none
     * @param onRateLimited called once if the session is closed with {@code RATE_LIMITED}, by its room or by
     *     its principal's rate
     */
    public WebSocketConnection(
            Room room,
            SessionOptions options,
            ConnectionSettings settings,
            Set<WebSocketConnection> registry,
            @Nullable PrincipalRateLimit principalRates,
            Runnable onRateLimited,
            NodeBudgets budgets) {
        this(room.id(), room, room::connect, options, settings, registry, principalRates, onRateLimited, budgets);
    }

    /**
     * A connection joined through a connector (a multi-node cluster, where the room may run on another node).
     *
     * @param principalRates the rate limit of the session's principal over all its sessions, or null for none
     * @param onRateLimited called once if the session is closed with {@code RATE_LIMITED}
     */
    public WebSocketConnection(
            String roomId,
            Connector connector,
            SessionOptions options,
            ConnectionSettings settings,
            Set<WebSocketConnection> registry,
            @Nullable PrincipalRateLimit principalRates,
            Runnable onRateLimited,
            NodeBudgets budgets) {
        this(roomId, null, connector, options, settings, registry, principalRates, onRateLimited, budgets);
    }

    private WebSocketConnection(
            String roomId,
            @Nullable Room room,
            Connector connector,
            SessionOptions options,
            ConnectionSettings settings,
            Set<WebSocketConnection> registry,
            @Nullable PrincipalRateLimit principalRates,
            Runnable onRateLimited,
            NodeBudgets budgets) {
        this.roomId = roomId;
        this.room = room;
        this.connector = connector;
        this.options = options;
        this.settings = settings;
        this.registry = registry;
        this.principalRates = principalRates;
        this.onRateLimited = onRateLimited;
        this.budgets = budgets;
        this.fragments = new MessageFragments(settings.maxMessageBytes(), budgets.chunks());
    }

    // ---- Jetty events -------------------------------------------------------------------------------

    @Override
    public void onWebSocketOpen(Session session) {
        // Limits are per session so a container shared with other handlers keeps its own settings; no frame is
        // read before this method returns.
        session.setIdleTimeout(settings.idleTimeout());
        session.setMaxTextMessageSize(settings.maxMessageBytes());
        session.setMaxBinaryMessageSize(settings.maxMessageBytes());
        session.setMaxFrameSize(FRAGMENT_BYTES);
        session.setAutoFragment(true);
        this.session = session;
        String from = address(session.getRemoteSocketAddress());
        ConnectionGate.Refusal refused = budgets.connections().tryOpen(from);
        if (refused != null) {
            LOG.info(
                    "refused session {} on room {}: {}",
                    options.sessionId(),
                    roomId,
                    refused == ConnectionGate.Refusal.TOTAL
                            ? "the node holds its limit of connections"
                            : "its address holds its limit of connections");
            closeSession(session, StatusCode.TRY_AGAIN_LATER, TOO_MANY_CONNECTIONS);
            demand(session); // the client's close reply
            return;
        }
        this.address = from;
        registry.add(this);
        LOG.debug("session {} opened on room {}", options.sessionId(), roomId);
        try {
            handler = connector.connect(this, options);
        } catch (RuntimeException e) {
            LOG.warn("room {} refused session {}", roomId, options.sessionId(), e);
            close(CloseReason.CLOSE_CODE, CloseReason.UNKNOWN_ERROR.wireName());
        }
        demand(session);
    }

    /** Reads the next frame after one of {@code bytes}, at once or, past the address's inbound rate, later. */
    private void demandAfter(long bytes) {
        Session s = session;
        if (s == null) {
            return;
        }
        String from = address;
        long delay = from == null || closing.get() ? 0 : budgets.inboundDelayNanos(from, bytes);
        if (delay <= 0) {
            demand(s);
        } else {
            NodeBudgets.later(delay, () -> demand(s));
        }
    }

    private void demand(Session s) {
        try {
            s.demand();
        } catch (RuntimeException e) {
            LOG.debug("session {}: no more frames to read", options.sessionId(), e); // closed meanwhile
        }
    }

    @Override
    public void onWebSocketPing(ByteBuffer payload) {
        int bytes = payload.remaining();
        Session s = session;
        if (s != null) {
            s.sendPong(payload, Callback.NOOP);
        }
        demandAfter(bytes);
    }

    @Override
    public void onWebSocketPong(ByteBuffer payload) {
        demandAfter(payload.remaining());
    }

    @Override
    public void onWebSocketPartialText(String payload, boolean last) {
        long bytes = utf8Length(payload);
        try {
            receivePartialText(payload, bytes, last);
        } finally {
            demandAfter(bytes);
        }
    }

    private void receivePartialText(String payload, long bytes, boolean last) {
        if (last && fragments.isEmpty()) {
            onText(payload, bytes); // a message in one piece, the common case: nothing to keep
            return;
        }
        if (accepted(fragments.addText(payload, bytes, last))) {
            long total = fragments.bytes();
            onText(fragments.joinText(), total);
        }
    }

    /** Binary frames carry UTF-8 JSON too (tldraw's server decodes them with a TextDecoder). */
    @Override
    public void onWebSocketPartialBinary(ByteBuffer payload, boolean last, Callback callback) {
        byte[] bytes = new byte[payload.remaining()];
        payload.get(bytes);
        callback.succeed();
        try {
            if (accepted(fragments.addBinary(bytes, last))) {
                long total = fragments.bytes();
                onText(fragments.joinBinary(), total);
            }
        } finally {
            demandAfter(bytes.length);
        }
    }

    /**
     * Returns true when a fragment completed its message; closes the connection when it made the message too
     * large (1009) or found the node's budget spent (1013 {@code server busy}).
     */
    private boolean accepted(MessageFragments.Added added) {
        if (handler == null || rateLimited || closing.get()) {
            fragments.clear();
            return false;
        }
        switch (added) {
            case KEPT:
                return false;
            case WHOLE:
                return true;
            case TOO_LARGE:
                LOG.info(
                        "session {} in room {} sent a message over {} bytes; closing",
                        options.sessionId(),
                        roomId,
                        settings.maxMessageBytes());
                close(StatusCode.MESSAGE_TOO_LARGE, "");
                return false;
            default:
                LOG.info(
                        "session {} in room {}: the node's chunk budget is spent ({}); closing",
                        options.sessionId(),
                        roomId,
                        budgets.chunks());
                close(StatusCode.TRY_AGAIN_LATER, SERVER_BUSY);
                return false;
        }
    }

    /** Takes one whole message of {@code utf8Bytes} bytes from the client. */
    private void onText(String text, long utf8Bytes) {
        SocketHandler h = handler;
        if (h == null || rateLimited || closing.get()) {
            return;
        }
        PrincipalRateLimit rates = principalRates;
        if (rates != null && !rates.tryTake(options.principal().id(), utf8Bytes)) {
            rateLimit();
            return;
        }
        int chunk = chunkNumber(text);
        if (chunk > 0) {
            // a chunk the room keeps until the message's last one: it holds node memory until then
            long bytes = 2L * text.length();
            if (!budgets.chunks().tryAcquire(bytes)) {
                releaseChunks();
                LOG.info(
                        "session {} in room {}: the node's chunk budget is spent ({}); closing",
                        options.sessionId(),
                        roomId,
                        budgets.chunks());
                close(StatusCode.TRY_AGAIN_LATER, SERVER_BUSY);
                return;
            }
            chunkBytes.addAndGet(bytes);
        }
        try {
            h.onText(text);
        } catch (RuntimeException e) {
            LOG.warn("room {} failed on a frame from session {}", roomId, options.sessionId(), e);
            close(CloseReason.CLOSE_CODE, CloseReason.UNKNOWN_ERROR.wireName());
        } finally {
            if (chunk <= 0) {
                // a whole message, the last chunk, or a frame the room refused: nothing stays assembled
                releaseChunks();
            }
        }
    }

    private void releaseChunks() {
        budgets.chunks().release(chunkBytes.getAndSet(0));
    }

    /** Returns n of a chunk {@code "<n>_…"}, or -1 for a frame that is not one. */
    static int chunkNumber(String text) {
        int n = 0;
        int i = 0;
        int len = Math.min(text.length(), 10);
        while (i < len && text.charAt(i) >= '0' && text.charAt(i) <= '9') {
            n = n * 10 + (text.charAt(i) - '0');
            i++;
        }
        return i > 0 && i < text.length() && text.charAt(i) == '_' ? n : -1;
    }

    private static String address(@Nullable SocketAddress remote) {
        if (remote instanceof InetSocketAddress inet) {
            return inet.getAddress() != null ? inet.getAddress().getHostAddress() : inet.getHostString();
        }
        return String.valueOf(remote);
    }

    @Override
    public void onWebSocketClose(int statusCode, String reason, Callback callback) {
        try {
            if (end()) {
                LOG.debug("session {} closed: {} {}", options.sessionId(), statusCode, reason);
                SocketHandler h = handler;
                if (h != null) {
                    h.onClose();
                }
            }
        } finally {
            callback.succeed();
        }
    }

    @Override
    public void onWebSocketError(Throwable cause) {
        if (end()) {
            LOG.debug("session {} failed", options.sessionId(), cause);
            SocketHandler h = handler;
            if (h != null) {
                h.onError(cause);
            }
        }
    }

    /** Closes the session with {@code RATE_LIMITED} (through the room, so its presence goes at once). */
    private void rateLimit() {
        rateLimited = true;
        LOG.info("session {} in room {} is over its principal's rate limit; closing", options.sessionId(), roomId);
        Room r = room;
        if (r == null) {
            // a routed session: the room may be on another node; the close reaches it as the socket's close
            close(CloseReason.CLOSE_CODE, CloseReason.RATE_LIMITED.wireName());
            return;
        }
        r.closeSession(options.sessionId(), CloseReason.RATE_LIMITED).whenComplete((v, e) -> {
            // a session that had not joined yet (or a failed room) is closed here instead
            close(CloseReason.CLOSE_CODE, CloseReason.RATE_LIMITED.wireName());
        });
    }

    /** Marks the connection ended once; returns true for the first caller. */
    private boolean end() {
        closing.set(true);
        if (!ended.compareAndSet(false, true)) {
            return false;
        }
        registry.remove(this);
        releaseChunks();
        fragments.clear();
        String from = address;
        if (from != null) {
            address = null;
            budgets.connections().close(from);
        }
        endedFuture.complete(null);
        return true;
    }

    // ---- SessionSocket --------------------------------------------------------------------------------

    @Override
    public boolean send(String text) {
        return enqueue(text, false, true);
    }

    @Override
    public boolean sendsFragments() {
        return true;
    }

    @Override
    public boolean sendFragment(String text, boolean last) {
        return enqueue(text, true, last);
    }

    /**
     * Queues a whole message or a fragment of one, counting it until Jetty has written it. A message larger than
     * the session's queue limit is taken when nothing else is queued before it: a whole one as one frame, a
     * fragmented one as all its fragments (they count from when the first was taken with the queue empty).
     */
    private boolean enqueue(String text, boolean fragment, boolean last) {
        Session s = session;
        if (s == null || closing.get() || !s.isOpen()) {
            return false;
        }
        long size = text.length();
        long queued = queuedBytes.addAndGet(size);
        boolean first = !inMessage;
        if (first) {
            messageFromEmpty = queued == size;
        }
        if (queued > settings.maxQueuedChars() && !messageFromEmpty) {
            queuedBytes.addAndGet(-size);
            LOG.warn(
                    "session {} in room {} is too slow: {} bytes queued, limit {}; closing",
                    options.sessionId(),
                    roomId,
                    queued - size,
                    settings.maxQueuedChars());
            closeSession(s, StatusCode.TRY_AGAIN_LATER, "outgoing queue full");
            return false;
        }
        if (!budgets.queued().tryAcquire(size)) {
            if (queued == size && size <= NodeBudget.SMALL_FRAME_BYTES) {
                // a client keeping up with small frames keeps its session while slow ones fill the budget
                budgets.queued().forceAcquire(size);
            } else {
                queuedBytes.addAndGet(-size);
                LOG.warn(
                        "session {} in room {}: the node's outgoing budget is spent ({}); closing",
                        options.sessionId(),
                        roomId,
                        budgets.queued());
                closeSession(s, StatusCode.TRY_AGAIN_LATER, SERVER_BUSY);
                return false;
            }
        }
        Callback written = Callback.from(
                () -> {
                    queuedBytes.addAndGet(-size);
                    budgets.queued().release(size);
                },
                failure -> {
                    queuedBytes.addAndGet(-size);
                    budgets.queued().release(size);
                    LOG.debug("send to session {} failed", options.sessionId(), failure);
                });
        if (fragment) {
            inMessage = !last;
            s.sendPartialText(text, last, written);
        } else {
            s.sendText(text, written);
        }
        return true;
    }

    @Override
    public void close(int code, String reason) {
        Session s = session;
        if (s != null) {
            closeSession(s, code, reason);
        }
    }

    @Override
    public void close() {
        close(StatusCode.NORMAL, "");
    }

    @Override
    public boolean isOpen() {
        Session s = session;
        return s != null && !closing.get() && s.isOpen();
    }

    private void closeSession(Session s, int code, String reason) {
        if (closing.compareAndSet(false, true)) {
            if (code == CloseReason.CLOSE_CODE && reason.equals(CloseReason.RATE_LIMITED.wireName())) {
                onRateLimited.run();
            }
            s.close(code, truncateReason(wireReason(code, reason)), Callback.NOOP);
        }
    }

    /** The 1013 reason for a connection past the node's or its address's connection cap. */
    public static final String TOO_MANY_CONNECTIONS = "too many connections";

    /** The 1013 reason for a connection to a room the node cannot load: it holds its limit of rooms. */
    public static final String TOO_MANY_ROOMS = "too many rooms";

    /** The 1013 reason for a connection closed because a node-wide byte budget is spent. */
    public static final String SERVER_BUSY = "server busy";

    /** The reasons this server sends with close codes other than {@link CloseReason#CLOSE_CODE}. */
    private static final Set<String> TRANSPORT_REASONS = Set.of(
            "", "outgoing queue full", "server shutting down", TOO_MANY_CONNECTIONS, TOO_MANY_ROOMS, SERVER_BUSY);

    /**
     * Returns the close reason to send: with code 4099 a protocol reason word ({@link CloseReason}), with other
     * codes one of the server's own short reasons. Anything else (an exception's text, a host's free text) is
     * logged and replaced by {@code UNKNOWN_ERROR} (4099) or nothing, so a close frame never carries server
     * internals.
     */
    static String wireReason(int code, String reason) {
        boolean allowed =
                code == CloseReason.CLOSE_CODE ? isProtocolReason(reason) : TRANSPORT_REASONS.contains(reason);
        if (allowed) {
            return reason;
        }
        String sent = code == CloseReason.CLOSE_CODE ? CloseReason.UNKNOWN_ERROR.wireName() : "";
        String shown = reason.length() > 200 ? reason.substring(0, 200) + "…" : reason;
        LOG.warn(
                "a session was closed with code {} and a reason that is not a protocol reason, sent as \"{}\": {}",
                code,
                sent,
                shown.replaceAll("\\p{Cntrl}", "?"));
        return sent;
    }

    private static boolean isProtocolReason(String reason) {
        for (CloseReason r : CloseReason.values()) {
            if (r.wireName().equals(reason)) {
                return true;
            }
        }
        return false;
    }

    /** Returns the bytes of outgoing frames not yet written to the network. */
    public long queuedBytes() {
        return queuedBytes.get();
    }

    /** Completes when Jetty reports the connection closed or failed. */
    public CompletableFuture<Void> ended() {
        return endedFuture;
    }

    /** Returns the session id this connection serves. */
    public String sessionId() {
        return options.sessionId();
    }

    /** Counts the UTF-8 bytes of a string without encoding it; an unpaired surrogate counts as 3 (an upper bound). */
    static long utf8Length(String s) {
        long n = 0;
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c < 0x80) {
                n += 1;
            } else if (c < 0x800) {
                n += 2;
            } else if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                n += 4;
                i++;
            } else {
                n += 3;
            }
        }
        return n;
    }

    /**
     * Cuts a close reason to 123 UTF-8 bytes (RFC 6455) as tldraw 5.5's {@code closeSession}
     * does: whole characters are kept while they fit beside a {@code "... (+N bytes)"} suffix naming the bytes
     * left out; a reason that fits is returned as it is.
     */
    static String truncateReason(String reason) {
        long total = utf8Length(reason);
        if (total <= MAX_CLOSE_REASON_BYTES) {
            return reason;
        }
        // the dropped count has no more digits than the total, so reserving room for the total's suffix fits
        long budget = MAX_CLOSE_REASON_BYTES - truncatedSuffix(total).length();
        int end = 0;
        long kept = 0;
        while (end < reason.length()) {
            int next = reason.offsetByCodePoints(end, 1);
            long bytes = utf8Length(reason.substring(end, next));
            if (kept + bytes > budget) {
                break;
            }
            kept += bytes;
            end = next;
        }
        return reason.substring(0, end) + truncatedSuffix(total - kept);
    }

    private static String truncatedSuffix(long droppedBytes) {
        return "... (+" + droppedBytes + " bytes)";
    }
}
