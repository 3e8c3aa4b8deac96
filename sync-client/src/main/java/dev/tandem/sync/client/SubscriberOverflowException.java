package dev.tandem.sync.client;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.SyncException;

/**
 * Signalled to a {@link java.util.concurrent.Flow.Subscriber} of a publisher that does not drop items (such as
 * {@link SyncClient#changes()}) when more items arrived than its buffer holds while it had not requested them.
 * The subscription is cancelled when this is signalled; other subscribers are not affected. Request more (or
 * request {@link Long#MAX_VALUE} and buffer yourself), or subscribe with a larger buffer.
 */
public final class SubscriberOverflowException extends SyncException {
    private static final long serialVersionUID = 1L;

    private final int capacity;

    public SubscriberOverflowException(String message, int capacity) {
        super(CloseReason.UNKNOWN_ERROR, message);
        this.capacity = capacity;
    }

    /** Returns the size of the buffer that overflowed. */
    public int capacity() {
        return capacity;
    }
}
