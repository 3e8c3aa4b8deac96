package dev.tandem.sync.core.internal.validate;

import dev.tandem.sync.core.ValidationException;
import dev.tandem.sync.core.Validator;
import java.util.List;
import org.jspecify.annotations.Nullable;

/** {@code T.arrayOf}: an array whose every item passes one validator. Immutable, thread-safe. */
public final class ArrayCheck implements Validator {
    private final Validator item;

    public ArrayCheck(Validator item) {
        this.item = item;
    }

    @Override
    public void validate(@Nullable Object value) {
        if (!(value instanceof List<?> list)) {
            throw new ValidationException("Expected an array, got " + JsText.typeOf(value));
        }
        for (int i = 0, n = list.size(); i < n; i++) {
            try {
                item.validate(list.get(i));
            } catch (ValidationException e) {
                throw e.prefixed(i);
            }
        }
    }

    @Override
    public void validateMissing() {
        throw new ValidationException("Expected an array, got undefined");
    }
}
