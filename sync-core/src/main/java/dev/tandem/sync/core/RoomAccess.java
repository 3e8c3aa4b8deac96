package dev.tandem.sync.core;

/**
 * Decides what a principal may do in a room. Called by the transport when a connection joins, and again for
 * open sessions when a room's policy changes ({@link Room#revalidate}). Thread-safe; must not block long.
 *
 * <p>Reads (a read-only join, an HTTP read, a pull) ask {@link #access}, which changes nothing. Writes (a
 * read-write join, an HTTP push, snapshot PUT or restore) ask {@link #accessToWrite}: a policy that gives a room
 * without an owner to its first writer claims it there, and only there.
 */
@FunctionalInterface
public interface RoomAccess {

    /** Returns the principal's access to the room, changing nothing. */
    Access access(Principal principal, String roomId);

    /**
     * Returns the principal's access to the room for an action that writes to it. A policy may record the
     * principal as the owner of a room that has none (its first writer) before answering. By default the same as
     * {@link #access}.
     */
    default Access accessToWrite(Principal principal, String roomId) {
        return access(principal, roomId);
    }

    /** Lets everyone read and write every room. */
    static RoomAccess allowAll() {
        return (principal, roomId) -> Access.READ_WRITE;
    }
}
