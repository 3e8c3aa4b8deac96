package dev.tandem.sync.core.internal.json;

import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * Streams compact JSON into a {@link StringBuilder}, producing exactly the characters JavaScript's {@code
 * JSON.stringify} would for the same value: numbers in JavaScript's format ({@code 0.1}, {@code 1e+21},
 * {@code 1.5e-7}, {@code 100000000000000000000}), strings escaped as {@code JSON.stringify} escapes them
 * (control characters as <code>&#92;u00xx</code> in lower case, lone surrogates as <code>&#92;udxxx</code>, nothing else;
 * U+2028, U+2029 and {@code /} stay as they are).
 *
 * <p>Callers drive the structure ({@link #beginObject()}, {@link #name(String)}, values, {@link
 * #endObject()} and so on) and are trusted to nest it correctly; the writer only inserts the commas.
 * {@link #value(Object)} writes any JSON value: maps with string keys, lists, strings, booleans, numbers
 * and null. Not thread-safe: one writer per buffer, used by one thread at a time.
 */
public final class JsonWriter {
    private static final long TWO_POW_53 = 1L << 53;
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder out;

    /** True when the next value or name follows a completed value at the same level, so needs a comma. */
    private boolean needComma;

    /** The length from which {@link #spillPoint} hands the text out; unused without {@link #spill}. */
    private final int spillChars;

    private final @Nullable Consumer<String> spill;

    /** Creates a writer that appends to {@code out}. */
    public JsonWriter(StringBuilder out) {
        this.out = Objects.requireNonNull(out, "out");
        this.spillChars = Integer.MAX_VALUE;
        this.spill = null;
    }

    /**
     * Creates a writer that appends to {@code out} and, at each {@link #spillPoint} its caller marks, hands the
     * text written so far to {@code spill} once it is {@code spillChars} long, emptying {@code out}: a large
     * value can then go out in pieces while it is written.
     */
    public JsonWriter(StringBuilder out, int spillChars, Consumer<String> spill) {
        if (spillChars <= 0) {
            throw new IllegalArgumentException("spillChars must be positive but was " + spillChars);
        }
        this.out = Objects.requireNonNull(out, "out");
        this.spillChars = spillChars;
        this.spill = Objects.requireNonNull(spill, "spill");
    }

    /**
     * Marks a place between two whole values where the text so far may be handed out (never inside a string,
     * so a piece never ends in half a surrogate pair).
     */
    public void spillPoint() {
        Consumer<String> s = spill;
        if (s != null && out.length() >= spillChars) {
            String piece = out.toString();
            out.setLength(0);
            s.accept(piece);
        }
    }

    /** Returns the buffer written to. */
    public StringBuilder buffer() {
        return out;
    }

    public JsonWriter beginObject() {
        separate();
        out.append('{');
        needComma = false;
        return this;
    }

    public JsonWriter endObject() {
        out.append('}');
        needComma = true;
        return this;
    }

    public JsonWriter beginArray() {
        separate();
        out.append('[');
        needComma = false;
        return this;
    }

    public JsonWriter endArray() {
        out.append(']');
        needComma = true;
        return this;
    }

    /** Writes an object member's name; the member's value must follow. */
    public JsonWriter name(String name) {
        separate();
        appendString(out, name);
        out.append(':');
        needComma = false;
        return this;
    }

    public JsonWriter value(String s) {
        separate();
        appendString(out, s);
        needComma = true;
        return this;
    }

    public JsonWriter value(long v) {
        separate();
        appendLong(out, v);
        needComma = true;
        return this;
    }

    public JsonWriter value(double v) {
        separate();
        JsNumbers.append(out, v);
        needComma = true;
        return this;
    }

    public JsonWriter value(boolean v) {
        separate();
        out.append(v ? "true" : "false");
        needComma = true;
        return this;
    }

    public JsonWriter nullValue() {
        separate();
        out.append("null");
        needComma = true;
        return this;
    }

    /**
     * Writes any JSON value: a {@link Map} with string keys, a {@link List}, a {@link String}, {@link
     * Boolean}, {@link Number}, {@link Character} or null. Non-finite numbers are written as {@code null},
     * as {@code JSON.stringify} does.
     *
     * @throws IllegalArgumentException if the value, or anything inside it, is not a JSON value
     */
    public JsonWriter value(@Nullable Object value) {
        separate();
        writeAny(value);
        needComma = true;
        return this;
    }

    private void separate() {
        if (needComma) {
            out.append(',');
        }
    }

    private void writeAny(@Nullable Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            appendString(out, s);
        } else if (value instanceof Long l) {
            appendLong(out, l);
        } else if (value instanceof CompactRecord c) {
            c.appendJson(out);
        } else if (value instanceof FrozenMap m) {
            out.append('{');
            int size = m.size();
            for (int i = 0; i < size; i++) {
                if (i > 0) {
                    out.append(',');
                }
                appendString(out, m.keyAt(i));
                out.append(':');
                writeAny(m.valueAt(i));
            }
            out.append('}');
        } else if (value instanceof Map<?, ?> m) {
            out.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : m.entrySet()) {
                if (!(e.getKey() instanceof String key)) {
                    throw new IllegalArgumentException("JSON object keys must be strings but was " + e.getKey());
                }
                if (!first) {
                    out.append(',');
                }
                first = false;
                appendString(out, key);
                out.append(':');
                writeAny(e.getValue());
            }
            out.append('}');
        } else if (value instanceof List<?> l) {
            out.append('[');
            int size = l.size();
            for (int i = 0; i < size; i++) {
                if (i > 0) {
                    out.append(',');
                }
                writeAny(l.get(i));
            }
            out.append(']');
        } else if (value instanceof Boolean b) {
            out.append(b ? "true" : "false");
        } else if (value instanceof Double d) {
            JsNumbers.append(out, d);
        } else if (value instanceof Integer || value instanceof Short || value instanceof Byte) {
            out.append(((Number) value).longValue());
        } else if (value instanceof BigInteger b) {
            JsNumbers.append(out, b.doubleValue());
        } else if (value instanceof BigDecimal b) {
            JsNumbers.append(out, b.doubleValue());
        } else if (value instanceof Number n) {
            JsNumbers.append(out, n.doubleValue());
        } else if (value instanceof Character c) {
            appendString(out, String.valueOf(c));
        } else {
            throw new IllegalArgumentException(
                    "not a JSON value: " + value.getClass().getName());
        }
    }

    /** Longs beyond ±2^53 are not exact in JavaScript; they print as the double they would become. */
    private static void appendLong(StringBuilder out, long v) {
        if (v >= -TWO_POW_53 && v <= TWO_POW_53) {
            out.append(v);
        } else {
            JsNumbers.append(out, (double) v);
        }
    }

    /** Appends {@code s} as a JSON string literal, escaped exactly as {@code JSON.stringify} does. */
    static void appendString(StringBuilder out, String s) {
        out.append('"');
        int len = s.length();
        int from = 0; // start of the run of characters not yet copied
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (c >= 0x20 && c != '"' && c != '\\' && !Character.isSurrogate(c)) {
                continue;
            }
            if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                i++; // a well-formed pair is copied as is
                continue;
            }
            out.append(s, from, i);
            from = i + 1;
            appendEscape(out, c);
        }
        out.append(s, from, len).append('"');
    }

    /** Appends the escape {@code JSON.stringify} writes for a quote, backslash, control or lone surrogate. */
    static void appendEscape(StringBuilder out, char c) {
        switch (c) {
            case '"' -> out.append("\\\"");
            case '\\' -> out.append("\\\\");
            case '\b' -> out.append("\\b");
            case '\f' -> out.append("\\f");
            case '\n' -> out.append("\\n");
            case '\r' -> out.append("\\r");
            case '\t' -> out.append("\\t");
            default ->
                out.append("\\u")
                        .append(HEX[c >> 12])
                        .append(HEX[(c >> 8) & 0xF])
                        .append(HEX[(c >> 4) & 0xF])
                        .append(HEX[c & 0xF]);
        }
    }
}
