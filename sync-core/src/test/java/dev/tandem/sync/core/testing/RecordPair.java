package dev.tandem.sync.core.testing;

import dev.tandem.sync.core.internal.json.Frozen;
import java.util.Map;
import java.util.Objects;

/**
 * Two versions of a record, as {@link RecordGen} generates them: {@code prev} and a {@code next} that is
 * either derived from it by small edits or unrelated. Both maps are frozen. Immutable and thread-safe.
 */
public record RecordPair(Map<String, Object> prev, Map<String, Object> next) {

    public RecordPair {
        prev = frozen(Objects.requireNonNull(prev, "prev"));
        next = frozen(Objects.requireNonNull(next, "next"));
    }

    /** Returns both records in their wire-like JSON form. */
    @Override
    public String toString() {
        return Show.value(this);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> frozen(Map<String, Object> map) {
        return (Map<String, Object>) (Map<String, ?>) Frozen.freezeMap(map);
    }
}
