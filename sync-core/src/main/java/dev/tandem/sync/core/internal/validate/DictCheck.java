package dev.tandem.sync.core.internal.validate;

import dev.tandem.sync.core.ValidationException;
import dev.tandem.sync.core.Validator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** {@code T.dict}: an object whose every key and value pass a validator each. Immutable, thread-safe. */
public final class DictCheck implements Validator {
    private final Validator keys;
    private final Validator values;

    public DictCheck(Validator keys, Validator values) {
        this.keys = keys;
        this.values = values;
    }

    @Override
    public void validate(@Nullable Object value) {
        if (value instanceof List<?> list) {
            // an array is an object whose keys are its indices
            for (int i = 0, n = list.size(); i < n; i++) {
                String key = Integer.toString(i);
                try {
                    keys.validate(key);
                    values.validate(list.get(i));
                } catch (ValidationException e) {
                    throw e.prefixed(key);
                }
            }
            return;
        }
        if (!(value instanceof Map<?, ?> map)) {
            throw new ValidationException("Expected object, got " + JsText.typeOf(value));
        }
        for (Map.Entry<?, ?> e : map.entrySet()) {
            try {
                keys.validate(e.getKey());
                values.validate(e.getValue());
            } catch (ValidationException ex) {
                throw ex.prefixed(String.valueOf(e.getKey()));
            }
        }
    }

    @Override
    public void validateMissing() {
        throw new ValidationException("Expected object, got undefined");
    }
}
