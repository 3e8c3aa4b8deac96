package dev.tandem.sync.core;

import dev.tandem.sync.core.internal.json.Frozen;
import java.util.List;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One operation on a value inside an {@link ObjectDiff}, as the tldraw sync protocol sends it: {@code
 * ["put", value]}, {@code ["delete"]}, {@code ["append", value, offset]} or {@code ["patch", diff]}.
 *
 * <p>Values are plain JSON values (see {@link Json}), frozen on construction. Instances are immutable and
 * thread-safe.
 */
public sealed interface ValueOp {

    /** Sets the key to {@code value}, unless the current value is already deep-equal to it. */
    record Put(@Nullable Object value) implements ValueOp {
        public Put {
            value = Frozen.freeze(value);
        }
    }

    /** Removes the key if present. */
    record Delete() implements ValueOp {
        /** The only instance needed. */
        public static final Delete INSTANCE = new Delete();
    }

    /**
     * Appends {@code value} (a string to a string, a list to a list) when the current value's length is
     * exactly {@code offset}; otherwise the op is ignored. String offsets count UTF-16 code units, as
     * {@link String#length()} does.
     */
    record Append(Object value, int offset) implements ValueOp {
        public Append {
            Objects.requireNonNull(value, "value");
            if (!(value instanceof String) && !(value instanceof List)) {
                throw new IllegalArgumentException("append value must be a string or a list but was "
                        + value.getClass().getSimpleName());
            }
            if (offset < 0) {
                throw new IllegalArgumentException("offset must be >= 0 but was " + offset);
            }
            value = Objects.requireNonNull(Frozen.freeze(value));
        }
    }

    /** Applies a nested diff when the current value is an object or a list; otherwise ignored. */
    record Patch(ObjectDiff diff) implements ValueOp {
        public Patch {
            Objects.requireNonNull(diff, "diff");
        }
    }
}
