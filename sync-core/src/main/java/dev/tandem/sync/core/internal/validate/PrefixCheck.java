package dev.tandem.sync.core.internal.validate;

import dev.tandem.sync.core.ValidationException;
import dev.tandem.sync.core.Validator;
import org.jspecify.annotations.Nullable;

/**
 * A string that starts with one of a few prefixes: tldraw's record id validators ({@code shape:…}) and its
 * parent id validator ({@code page:…} or {@code shape:…}). Immutable, thread-safe.
 */
public final class PrefixCheck implements Validator {
    private final String[] prefixes;
    private final String message;

    /** {@code message} is tldraw's raw message for a string with none of the prefixes. */
    public PrefixCheck(String message, String... prefixes) {
        this.prefixes = prefixes.clone();
        this.message = message;
    }

    /** tldraw's {@code idValidator(prefix)}. */
    public static PrefixCheck id(String typeName) {
        return new PrefixCheck("Error: " + typeName + " ID must start with \"" + typeName + ":\"", typeName + ":");
    }

    @Override
    public void validate(@Nullable Object value) {
        if (!(value instanceof String s)) {
            throw new ValidationException("Expected string, got " + JsText.typeOf(value));
        }
        for (String p : prefixes) {
            if (s.startsWith(p)) {
                return;
            }
        }
        throw new ValidationException(message);
    }

    @Override
    public void validateMissing() {
        throw new ValidationException("Expected string, got undefined");
    }
}
