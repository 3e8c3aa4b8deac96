package dev.tandem.sync.redis.internal;

import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SessionSocket;
import dev.tandem.sync.core.SocketHandler;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ScheduledFuture;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A client connection on the node it reached (the entry node), as the transport sees it: frames that arrive
 * before the room's owner is known are kept in order; then they go to the local room (this node owns it) or are
 * published to the owner's channel, and the owner's frames come back through {@link #deliver}. Thread-safe:
 * every transition and every forwarded frame runs under this object's lock, so per-session order holds.
 */
final class EntrySession implements SocketHandler {
    private static final Logger LOG = LoggerFactory.getLogger(EntrySession.class);
    /** The most frames kept while the owner is looked up; a client sends one connect message first. */
    private static final int MAX_BUFFERED_FRAMES = 256;

    enum State {
        PENDING,
        LOCAL,
        REMOTE,
        CLOSED
    }

    final String cid;
    final String roomId;
    final SessionSocket socket;
    final SessionOptions options;
    private final Relay node;
    private State state = State.PENDING;
    private final List<String> buffered = new ArrayList<>();
    private @Nullable SocketHandler local;
    private @Nullable String owner;
    private boolean accepted;
    private @Nullable ScheduledFuture<?> openTimer;

    EntrySession(Relay node, String cid, String roomId, SessionSocket socket, SessionOptions options) {
        this.node = node;
        this.cid = cid;
        this.roomId = roomId;
        this.socket = socket;
        this.options = options;
    }

    synchronized State state() {
        return state;
    }

    synchronized @Nullable String owner() {
        return owner;
    }

    /** This node owns the room: join it directly and replay what the client sent meanwhile. */
    synchronized void routeLocal(Room room) {
        if (state != State.PENDING) {
            return;
        }
        SocketHandler h = room.connect(socket, options);
        local = h;
        state = State.LOCAL;
        node.localSessionOpened(this);
        for (String text : buffered) {
            h.onText(text);
        }
        buffered.clear();
    }

    /** Another node owns the room: open the relay and forward what the client sent meanwhile. */
    synchronized void routeRemote(String ownerNode) {
        if (state != State.PENDING) {
            return;
        }
        owner = ownerNode;
        state = State.REMOTE;
        node.relayOpened(this);
        publish(RelayMessage.open(cid, node.nodeId(), RelayMessage.SessionOptionsJson.of(options), roomId));
        for (String text : buffered) {
            publish(RelayMessage.frame(cid, text));
        }
        buffered.clear();
        openTimer = node.schedule(node.relayOpenTimeout(), () -> {
            synchronized (this) {
                if (!accepted && state == State.REMOTE) {
                    fail("owner " + ownerNode + " did not accept the session in time");
                }
            }
        });
    }

    /** No owner could be found or taken: a normal close, so the client retries. */
    synchronized void refuse(String why) {
        if (state != State.PENDING) {
            return;
        }
        LOG.info("session {} in room {} refused, client will retry: {}", options.sessionId(), roomId, why);
        state = State.CLOSED;
        buffered.clear();
        socket.close();
    }

    @Override
    public synchronized void onText(String text) {
        switch (state) {
            case PENDING -> {
                if (buffered.size() >= MAX_BUFFERED_FRAMES) {
                    refuse("too many frames before the room's owner was found");
                } else {
                    buffered.add(text);
                }
            }
            case LOCAL -> {
                if (local != null) {
                    local.onText(text);
                }
            }
            case REMOTE -> publish(RelayMessage.frame(cid, text));
            case CLOSED -> {
                // late frame after a close: ignored
            }
        }
    }

    @Override
    public synchronized void onClose() {
        State was = state;
        state = State.CLOSED;
        buffered.clear();
        if (was == State.LOCAL && local != null) {
            node.localSessionClosed(this);
            local.onClose();
        } else if (was == State.REMOTE) {
            cancelTimer();
            node.relayClosed(this);
            node.publish(owner, RelayMessage.clientClosed(cid));
        }
    }

    @Override
    public void onError(Throwable cause) {
        onClose();
    }

    /** The owner accepted the session. */
    synchronized void accepted() {
        accepted = true;
        cancelTimer();
    }

    /** A frame from the owner for the client. */
    synchronized void deliver(String text) {
        if (state != State.REMOTE) {
            return;
        }
        if (!socket.send(text)) {
            fail("client socket refused a frame");
        }
    }

    /** The owner closed the session. */
    synchronized void closedByOwner(int code, String reason) {
        if (state != State.REMOTE) {
            return;
        }
        state = State.CLOSED;
        cancelTimer();
        node.relayClosed(this);
        if (code == RelayMessage.NORMAL_CLOSE) {
            socket.close();
        } else {
            socket.close(code, reason);
        }
    }

    /**
     * The room moved, or this node is going away (drain): the client is closed with {@code code} so it
     * reconnects at once, and the room (here or on the owner) sees the session's client leave.
     */
    synchronized void moved(int code, String reason) {
        State was = state;
        if (was == State.CLOSED) {
            return;
        }
        state = State.CLOSED;
        buffered.clear();
        // the client first: the room, told next, must not close it normally before
        socket.close(code, reason);
        if (was == State.LOCAL && local != null) {
            node.localSessionClosed(this);
            local.onClose();
        } else if (was == State.REMOTE) {
            cancelTimer();
            node.relayClosed(this);
            node.publish(owner, RelayMessage.clientClosed(cid));
        }
    }

    /** The relay broke (owner gone, lease moved, Redis unreachable): a normal close, the client reconnects. */
    synchronized void fail(String why) {
        if (state != State.REMOTE) {
            return;
        }
        LOG.info("relayed session {} in room {} closed: {}", options.sessionId(), roomId, why);
        state = State.CLOSED;
        cancelTimer();
        node.relayClosed(this);
        node.publish(owner, RelayMessage.clientClosed(cid));
        socket.close();
    }

    private void publish(String message) {
        String to = owner;
        node.publish(to, message).whenComplete((receivers, error) -> {
            if (error != null || receivers == null || receivers == 0) {
                fail(error != null ? "relay publish failed: " + error : "owner " + to + " is gone");
            }
        });
    }

    private void cancelTimer() {
        ScheduledFuture<?> t = openTimer;
        if (t != null) {
            t.cancel(false);
            openTimer = null;
        }
    }
}
