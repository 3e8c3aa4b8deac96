package dev.tandem.sync.core;

/**
 * Why a session was closed with code {@link #CLOSE_CODE} (4099). The names are the exact reason strings
 * of tldraw's {@code TLSyncErrorCloseEventReason} (5.5, which added {@link #MESSAGE_TOO_LARGE}); clients treat
 * every 4099 close as permanent.
 */
public enum CloseReason {
    NOT_FOUND,
    FORBIDDEN,
    NOT_AUTHENTICATED,
    UNKNOWN_ERROR,
    CLIENT_TOO_OLD,
    SERVER_TOO_OLD,
    INVALID_RECORD,
    RATE_LIMITED,
    ROOM_FULL,
    /**
     * A message from the client is over the size the server assembles, or announces too many chunks (tldraw
     * 5.5); resending it would fail again.
     */
    MESSAGE_TOO_LARGE;

    /** The WebSocket close code for every fatal, non-retriable sync error. */
    public static final int CLOSE_CODE = 4099;

    /** Returns the reason string sent in the close frame. */
    public String wireName() {
        return name();
    }

    /** Returns the reason reported to protocol v5/v6 clients in an {@code incompatibility_error}. */
    public String legacyIncompatibilityReason() {
        return switch (this) {
            case CLIENT_TOO_OLD -> "clientTooOld";
            case SERVER_TOO_OLD -> "serverTooOld";
            case INVALID_RECORD -> "invalidRecord";
            default -> "invalidOperation";
        };
    }
}
