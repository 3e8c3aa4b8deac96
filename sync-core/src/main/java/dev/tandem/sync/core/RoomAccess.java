package dev.tandem.sync.core;

/**
 * Decides what a principal may do in a room. Called by the transport when a connection joins, and again for
 * open sessions when a room's policy changes ({@link Room#revalidate}). Thread-safe; must not block long.
 */
@FunctionalInterface
public interface RoomAccess {

    /** Returns the principal's access to the room. */
    Access access(Principal principal, String roomId);

    /** Lets everyone read and write every room. */
    static RoomAccess allowAll() {
        return (principal, roomId) -> Access.READ_WRITE;
    }
}
