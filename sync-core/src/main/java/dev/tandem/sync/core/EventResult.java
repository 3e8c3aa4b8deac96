package dev.tandem.sync.core;

import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The server's answer to one {@link PushEvent}: applied (possibly with no change) or rejected with a
 * reason, and the document clock after it. Immutable.
 *
 * @param id the event id
 * @param applied true if the event was applied
 * @param reason why it was rejected, or null
 * @param serverClock the room's document clock after the event
 */
public record EventResult(
        String id, boolean applied, @Nullable String reason, long serverClock) {
    public EventResult {
        Objects.requireNonNull(id, "id");
    }

    /** Returns the status string used on the wire: {@code applied} or {@code rejected}. */
    public String status() {
        return applied ? "applied" : "rejected";
    }
}
