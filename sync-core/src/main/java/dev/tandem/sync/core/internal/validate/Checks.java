package dev.tandem.sync.core.internal.validate;

import dev.tandem.sync.core.ValidationException;
import dev.tandem.sync.core.Validator;
import dev.tandem.sync.core.internal.json.Frozen;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/** The leaf validators of {@code @tldraw/validate}, with its messages. Stateless, thread-safe. */
public final class Checks {
    private Checks() {}

    /** Accepts every value, missing included ({@code T.unknown}, {@code T.any}). */
    public static final Validator ANY = new Validator() {
        @Override
        public void validate(@Nullable Object value) {}

        @Override
        public void validateMissing() {}
    };

    public static final Validator STRING = new Typeof("string", String.class);
    public static final Validator BOOLEAN = new Typeof("boolean", Boolean.class);

    /** {@code T.number}: a finite number. */
    public static final Validator NUMBER = new NumberCheck(NumberCheck.ANY);

    public static final Validator POSITIVE_NUMBER = new NumberCheck(NumberCheck.POSITIVE);
    public static final Validator NON_ZERO_NUMBER = new NumberCheck(NumberCheck.NON_ZERO_POSITIVE);
    public static final Validator NON_ZERO_FINITE_NUMBER = new NumberCheck(NumberCheck.NON_ZERO);
    public static final Validator UNIT_INTERVAL = new NumberCheck(NumberCheck.UNIT);
    public static final Validator INTEGER = new NumberCheck(NumberCheck.INTEGER);
    public static final Validator POSITIVE_INTEGER = new NumberCheck(NumberCheck.POSITIVE_INTEGER);
    public static final Validator NON_ZERO_INTEGER = new NumberCheck(NumberCheck.NON_ZERO_INTEGER);

    /** {@code T.unknownObject}: any object or array. */
    public static final Validator UNKNOWN_OBJECT = new Validator() {
        @Override
        public void validate(@Nullable Object value) {
            if (!(value instanceof Map<?, ?>) && !(value instanceof List<?>)) {
                throw new ValidationException("Expected object, got " + JsText.typeOf(value));
            }
        }

        @Override
        public void validateMissing() {
            throw new ValidationException("Expected object, got undefined");
        }
    };

    /** {@code T.array}: any array. */
    public static final Validator ARRAY = new Validator() {
        @Override
        public void validate(@Nullable Object value) {
            if (!(value instanceof List<?>)) {
                throw new ValidationException("Expected an array, got " + JsText.typeOf(value));
            }
        }

        @Override
        public void validateMissing() {
            throw new ValidationException("Expected an array, got undefined");
        }
    };

    /** {@code T.jsonValue}: any JSON value; only a missing one (or a non-finite number) is refused. */
    public static final Validator JSON_VALUE = new Validator() {
        @Override
        public void validate(@Nullable Object value) {
            if (!isJson(value)) {
                throw new ValidationException("Expected json serializable value, got " + JsText.typeofName(value));
            }
        }

        @Override
        public void validateMissing() {
            throw new ValidationException("Expected json serializable value, got undefined");
        }
    };

