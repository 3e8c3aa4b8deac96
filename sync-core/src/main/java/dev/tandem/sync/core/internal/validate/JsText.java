package dev.tandem.sync.core.internal.validate;

import dev.tandem.sync.core.internal.json.JsonCodec;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** How JavaScript writes values into tldraw's validation messages. Stateless, thread-safe. */
public final class JsText {
    private JsText() {}

    /** tldraw's {@code typeToString}: {@code null}, {@code an array}, {@code a string}, {@code an object}… */
    public static String typeOf(@Nullable Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof List<?>) {
            return "an array";
        }
        if (value instanceof Map<?, ?>) {
            return "an object";
        }
        if (value instanceof String) {
            return "a string";
        }
        if (value instanceof Number) {
            return "a number";
        }
        if (value instanceof Boolean) {
            return "a boolean";
        }
        return "an object";
    }

    /** JavaScript's {@code typeof}. */
    public static String typeofName(@Nullable Object value) {
        if (value instanceof String) {
            return "string";
        }
        if (value instanceof Number) {
            return "number";
        }
        if (value instanceof Boolean) {
            return "boolean";
        }
        return "object";
    }

    /** A value as a template literal shows it: {@code `${value}`}. */
    public static String display(@Nullable Object value) {
        if (value == null) {
            return "null";
        }
        if (value instanceof String s) {
            return s;
        }
        if (value instanceof Number n) {
            return number(n);
        }
        if (value instanceof Boolean b) {
            return b.toString();
        }
        if (value instanceof List<?> l) {
            StringBuilder sb = new StringBuilder();
            for (int i = 0; i < l.size(); i++) {
                if (i > 0) {
                    sb.append(',');
                }
                Object o = l.get(i);
                if (o != null) {
                    sb.append(display(o));
                }
            }
            return sb.toString();
        }
        return "[object Object]";
    }

    /** A number as JavaScript prints it. */
    public static String number(Number n) {
        if (n instanceof Long || n instanceof Integer || n instanceof Short || n instanceof Byte) {
            return Long.toString(n.longValue());
        }
        double d = n.doubleValue();
        if (Double.isNaN(d)) {
            return "NaN";
        }
        if (Double.isInfinite(d)) {
            return d > 0 ? "Infinity" : "-Infinity";
        }
        return JsonCodec.stringify(d);
    }

    /** Returns the values as tldraw lists alternatives in a message: {@code "a" or "b" or "c"}. */
    static String alternatives(Iterable<?> values) {
        StringBuilder sb = new StringBuilder();
        for (Object v : values) {
            if (sb.length() > 0) {
                sb.append(" or ");
            }
            sb.append(stringify(v));
        }
        return sb.toString();
    }

    /** {@code JSON.stringify(value)}. */
    public static String stringify(@Nullable Object value) {
        if (value instanceof Number n) {
            double d = n.doubleValue();
            if (Double.isNaN(d) || Double.isInfinite(d)) {
                return "null";
            }
        }
        try {
            return JsonCodec.stringify(value);
        } catch (RuntimeException e) {
            return String.valueOf(value);
        }
    }
}
