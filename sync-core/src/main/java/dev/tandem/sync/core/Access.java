package dev.tandem.sync.core;

import org.jspecify.annotations.Nullable;

/** What a principal may do in a room, as decided by a {@link RoomAccess} policy. */
public enum Access {
    /** Read and change the document. */
    READ_WRITE,
    /** Read only: document changes are discarded; presence still goes through. */
    READ_ONLY,
    /** Not allowed: the connection is closed with {@link CloseReason#FORBIDDEN}. */
    FORBIDDEN,
    /** No such room for this principal: closed with {@link CloseReason#NOT_FOUND}. */
    NOT_FOUND;

    /** Returns the close reason for a denied access, or null if the session may stay. */
    public @Nullable CloseReason closeReason() {
        return switch (this) {
            case FORBIDDEN -> CloseReason.FORBIDDEN;
            case NOT_FOUND -> CloseReason.NOT_FOUND;
            default -> null;
        };
    }
}
