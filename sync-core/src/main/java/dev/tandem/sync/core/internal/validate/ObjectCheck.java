package dev.tandem.sync.core.internal.validate;

import dev.tandem.sync.core.ValidationException;
import dev.tandem.sync.core.Validator;
import dev.tandem.sync.core.internal.json.FrozenMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * {@code T.object}: each declared property checked in declaration order (a missing one through {@link
 * Validator#validateMissing}), then any undeclared property refused. Immutable, thread-safe.
 */
public final class ObjectCheck implements Validator {
    private final String[] keys;
    private final Validator[] validators;
    private final Map<String, Validator> config;
    private final boolean allowUnknown;
    /**
     * Where the declared keys sit in the last frozen object layout seen (like a JavaScript engine's inline
     * cache): the records of one type share a layout, so each is checked by position, without a key search.
     */
    private volatile @Nullable Positions lastLayout;

    /** The position of each declared key in {@code layout} (-1 if absent). */
    private record Positions(Object layout, int[] at) {}

    public ObjectCheck(Map<String, Validator> config, boolean allowUnknown) {
        this.config = new LinkedHashMap<>(config);
        this.keys = this.config.keySet().toArray(new String[0]);
        this.validators = this.config.values().toArray(new Validator[0]);
        this.allowUnknown = allowUnknown;
    }

    @Override
    public void validate(@Nullable Object value) {
        if (value instanceof FrozenMap frozen) {
            validateFrozen(frozen);
            return;
        }
        if (!(value instanceof Map<?, ?> map)) {
            if (value instanceof List<?> list) {
                validateArray(list);
                return;
            }
            throw new ValidationException("Expected object, got " + JsText.typeOf(value));
        }
        int declaredPresent = 0;
        for (int i = 0; i < keys.length; i++) {
            String key = keys[i];
            Object v = map.get(key);
            try {
                if (v == null && !map.containsKey(key)) {
                    validators[i].validateMissing();
                } else {
                    declaredPresent++;
                    validators[i].validate(v);
                }
            } catch (ValidationException e) {
                throw e.prefixed(key);
            }
        }
        if (!allowUnknown && declaredPresent != map.size()) {
            unexpected(map);
        }
    }

    /** {@link #validate} of a frozen object, by position in its layout. */
    private void validateFrozen(FrozenMap map) {
        Object layout = map.layout();
        Positions p = lastLayout;
        if (p == null || p.layout() != layout) {
            int[] at = new int[keys.length];
            for (int i = 0; i < keys.length; i++) {
                at[i] = map.indexOf(keys[i]);
            }
            p = new Positions(layout, at);
            lastLayout = p;
        }
        int[] at = p.at();
        int declaredPresent = 0;
        for (int i = 0; i < keys.length; i++) {
            try {
                if (at[i] < 0) {
                    validators[i].validateMissing();
                } else {
                    declaredPresent++;
                    validators[i].validate(map.valueAt(at[i]));
                }
            } catch (ValidationException e) {
                throw e.prefixed(keys[i]);
            }
        }
        if (!allowUnknown && declaredPresent != map.size()) {
            unexpected(map);
        }
    }

    private void unexpected(Map<?, ?> map) {
        for (Object key : map.keySet()) {
            if (!config.containsKey(key)) {
                throw new ValidationException("Unexpected property", List.of(key));
            }
        }
    }

    /** An array is an object to JavaScript: its own keys are its indices. */
    private void validateArray(List<?> list) {
        for (int i = 0; i < keys.length; i++) {
            String key = keys[i];
            int index = arrayIndex(key);
            try {
                if (index < 0 || index >= list.size()) {
                    validators[i].validateMissing();
                } else {
                    validators[i].validate(list.get(index));
                }
            } catch (ValidationException e) {
                throw e.prefixed(key);
            }
        }
        if (!allowUnknown) {
            for (int i = 0; i < list.size(); i++) {
                if (!config.containsKey(Integer.toString(i))) {
                    throw new ValidationException("Unexpected property", List.of(Integer.toString(i)));
                }
            }
        }
    }

    private static int arrayIndex(String key) {
        if (key.isEmpty() || key.length() > 9 || (key.length() > 1 && key.charAt(0) == '0')) {
            return -1;
        }
        for (int i = 0; i < key.length(); i++) {
            char c = key.charAt(i);
            if (c < '0' || c > '9') {
                return -1;
            }
        }
        return Integer.parseInt(key);
    }

    @Override
    public void validateMissing() {
        throw new ValidationException("Expected object, got undefined");
    }
}
