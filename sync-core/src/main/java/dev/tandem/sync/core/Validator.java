package dev.tandem.sync.core;

import org.jspecify.annotations.Nullable;

/**
 * Checks one JSON value, as a validator of tldraw's {@code @tldraw/validate} ({@code T.*}) does. Values are
 * Tandem's frozen JSON (see {@link Json}): maps, lists, strings, booleans, {@code null}, and numbers as
 * {@link Long} or {@link Double}. {@link Validators} makes the standard ones; an app may write its own.
 *
 * <p>Implementations are immutable, thread-safe and side-effect free, and throw nothing on success.
 */
@FunctionalInterface
public interface Validator {

    /**
     * Returns normally if {@code value} is valid.
     *
     * @throws ValidationException if it is not; its path leads from this value to the refused one
     */
    void validate(@Nullable Object value);

    /**
     * Checks a missing object property (JavaScript's {@code undefined}). By default a missing value is
     * refused; {@link Validators#optional} accepts it.
     *
     * @throws ValidationException if a missing value is not valid
     */
    default void validateMissing() {
        throw new ValidationException("Expected a value, got undefined");
    }

    /** Returns a validator that accepts {@code null} and otherwise defers to this one. */
    default Validator nullable() {
        return Validators.nullable(this);
    }

    /** Returns a validator that accepts a missing value and otherwise defers to this one. */
    default Validator optional() {
        return Validators.optional(this);
    }
}
