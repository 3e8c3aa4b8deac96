package dev.tandem.sync.core.internal.validate;

import dev.tandem.sync.core.ValidationException;
import dev.tandem.sync.core.Validator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code T.union}: an object whose string discriminator property picks the validator for the whole object.
 * Immutable, thread-safe.
 */
public final class UnionCheck implements Validator {
    private final String key;
    private final Map<String, Validator> variants;
    private final String expected;

    public UnionCheck(String key, Map<String, Validator> variants) {
        this.key = key;
        this.variants = new LinkedHashMap<>(variants);
        this.expected = JsText.alternatives(variants.keySet());
    }

    @Override
    public void validate(@Nullable Object value) {
        if (!(value instanceof Map<?, ?> map)) {
            if (value instanceof List<?>) {
                // an array is an object to JavaScript, without the discriminator property
                throw new ValidationException("Expected a string for key \"" + key + "\", got undefined");
            }
            throw new ValidationException("Expected an object, got " + JsText.typeOf(value));
        }
        Object variant = map.get(key);
        if (variant == null && !map.containsKey(key)) {
            throw new ValidationException("Expected a string for key \"" + key + "\", got undefined");
        }
        if (!(variant instanceof String name)) {
            throw new ValidationException("Expected a string for key \"" + key + "\", got " + JsText.typeOf(variant));
        }
        Validator v = variants.get(name);
        if (v == null) {
            throw new ValidationException(
                    "Expected one of " + expected + ", got " + JsText.stringify(name), List.of(key));
        }
        try {
            v.validate(value);
        } catch (ValidationException e) {
            throw e.prefixed("(" + key + " = " + name + ")");
        }
    }

    @Override
    public void validateMissing() {
        throw new ValidationException("Expected an object, got undefined");
    }
}
