package dev.tandem.sync.core.internal.protocol;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.SyncException;

/**
 * A frame that is not a valid protocol message: malformed JSON, an unknown message type or op, a missing or
 * mistyped field. The message names what was wrong ({@code push.clientClock must be a number}); the
 * session that sent the frame is closed with {@link CloseReason#UNKNOWN_ERROR}.
 */
public final class ProtocolException extends SyncException {
    private static final long serialVersionUID = 1L;

    public ProtocolException(String message) {
        super(CloseReason.UNKNOWN_ERROR, message);
    }

    public ProtocolException(String message, Throwable cause) {
        super(CloseReason.UNKNOWN_ERROR, message, cause);
    }
}
