package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.RoomEvents;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.Scheduler;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SessionSocket;
import dev.tandem.sync.core.internal.protocol.LogText;
import dev.tandem.sync.core.internal.protocol.ProtocolCodec;
import dev.tandem.sync.core.internal.protocol.ServerMessage;
import dev.tandem.sync.core.internal.schema.ClientMigrations;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A room's sessions by id, their states and their one timer each: {@code awaiting-connect} (connect deadline) →
 * {@code connected} (idle check) → {@code awaiting-removal} (grace, presence kept, the same id may resume).
 * Every change of state goes through {@link #setState}, which keeps the count of legacy-append sessions; every
 * change of the table goes through {@link #put}/{@link #drop}, which publish the session count. Confined to the
 * room's lane, but {@link #count()}.
 */
final class Sessions {
    private static final Logger LOG = LoggerFactory.getLogger(SyncRoom.class);

    private final String roomId;
    private final RoomOptions options;
    private final Scheduler scheduler;
    private final SerialLane lane;
    private final RoomEvents events;
    private final Outbox outbox;
    /** The room's part of a removal: the session's presence goes, and the room may unload when it was the last. */
    private final Consumer<RoomSession> presenceGone;

    private final Runnable lastLeft;
    private final LinkedHashMap<String, RoomSession> table;
    /** Connected sessions that cannot take string appends (protocol 7): while any, patches use none. */
    private int legacyAppendSessions;

    private volatile int count;

    Sessions(
            String roomId,
            RoomOptions options,
            SerialLane lane,
            LinkedHashMap<String, RoomSession> table,
            Outbox outbox,
            Consumer<RoomSession> presenceGone,
            Runnable lastLeft) {
        this.roomId = roomId;
        this.options = options;
        this.scheduler = options.scheduler();
        this.lane = lane;
        this.events = options.events();
        this.table = table;
        this.outbox = outbox;
        this.presenceGone = presenceGone;
        this.lastLeft = lastLeft;
    }

    /** The number of sessions, readable from any thread. */
    int count() {
        return count;
    }

    boolean isEmpty() {
        return table.isEmpty();
    }

    @Nullable
    RoomSession get(String sessionId) {
        return table.get(sessionId);
    }

    /** The sessions in the order they opened, a live view. */
    Collection<RoomSession> all() {
        return table.values();
    }

    /** Returns whether a connected session cannot take string appends, so patches must not use them. */
    boolean legacyAppendMode() {
        return legacyAppendSessions > 0;
    }

    /** Returns the live session of a connection, or null if the connection was replaced or closed. */
    @Nullable
    RoomSession current(Connection c) {
        RoomSession s = table.get(c.options.sessionId());
        return s != null && s.connection == c ? s : null;
    }

    /**
     * Opens a session for a new connection, taking over the session (and its presence) of the same id; returns
     * null when the connection is refused (the session id belongs to another principal, or the room is full).
     */
    @Nullable
    RoomSession open(Connection connection) {
        SessionOptions o = connection.options;
        RoomSession previous = table.get(o.sessionId());
        if (previous != null
                && !previous.connection
                        .options
                        .principal()
                        .id()
                        .equals(o.principal().id())) {
            // a session id names one principal's session: another principal never takes it over
            LOG.debug("room {} refuses session {}: it belongs to another principal", roomId, o.sessionId());
            refuse(connection, CloseReason.FORBIDDEN);
            return null;
        }
        if (previous == null && table.size() >= options.limits().maxSessionsPerRoom()) {
            LOG.debug("room {} is full; refusing session {}", roomId, o.sessionId());
            refuse(connection, CloseReason.ROOM_FULL);
            return null;
        }
        RoomSession s = new RoomSession(o.sessionId(), connection, o.readOnly(), o.meta());
        if (previous != null) {
            // a reconnect: the new connection takes over the session and its presence
            table.remove(previous.sessionId);
            s.presenceId = previous.presenceId;
            previous.cancelTimers();
            setState(previous, RoomSession.State.AWAITING_REMOVAL);
            if (previous.socket != connection.socket) {
                closeQuietly(previous.socket, null);
            }
        }
        put(s);
        s.timer = scheduler.schedule(
                options.connectTimeout(),
                () -> lane.execute(() -> {
                    if (table.get(s.sessionId) == s && s.state == RoomSession.State.AWAITING_CONNECT) {
                        LOG.debug("room {} session {} sent no connect in time", roomId, s.sessionId);
                        remove(s, null);
                    }
                }));
        events.sessionOpened(roomId, s.sessionId);
        return s;
    }

    private void refuse(Connection connection, CloseReason reason) {
        events.sessionRejected(roomId, connection.options.sessionId(), reason);
        closeQuietly(connection.socket, reason);
    }

    /** Completes a session's handshake: it is connected, and its idle check starts. */
    void connected(RoomSession s, @Nullable ClientMigrations migrations) {
        s.migrations = migrations;
        setState(s, RoomSession.State.CONNECTED);
        touch(s);
        if (s.timer != null) {
            s.timer.cancel();
            s.timer = null;
        }
        scheduleIdleCheck(s);
    }

    /** Notes that a connected session was heard from, which postpones its idle timeout. */
    void touch(RoomSession s) {
        s.lastInteractionNanos = scheduler.nanoTime();
    }

    void socketClosed(Connection c) {
        RoomSession s = current(c);
        if (s == null || s.state == RoomSession.State.AWAITING_REMOVAL) {
            return;
        }
        if (s.state == RoomSession.State.AWAITING_CONNECT) {
            remove(s, null);
        } else {
            cancel(s);
        }
    }

    void rejectConnection(Connection c, CloseReason reason, String why) {
        RoomSession s = current(c);
        if (s != null) {
            reject(s, reason, why);
        } else {
            closeQuietly(c.socket, reason);
        }
    }

    /** Moves a session into its removal grace period: presence stays, the same id may resume. */
    void cancel(RoomSession s) {
        s.cancelTimers();
        s.outgoing.clear();
        setState(s, RoomSession.State.AWAITING_REMOVAL);
        closeQuietly(s.socket, null);
        Duration grace = options.removalGrace();
        if (grace.isZero()) {
            remove(s, null);
            return;
        }
        s.timer = scheduler.schedule(
                grace,
                () -> lane.execute(() -> {
                    if (table.get(s.sessionId) == s) {
                        remove(s, null);
                    }
                }));
    }

    /** Closes a session with a protocol reason (legacy clients get tldraw's incompatibility message instead). */
    void reject(RoomSession s, CloseReason reason, String why) {
        LOG.debug("room {} rejects session {}: {} ({})", roomId, s.sessionId, reason, LogText.of(why));
        events.sessionRejected(roomId, s.sessionId, reason);
        if (s.requiresLegacyRejection) {
            outbox.sendControl(
                    s,
                    ProtocolCodec.encode(new ServerMessage.IncompatibilityError(reason.legacyIncompatibilityReason())));
            remove(s, null);
        } else {
            remove(s, reason);
        }
    }

    /** Removes a session for good: closes its socket, and its presence goes. */
    void remove(RoomSession s, @Nullable CloseReason reason) {
        if (table.get(s.sessionId) != s) {
            return;
        }
        boolean wasConnected = s.isConnected();
        drop(s);
        s.cancelTimers();
        if (wasConnected) {
            outbox.flush(s);
        }
        setState(s, RoomSession.State.AWAITING_REMOVAL);
        closeQuietly(s.socket, reason);
        presenceGone.accept(s);
        events.sessionRemoved(roomId, s.sessionId, table.size());
        if (table.isEmpty()) {
            events.roomEmpty(roomId);
            lastLeft.run();
        }
    }

    /** Drops sessions whose socket refused a frame: closed sockets are cancelled, full queues removed. */
    void dropFailed() {
        if (!outbox.takeFailures()) {
            return;
        }
        for (RoomSession s : new ArrayList<>(table.values())) {
            if (!s.sendFailed || table.get(s.sessionId) != s) {
                continue;
            }
            if (s.socket.isOpen()) {
                if (s.needsMigration() && s.isConnected()) {
                    LOG.debug("room {}: dropping session {}", roomId, s.sessionId);
                }
                events.slowConsumerDropped(roomId, s.sessionId);
                remove(s, null);
            } else if (s.isConnected()) {
                cancel(s);
            } else {
                remove(s, null);
            }
        }
        for (RoomSession s : table.values()) {
            if (s.sendFailed) {
                outbox.failureRemains(); // still in its grace period: dropped on a later pass, as before
                break;
            }
        }
    }

    /** Closes every session's socket and forgets them all (the room closes). */
    void closeAll() {
        List<RoomSession> all = new ArrayList<>(table.values());
        for (RoomSession s : all) {
            s.cancelTimers();
            closeQuietly(s.socket, null);
        }
        table.clear();
        count = 0;
    }

    private void scheduleIdleCheck(RoomSession s) {
        Duration idle = options.idleTimeout();
        if (idle.isZero()) {
            return;
        }
        long dueIn = s.lastInteractionNanos + idle.toNanos() - scheduler.nanoTime();
        s.timer = scheduler.schedule(
                Duration.ofNanos(Math.max(0, dueIn)),
                () -> lane.execute(() -> {
                    if (table.get(s.sessionId) != s || !s.isConnected()) {
                        return;
                    }
                    if (scheduler.nanoTime() - s.lastInteractionNanos >= idle.toNanos()) {
                        LOG.debug("room {} session {} idle, cancelling", roomId, s.sessionId);
                        cancel(s);
                    } else {
                        scheduleIdleCheck(s);
                    }
                }));
    }

    /** The one place a session's state changes, so that the count of legacy-append sessions stays right. */
    private void setState(RoomSession s, RoomSession.State state) {
        s.state = state;
        boolean legacy = state == RoomSession.State.CONNECTED && !s.supportsStringAppend;
        if (legacy != s.countedAsLegacyAppend) {
            s.countedAsLegacyAppend = legacy;
            legacyAppendSessions += legacy ? 1 : -1;
        }
    }

    private void put(RoomSession s) {
        table.put(s.sessionId, s);
        count = table.size();
    }

    private void drop(RoomSession s) {
        table.remove(s.sessionId);
        count = table.size();
    }

    static void closeQuietly(SessionSocket socket, @Nullable CloseReason reason) {
        try {
            if (reason == null) {
                socket.close();
            } else {
                socket.close(CloseReason.CLOSE_CODE, reason.wireName());
            }
        } catch (RuntimeException e) {
            LOG.debug("closing a socket failed", e);
        }
    }
}
