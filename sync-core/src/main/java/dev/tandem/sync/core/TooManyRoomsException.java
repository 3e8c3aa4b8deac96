package dev.tandem.sync.core;

/**
 * Thrown by {@link RoomManager#room} when the room is not loaded and the manager already holds its limit of
 * loaded rooms. Nothing was created; the same call may succeed once other rooms unload.
 */
public final class TooManyRoomsException extends SyncException {
    private static final long serialVersionUID = 1L;

    private final int maxRooms;

    public TooManyRoomsException(int maxRooms) {
        super(CloseReason.ROOM_FULL, "the server holds its limit of " + maxRooms + " loaded rooms");
        this.maxRooms = maxRooms;
    }

    /** Returns the limit of loaded rooms that was reached. */
    public int maxRooms() {
        return maxRooms;
    }
}
