package dev.tandem.sync.core.internal.validate;

import dev.tandem.sync.core.ValidationException;
import dev.tandem.sync.core.Validator;
import org.jspecify.annotations.Nullable;

/**
 * {@code T.indexKey}: a fractional index key as tldraw's {@code validateIndexKey} accepts it. The head
 * character gives the length of the integer part ({@code a}–{@code z}: 2–27, {@code Z}–{@code A}: 2–27);
 * the key is at least that long, is not the smallest integer {@code A000…0} (26 zeros), and a fraction
 * does not end in {@code 0}. Stateless, thread-safe.
 */
public final class IndexKeys implements Validator {
    public static final IndexKeys INSTANCE = new IndexKeys();

    private static final String SMALLEST_INTEGER = "A" + "0".repeat(26);

    private IndexKeys() {}

    /** Returns true if {@code key} is a valid index key. */
    public static boolean isValid(String key) {
        if (key.isEmpty()) {
            return false;
        }
        char head = key.charAt(0);
        int integerLength;
        if (head >= 'a' && head <= 'z') {
            integerLength = head - 'a' + 2;
        } else if (head >= 'A' && head <= 'Z') {
            integerLength = 'Z' - head + 2;
        } else {
            return false;
        }
        if (integerLength > key.length() || key.equals(SMALLEST_INTEGER)) {
            return false;
        }
        return key.length() == integerLength || key.charAt(key.length() - 1) != '0';
    }

    @Override
    public void validate(@Nullable Object value) {
        if (!(value instanceof String key)) {
            throw new ValidationException("Expected string, got " + JsText.typeOf(value));
        }
        if (!isValid(key)) {
            throw new ValidationException("Expected an index key, got " + JsText.stringify(key));
        }
    }

    @Override
    public void validateMissing() {
        throw new ValidationException("Expected string, got undefined");
    }
}
