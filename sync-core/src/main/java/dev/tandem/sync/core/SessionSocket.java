package dev.tandem.sync.core;

/**
 * The transport side of one client connection, implemented by an adapter (a WebSocket, an in-memory pipe).
 * The room calls it from its own lane, one call at a time.
 *
 * <p>Implementations must not block: {@link #send(String)} queues the frame and returns. An adapter bounds
 * its outgoing queue; when a frame does not fit it returns {@code false}, and the room then drops the
 * session (a slow consumer never grows server memory).
 */
public interface SessionSocket {

    /**
     * Queues one text frame for the client. Returns {@code false} if the socket is closed or its outgoing
     * queue is full; the frame is then not sent.
     */
    boolean send(String text);

    /**
     * Returns true if this socket can send one message as several fragments ({@link #sendFragment}). The room
     * then sends a large connect reply while it encodes it, instead of building it whole first. The default is
     * false: every message goes through {@link #send(String)}.
     */
    default boolean sendsFragments() {
        return false;
    }

    /**
     * Queues the next fragment of a text message (a WebSocket continuation frame after the first); {@code last}
     * ends the message. The room sends a message's fragments one after the other, with nothing else between
     * them. Returns {@code false} if the socket is closed or its outgoing queue is full; the room then sends
     * no more of the message and drops the session. Called only when {@link #sendsFragments()} is true.
     *
     * @throws UnsupportedOperationException by default
     */
    default boolean sendFragment(String text, boolean last) {
        throw new UnsupportedOperationException("this socket sends whole messages only");
    }

    /** Closes the connection with a fatal sync error: code 4099 and the reason string. */
    void close(int code, String reason);

    /** Closes the connection normally; the client will reconnect. */
    void close();

    /** Returns true while frames can still be sent. */
    boolean isOpen();
}