    /** True for a tree of maps, lists, strings, numbers, booleans and nulls (what JSON can hold). */
    static boolean isJson(@Nullable Object value) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return true;
        }
        if (value instanceof List<?> l) {
            for (int i = 0, n = l.size(); i < n; i++) {
                if (!isJson(l.get(i))) {
                    return false;
                }
            }
            return true;
        }
        if (value instanceof Map<?, ?> m) {
            for (Object o : m.values()) {
                if (!isJson(o)) {
                    return false;
                }
            }
            return true;
        }
        return false;
    }

    /** Numbers compare by value, as in JavaScript: an app's {@code Integer 2} is the frozen {@code Long 2}. */
    static @Nullable Object canonical(@Nullable Object value) {
        if (value instanceof Number n && !(value instanceof Long) && !(value instanceof Double)) {
            double d = n.doubleValue();
            return Double.isNaN(d) || Double.isInfinite(d) ? value : Frozen.number(n);
        }
        if (value instanceof Double d && d == Math.rint(d) && Math.abs(d) <= 9007199254740991d) {
            return Frozen.number(d);
        }
        return value;
    }

    /** {@code typeof value === type}. */
    static final class Typeof implements Validator {
        private final String type;
        private final Class<?> javaType;

        Typeof(String type, Class<?> javaType) {
            this.type = type;
            this.javaType = javaType;
        }

        @Override
        public void validate(@Nullable Object value) {
            if (!javaType.isInstance(value)) {
                throw new ValidationException("Expected " + type + ", got " + JsText.typeOf(value));
            }
        }

        @Override
        public void validateMissing() {
            throw new ValidationException("Expected " + type + ", got undefined");
        }
    }

    /** The number validators: one rule each, and tldraw's message for each way to break it. */
    static final class NumberCheck implements Validator {
        static final int ANY = 0;
        static final int POSITIVE = 1;
        static final int NON_ZERO_POSITIVE = 2;
        static final int NON_ZERO = 3;
        static final int UNIT = 4;
        static final int INTEGER = 5;
        static final int POSITIVE_INTEGER = 6;
        static final int NON_ZERO_INTEGER = 7;

        private final int rule;

        NumberCheck(int rule) {
            this.rule = rule;
        }

        @Override
        public void validate(@Nullable Object value) {
            if (value instanceof Long l) {
                long v = l;
                // a Long is finite and integral: only the sign rules can refuse it
                if (rule == POSITIVE || rule == POSITIVE_INTEGER
                        ? v >= 0
                        : rule == NON_ZERO_POSITIVE || rule == NON_ZERO_INTEGER
                                ? v > 0
                                : rule == NON_ZERO ? v != 0 : rule == UNIT ? v == 0 || v == 1 : true) {
                    return;
                }
                refuse(v);
            }
            if (!(value instanceof Number n)) {
                throw new ValidationException("Expected number, got " + JsText.typeOf(value));
            }
            double d = n.doubleValue();
            if (accepts(d)) {
                return;
            }
            refuse(d);
        }

        private boolean accepts(double d) {
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return false;
            }
            return switch (rule) {
                case POSITIVE -> d >= 0;
                case NON_ZERO_POSITIVE -> d > 0;
                case NON_ZERO -> d != 0;
                case UNIT -> d >= 0 && d <= 1;
                case INTEGER -> d == Math.rint(d);
                case POSITIVE_INTEGER -> d == Math.rint(d) && d >= 0;
                case NON_ZERO_INTEGER -> d == Math.rint(d) && d > 0;
                default -> true;
            };
        }

        private void refuse(double d) {
            String shown = JsText.number(d);
            if (Double.isNaN(d)) {
                throw new ValidationException("Expected a number, got NaN");
            }
            switch (rule) {
                case UNIT -> throw new ValidationException("Expected a number between 0 and 1, got " + shown);
                case POSITIVE -> {
                    if (d < 0) {
                        throw new ValidationException("Expected a positive number, got " + shown);
                    }
                }
                case NON_ZERO_POSITIVE -> {
                    if (d <= 0) {
                        throw new ValidationException("Expected a non-zero positive number, got " + shown);
                    }
                }
                case NON_ZERO -> {
                    if (d == 0) {
                        throw new ValidationException("Expected a non-zero number, got 0");
                    }
                }
                default -> {}
            }
            if (Double.isInfinite(d)) {
                throw new ValidationException("Expected a finite number, got " + shown);
            }
            if (rule == POSITIVE_INTEGER && d < 0) {
                throw new ValidationException("Expected a positive integer, got " + shown);
            }
            if (rule == NON_ZERO_INTEGER && d <= 0) {
                throw new ValidationException("Expected a non-zero positive integer, got " + shown);
            }
            throw new ValidationException("Expected an integer, got " + shown);
        }

        @Override
        public void validateMissing() {
            throw new ValidationException("Expected number, got undefined");
        }
    }

    /** {@code T.literal}: exactly one value. */
    public static final class Literal implements Validator {
        private final Object expected;

        public Literal(Object expected) {
            this.expected = expected;
        }

        @Override
        public void validate(@Nullable Object value) {
            if (!expected.equals(canonical(value))) {
                throw new ValidationException(
                        "Expected " + JsText.display(expected) + ", got " + JsText.stringify(value));
            }
        }

        @Override
        public void validateMissing() {
            throw new ValidationException("Expected " + JsText.display(expected) + ", got undefined");
        }
    }

    /** {@code T.setEnum} and {@code T.literalEnum}: one of a set of values. */
    public static final class OneOf implements Validator {
        private final Set<Object> values;
        private final String expected;

        public OneOf(List<Object> values) {
            this.values = Set.copyOf(values);
            this.expected = JsText.alternatives(values);
        }

        @Override
        public void validate(@Nullable Object value) {
            if (value == null || !values.contains(canonical(value))) {
                throw new ValidationException("Expected " + expected + ", got " + JsText.display(value));
            }
        }

        @Override
        public void validateMissing() {
            throw new ValidationException("Expected " + expected + ", got undefined");
        }
    }

    /** {@code T.nullable}. */
    public static final class NullableCheck implements Validator {
        private final Validator inner;

        public NullableCheck(Validator inner) {
            this.inner = inner;
        }

        @Override
        public void validate(@Nullable Object value) {
            if (value != null) {
                inner.validate(value);
            }
        }

        @Override
        public void validateMissing() {
            inner.validateMissing();
        }
    }

    /** {@code T.optional}. */
    public static final class OptionalCheck implements Validator {
        private final Validator inner;

        public OptionalCheck(Validator inner) {
            this.inner = inner;
        }

        @Override
        public void validate(@Nullable Object value) {
            inner.validate(value);
        }

        @Override
        public void validateMissing() {}
    }
}
