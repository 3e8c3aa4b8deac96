package dev.tandem.sync.core;

/**
 * What a transport adapter calls for one connection after {@link Room#connect}. The adapter calls these
 * methods serially for one connection (never concurrently), from its own threads; they never block. Each
 * frame is decoded on the calling thread and then handled in the room's lane.
 *
 * <p>Calls made after the connection was replaced by a newer one with the same session id (a reconnect),
 * or after it was closed, are ignored.
 */
public interface SocketHandler {

    /** A text frame arrived: a whole JSON message or one chunk ({@code <n>_…}) of a larger one. */
    void onText(String text);

    /** The socket closed (by either side). The session keeps its presence for the removal grace period. */
    void onClose();

    /** The socket failed. Handled like {@link #onClose()}. */
    void onError(Throwable cause);
}
