package dev.tandem.sync.store.jdbc;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.SyncException;

/**
 * A fenced commit ({@link JdbcRoomStore#commit(dev.tandem.sync.core.RoomCommit, long)}) refused because another
 * writer claimed the room since: the commit had no effect, and retrying it never succeeds.
 */
public final class RoomFencedException extends SyncException {
    private static final long serialVersionUID = 1L;

    private final String roomId;
    private final long ownerEpoch;

    public RoomFencedException(String roomId, long ownerEpoch) {
        super(
                CloseReason.UNKNOWN_ERROR,
                "room " + roomId + " was claimed by a newer owner than epoch " + ownerEpoch + "; commit refused");
        this.roomId = roomId;
        this.ownerEpoch = ownerEpoch;
    }

    /** Returns the room whose commit was refused. */
    public String roomId() {
        return roomId;
    }

    /** Returns the stale owner epoch the commit was made with. */
    public long ownerEpoch() {
        return ownerEpoch;
    }
}
