package dev.tandem.sync.client;

import java.util.Map;
import java.util.Objects;

/**
 * The net effect of one change to a {@link Store}: records added, updated (with their previous and new
 * value) and removed, keyed by record id. Records are immutable JSON objects (see {@link
 * dev.tandem.sync.core.Json}). A record appears in at most one of the three maps. Immutable and thread-safe.
 *
 * @param source whether this process or the server made the change
 * @param added records that did not exist before
 * @param updated records whose value changed
 * @param removed records that no longer exist, with their last value
 */
public record StoreChange(
        ChangeSource source,
        Map<String, Map<String, Object>> added,
        Map<String, Update> updated,
        Map<String, Map<String, Object>> removed) {

    public StoreChange {
        Objects.requireNonNull(source, "source");
        added = Map.copyOf(added);
        updated = Map.copyOf(updated);
        removed = Map.copyOf(removed);
    }

    /** Returns true when nothing changed. */
    public boolean isEmpty() {
        return added.isEmpty() && updated.isEmpty() && removed.isEmpty();
    }

    /** One record's previous and new value. */
    public record Update(Map<String, Object> from, Map<String, Object> to) {
        public Update {
            Objects.requireNonNull(from, "from");
            Objects.requireNonNull(to, "to");
        }
    }
}
