package dev.tandem.sync.core;

import dev.tandem.sync.core.internal.validate.ArrayCheck;
import dev.tandem.sync.core.internal.validate.Checks;
import dev.tandem.sync.core.internal.validate.DictCheck;
import dev.tandem.sync.core.internal.validate.IndexKeys;
import dev.tandem.sync.core.internal.validate.ObjectCheck;
import dev.tandem.sync.core.internal.validate.UnionCheck;
import dev.tandem.sync.core.internal.validate.UrlCheck;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The standard {@link Validator}s, with the semantics and messages of tldraw's {@code @tldraw/validate}
 * ({@code T.*}) as published with tldraw 5.4.2. All are immutable and thread-safe, allocate nothing and
 * throw nothing on valid input.
 *
 * <p>Numbers follow JavaScript: every number validator refuses NaN and the infinities; "integer" means an
 * integral value ({@code 3.0} is one); "positive" includes zero, "non-zero" means greater than zero. A
 * missing object property is JavaScript's {@code undefined}: only {@link #optional}, {@link #unknown} and
 * the validators built on them accept it; {@code null} is a value and only {@link #nullable}, {@link
 * #jsonValue} and {@link #unknown} accept it.
 *
 * <pre>{@code
 * Validator point = Validators.object(Map.of(
 *     "x", Validators.number(),
 *     "y", Validators.number()));
 * Validator cardProps = Validators.object(Map.of(
 *     "w", Validators.nonZeroNumber(),
 *     "label", Validators.string(),
 *     "anchor", point.nullable(),
 *     "tone", Validators.literalEnum("calm", "loud")));
 * cardProps.validate(Json.parse("{\"w\":-5,\"label\":\"x\",\"anchor\":null,\"tone\":\"calm\"}"));
 * // throws ValidationException: At w: Expected a non-zero positive number, got -5
 * }</pre>
 */
public final class Validators {
    private Validators() {}

    /** {@code T.string}: any string. */
    public static Validator string() {
        return Checks.STRING;
    }

    /** {@code T.number}: a finite number. */
    public static Validator number() {
        return Checks.NUMBER;
    }

    /** {@code T.positiveNumber}: a finite number {@code >= 0}. */
    public static Validator positiveNumber() {
        return Checks.POSITIVE_NUMBER;
    }

    /** {@code T.nonZeroNumber}: a finite number {@code > 0}. */
    public static Validator nonZeroNumber() {
        return Checks.NON_ZERO_NUMBER;
    }

    /** {@code T.nonZeroFiniteNumber}: a finite number other than 0. */
    public static Validator nonZeroFiniteNumber() {
        return Checks.NON_ZERO_FINITE_NUMBER;
    }

    /** {@code T.unitInterval}: a number from 0 to 1, both included. */
    public static Validator unitInterval() {
        return Checks.UNIT_INTERVAL;
    }

    /** {@code T.integer}: a finite integral number. */
    public static Validator integer() {
        return Checks.INTEGER;
    }

    /** {@code T.positiveInteger}: a finite integral number {@code >= 0}. */
    public static Validator positiveInteger() {
        return Checks.POSITIVE_INTEGER;
    }

    /** {@code T.nonZeroInteger}: a finite integral number {@code > 0}. */
    public static Validator nonZeroInteger() {
        return Checks.NON_ZERO_INTEGER;
    }

    /** {@code T.boolean}: {@code true} or {@code false}. */
    public static Validator bool() {
        return Checks.BOOLEAN;
    }

    /** {@code T.unknown}: anything, a missing value included. */
    public static Validator unknown() {
        return Checks.ANY;
    }

    /** {@code T.jsonValue}: any JSON value, {@code null} included; refuses only a missing value. */
    public static Validator jsonValue() {
        return Checks.JSON_VALUE;
    }

    /** {@code T.unknownObject}: any object (to JavaScript, an array is one too). */
    public static Validator unknownObject() {
        return Checks.UNKNOWN_OBJECT;
    }

    /** {@code T.array}: any array. */
    public static Validator array() {
        return Checks.ARRAY;
    }

    /** {@code T.indexKey}: a fractional index key such as {@code a1} or {@code a0V}. */
    public static Validator indexKey() {
        return IndexKeys.INSTANCE;
    }

    /** {@code T.linkUrl}: empty, or a URL with protocol {@code http:}, {@code https:} or {@code mailto:}. */
    public static Validator linkUrl() {
        return UrlCheck.LINK;
    }

    /** {@code T.srcUrl}: empty, or a URL with protocol {@code http:}, {@code https:}, {@code data:} or {@code asset:}. */
    public static Validator srcUrl() {
        return UrlCheck.SRC;
    }

    /** {@code T.httpUrl}: empty, or a URL with protocol {@code http:} or {@code https:}. */
    public static Validator httpUrl() {
        return UrlCheck.HTTP;
    }

    /** {@code T.literal}: exactly {@code value} (a string, number or boolean). */
    public static Validator literal(Object value) {
        return new Checks.Literal(jsonLeaf(value, "value"));
    }

    /** {@code T.literalEnum}: one of {@code values}; the message lists them in this order. */
    public static Validator literalEnum(Object... values) {
        return setEnum(Arrays.asList(Objects.requireNonNull(values, "values")));
    }

    /** {@code T.setEnum}: one of {@code values}; the message lists them in iteration order. */
    public static Validator setEnum(Iterable<?> values) {
        Objects.requireNonNull(values, "values");
        List<Object> list = new ArrayList<>();
        for (Object v : values) {
            Object leaf = jsonLeaf(v, "enum value");
            if (!list.contains(leaf)) {
                list.add(leaf);
            }
        }
        if (list.isEmpty()) {
            throw new IllegalArgumentException("an enum needs at least one value but got none");
        }
        return new Checks.OneOf(list);
    }

    /** {@code T.arrayOf}: an array whose every item passes {@code item}. */
    public static Validator arrayOf(Validator item) {
        return new ArrayCheck(Objects.requireNonNull(item, "item"));
    }

    /**
     * {@code T.object}: an object with exactly these properties; any other property is refused. A missing
     * property is passed to its validator's {@link Validator#validateMissing}. Properties are checked in the
     * map's iteration order, which decides only which error is reported first (pass a {@code LinkedHashMap}
     * to fix it).
     */
    public static Validator object(Map<String, ? extends Validator> properties) {
        return new ObjectCheck(checkProperties(properties), false);
    }

    /** {@code T.object(…).allowUnknownProperties()}: like {@link #object}, but other properties are allowed. */
    public static Validator objectAllowingUnknown(Map<String, ? extends Validator> properties) {
        return new ObjectCheck(checkProperties(properties), true);
    }

    /** {@code T.dict}: an object whose every key passes {@code key} and every value passes {@code value}. */
    public static Validator dict(Validator key, Validator value) {
        return new DictCheck(Objects.requireNonNull(key, "key"), Objects.requireNonNull(value, "value"));
    }

    /**
     * {@code T.union}: an object whose string property {@code key} names the variant, and that variant's
     * validator checks the whole object. An unknown variant is refused.
     */
    public static Validator union(String key, Map<String, ? extends Validator> variants) {
        Objects.requireNonNull(key, "key");
        return new UnionCheck(key, checkProperties(variants));
    }

    /** {@code T.nullable}: {@code null}, or a value {@code validator} accepts. */
    public static Validator nullable(Validator validator) {
        Objects.requireNonNull(validator, "validator");
        return validator instanceof Checks.NullableCheck ? validator : new Checks.NullableCheck(validator);
    }

    /** {@code T.optional}: a missing value, or a value {@code validator} accepts ({@code null} only if it does). */
    public static Validator optional(Validator validator) {
        Objects.requireNonNull(validator, "validator");
        return validator instanceof Checks.OptionalCheck ? validator : new Checks.OptionalCheck(validator);
    }

    /**
     * {@code T.model}: {@code validator}, with {@code name} leading the path of its errors ({@code At
     * shape(type = geo).props.w: …}).
     */
    public static Validator model(String name, Validator validator) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(validator, "validator");
        return new Validator() {
            @Override
            public void validate(@Nullable Object value) {
                try {
                    validator.validate(value);
                } catch (ValidationException e) {
                    throw e.prefixed(name);
                }
            }

            @Override
            public void validateMissing() {
                try {
                    validator.validateMissing();
                } catch (ValidationException e) {
                    throw e.prefixed(name);
                }
            }
        };
    }

    private static <V extends Validator> Map<String, Validator> checkProperties(Map<String, V> properties) {
        Objects.requireNonNull(properties, "properties");
        Map<String, Validator> copy = new java.util.LinkedHashMap<>();
        properties.forEach((k, v) -> {
            Objects.requireNonNull(k, "property name");
            copy.put(k, Objects.requireNonNull(v, () -> "validator of " + k));
        });
        return copy;
    }

    private static Object jsonLeaf(@Nullable Object value, String what) {
        Objects.requireNonNull(value, what);
        if (value instanceof String || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Number n) {
            return Json.freeze(n);
        }
        throw new IllegalArgumentException(what + " must be a string, number or boolean but was " + value);
    }
}
