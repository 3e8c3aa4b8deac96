package dev.tandem.sync.redis.internal;

import dev.tandem.sync.core.Room;

/**
 * One term of this node's ownership of a room: the lease it holds, the epoch it claimed in the store, and the
 * room instance it runs. A term ends once (lease lost or expired, commit fenced, room unloaded) and is never
 * resumed: taking the room again starts a new term with a new epoch and a new room instance.
 */
final class OwnedRoom {
    final String roomId;
    final long epoch;
    final FencedRoomStore store;
    /** Set once, right after the room is created, before the term is published. */
    Room room;
    /** Set when this node starts handing the room to another node: its lease is moved, not lost. */
    volatile boolean handingOff;
    /** System.nanoTime() after which the lease may have expired in Redis, less the safety margin. */
    private volatile long validUntilNanos;

    OwnedRoom(String roomId, long epoch, FencedRoomStore store, Room room, long validUntilNanos) {
        this.roomId = roomId;
        this.epoch = epoch;
        this.store = store;
        this.room = room;
        this.validUntilNanos = validUntilNanos;
    }

    boolean valid(long nowNanos) {
        return nowNanos - validUntilNanos < 0;
    }

    /** Extends the validity after a renewal sent at some time; never shortens it. */
    synchronized void extend(long untilNanos) {
        if (untilNanos - validUntilNanos > 0) {
            validUntilNanos = untilNanos;
        }
    }
}
