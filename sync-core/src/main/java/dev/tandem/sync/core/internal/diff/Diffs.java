package dev.tandem.sync.core.internal.diff;

import dev.tandem.sync.core.ObjectDiff;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Placeholder; replaced by the diff algorithm. */
public final class Diffs {
    private Diffs() {}

    public static @Nullable ObjectDiff diffRecord(
            Map<String, Object> prev, Map<String, Object> next, boolean legacyAppendMode) {
        throw new UnsupportedOperationException("TODO");
    }

    public static @Nullable Object applyObjectDiff(@Nullable Object value, ObjectDiff diff) {
        throw new UnsupportedOperationException("TODO");
    }
}
