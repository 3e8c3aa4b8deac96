package dev.tandem.sync.redis.internal;

import dev.tandem.sync.core.SessionSocket;
import dev.tandem.sync.core.SocketHandler;
import java.util.ArrayList;
import java.util.List;
import org.jspecify.annotations.Nullable;

/**
 * On the owner, a session whose client is connected to another node (the entry node): the room sends through
 * this socket, which publishes each frame to the entry node's channel in order; frames from the client arrive
 * from the relay and go to the room's {@link SocketHandler} on the session's {@link SessionLane}, off the Redis
 * subscriber thread and in order. Handler calls are serialized by this object's lock (the lane, the room taking
 * and the failure paths run on different threads).
 */
final class RelayedSocket implements SessionSocket {
    final String cid;
    final String entryNode;
    final String roomId;
    private final Relay relay;
    private final SessionLane lane;
    private volatile boolean open = true;
    private @Nullable SocketHandler handler;
    /** Frames that arrived while the owner was still taking the room, in order. */
    private @Nullable List<String> early = new ArrayList<>();

    RelayedSocket(Relay relay, String cid, String entryNode, String roomId, SessionLane lane) {
        this.relay = relay;
        this.cid = cid;
        this.entryNode = entryNode;
        this.roomId = roomId;
        this.lane = lane;
    }

    /** Returns whether the client is still there to be joined to the room. */
    synchronized boolean isWaiting() {
        return open && handler == null;
    }

    /** Joins the room: replays the frames that arrived meanwhile. */
    synchronized void attach(SocketHandler handler) {
        this.handler = handler;
        List<String> frames = early;
        early = null;
        if (frames != null) {
            for (String text : frames) {
                handler.onText(text);
            }
        }
        if (!open) {
            handler.onClose();
        }
    }

    /** A frame from the client, relayed by the entry node; returns false if too many frames wait already. */
    boolean onText(String text) {
        return lane.offer(() -> deliver(text));
    }

    private synchronized void deliver(String text) {
        if (!open) {
            return;
        }
        if (handler != null) {
            handler.onText(text);
        } else if (early != null) {
            early.add(text);
        }
    }

    /**
     * The client's connection ended, or the relay broke: after the frames already relayed, the room keeps the
     * session for its removal grace.
     */
    void onClose() {
        lane.offerLast(this::closed);
    }

    private synchronized void closed() {
        open = false;
        if (handler != null) {
            handler.onClose();
            handler = null;
        }
    }

    @Override
    public boolean send(String text) {
        if (!open) {
            return false;
        }
        relay.publishToEntry(this, RelayMessage.send(cid, text));
        return true;
    }

    @Override
    public void close(int code, String reason) {
        closeWith(code, reason);
    }

    @Override
    public void close() {
        closeWith(RelayMessage.NORMAL_CLOSE, "");
    }

    private void closeWith(int code, String reason) {
        if (!open) {
            return;
        }
        open = false;
        relay.relayedClosed(this, code, reason);
    }

    @Override
    public boolean isOpen() {
        return open;
    }
}
