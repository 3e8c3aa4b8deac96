package dev.tandem.sync.core;

import java.util.Objects;

/**
 * Base of Tandem's unchecked exceptions. Carries the {@link CloseReason} a session is rejected with when
 * the error came from that session's input.
 */
public class SyncException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    private final CloseReason reason;

    public SyncException(CloseReason reason, String message) {
        super(message);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    public SyncException(CloseReason reason, String message, Throwable cause) {
        super(message, cause);
        this.reason = Objects.requireNonNull(reason, "reason");
    }

    /** Returns the close reason for the session whose input caused this error. */
    public CloseReason reason() {
        return reason;
    }
}
