package dev.tandem.sync.store.jdbc;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.SyncException;

/**
 * A store operation that failed: the database could not be reached, a transaction failed, or the write
 * queue was full. The operation had no effect, or (for a commit whose transaction outcome is unknown) an
 * effect that retrying the same commit makes whole, since commits are idempotent.
 */
public final class RoomStoreException extends SyncException {
    private static final long serialVersionUID = 1L;

    public RoomStoreException(String message) {
        super(CloseReason.UNKNOWN_ERROR, message);
    }

    public RoomStoreException(String message, Throwable cause) {
        super(CloseReason.UNKNOWN_ERROR, message, cause);
    }
}
