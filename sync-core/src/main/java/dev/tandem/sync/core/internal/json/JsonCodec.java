package dev.tandem.sync.core.internal.json;

import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import tools.jackson.core.JacksonException;
import tools.jackson.core.JsonParser;
import tools.jackson.core.JsonToken;
import tools.jackson.core.ObjectReadContext;
import tools.jackson.core.StreamReadConstraints;
import tools.jackson.core.TokenStreamFactory;
import tools.jackson.core.TokenStreamLocation;
import tools.jackson.core.json.JsonFactory;

/**
 * JSON text to and from Tandem's frozen values (see {@link Frozen}), with JavaScript's semantics: {@link
 * #parse} accepts what {@code JSON.parse} accepts (duplicate keys: the last wins, in the first one's
 * position) and {@link #stringify} produces the characters {@code JSON.stringify} would.
 *
 * <p>This package is the only place in sync-core that touches Jackson, and no Jackson type appears in its
 * API. Parsing runs Jackson's streaming parser straight into frozen maps and lists, without an
 * intermediate tree. Writing is done by {@link JsonWriter}, because Jackson's generator cannot reproduce
 * {@code JSON.stringify}'s number format or its escaping of lone surrogates.
 *
 * <p>One difference from {@code JSON.parse}: an object key holding a lone surrogate (a UTF-16 half without
 * its partner, raw or escaped) is rejected, because Jackson refuses such keys. Values may hold lone
 * surrogates; tldraw's record ids and property names never do.
 *
 * <p>Thread-safe: all state is one shared, immutable Jackson factory and a per-thread output buffer.
 */
public final class JsonCodec {
    /** The deepest nesting of arrays and objects {@link #parse} accepts; deeper input is rejected. */
    public static final int MAX_DEPTH = 1000;

    /**
     * The most levels a protocol message adds around a record it carries (a rebase of a nested {@code props}
     * patch inside a {@code data} message adds 10); kept with a margin.
     */
    public static final int ENVELOPE_DEPTH = 16;

    /**
     * The deepest record a room accepts (the record itself is one level): every message that carries it,
     * server or client side, then stays within {@link #MAX_DEPTH}, the one limit every Tandem parser applies.
     */
    public static final int MAX_RECORD_DEPTH = MAX_DEPTH - ENVELOPE_DEPTH;

    private static final double MAX_SAFE_INTEGER = 9007199254740991d;

    /** Buffers that grew past this are dropped after use rather than kept by the thread. */
    private static final int MAX_RETAINED_BUFFER_CHARS = 64 * 1024;

    private static final JsonFactory FACTORY = JsonFactory.builder()
            // Record ids are property names in every diff, so names are mostly unique: a shared name table
            // only grows, collides and is scanned on every parse (the top cost of a push under load).
            .disable(TokenStreamFactory.Feature.CANONICALIZE_PROPERTY_NAMES)
            .disable(TokenStreamFactory.Feature.INTERN_PROPERTY_NAMES)
            .streamReadConstraints(StreamReadConstraints.builder()
                    // Our own depth check runs first, with a clearer message; Jackson's is a backstop.
                    .maxNestingDepth(MAX_DEPTH + 1)
                    // The input is already a String in memory: no reason to cap string or name sizes.
                    .maxStringLength(Integer.MAX_VALUE)
                    .maxNameLength(Integer.MAX_VALUE)
                    .build())
            .build();

    private static final ThreadLocal<StringBuilder> BUFFER = ThreadLocal.withInitial(() -> new StringBuilder(1024));

    private JsonCodec() {}

    /** Returns whether {@code value} nests arrays and objects deeper than {@code max} levels. */
    public static boolean deeperThan(@Nullable Object value, int max) {
        if (!(value instanceof Map<?, ?>) && !(value instanceof List<?>)) {
            return false;
        }
        if (max <= 0) {
            return true;
        }
        if (value instanceof FrozenMap m) {
            for (int i = m.size() - 1; i >= 0; i--) {
                if (deeperThan(m.valueAt(i), max - 1)) {
                    return true;
                }
            }
            return false;
        }
        Iterable<?> children = value instanceof Map<?, ?> m ? m.values() : (List<?>) value;
        for (Object child : children) {
            if (deeperThan(child, max - 1)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Parses one JSON value into its frozen, canonical form: integral numbers within ±2^53 become {@link
     * Long}, other numbers {@link Double}, {@code -0} becomes {@code 0}.
     *
     * @throws IllegalArgumentException if {@code text} is not exactly one well-formed JSON value, nests
     *     deeper than {@link #MAX_DEPTH}, or holds a number too large for a double
     */
    public static @Nullable Object parse(String text) {
        Objects.requireNonNull(text, "text");
        try (JsonParser p = FACTORY.createParser(ObjectReadContext.empty(), text)) {
            JsonToken first = p.nextToken();
            if (first == null) {
                throw new IllegalArgumentException("malformed JSON: no value in input");
            }
            Object value = readTree(p, first);
            if (p.nextToken() != null) {
                throw new IllegalArgumentException(
                        "malformed JSON at " + where(p.currentLocation()) + ": unexpected content after the value");
            }
            return value;
        } catch (JacksonException e) {
            throw new IllegalArgumentException(
                    "malformed JSON at " + where(e.getLocation()) + ": " + e.getOriginalMessage(), e);
        } catch (IllegalStateException e) {
            // Jackson's name table can refuse input crafted to collide; that is the input's fault too.
            throw new IllegalArgumentException("malformed JSON: " + e.getMessage(), e);
        }
    }

    /** Returns the compact JSON text of a JSON value, character for character as {@code JSON.stringify}. */
    public static String stringify(@Nullable Object value) {
        return write(w -> w.value(value));
    }

    /** Appends the compact JSON text of a JSON value to {@code out}, so callers can reuse a buffer. */
    public static void stringify(@Nullable Object value, StringBuilder out) {
        new JsonWriter(out).value(value);
    }

    /** Runs {@code body} against a writer over this thread's reusable buffer and returns the text written. */
    public static String write(Consumer<JsonWriter> body) {
        StringBuilder sb = BUFFER.get();
        if (sb.length() != 0) {
            sb = new StringBuilder(256); // called from inside another write on this thread
        }
        body.accept(new JsonWriter(sb));
        String text = sb.toString();
        if (sb.capacity() > MAX_RETAINED_BUFFER_CHARS) {
            BUFFER.remove();
        } else {
            sb.setLength(0);
        }
        return text;
    }

    /**
     * Reads the value that starts at the parser's current token {@code first}, leaving the parser on that
     * value's last token. Iterative, so input depth costs heap, not stack; depth is capped at {@link
     * #MAX_DEPTH}.
     */
    static @Nullable Object readTree(JsonParser p, JsonToken first) {
        // Open containers, innermost last: an ObjectBuilder (with its pending key) or an ArrayList.
        Object[] open = new Object[16];
        String[] keys = new String[16];
        int depth = 0;
        JsonToken t = first;
        while (true) {
            Object value;
            switch (t) {
                case START_OBJECT, START_ARRAY -> {
                    if (depth == MAX_DEPTH) {
                        throw new IllegalArgumentException("malformed JSON at " + where(p.currentLocation())
                                + ": nesting deeper than " + MAX_DEPTH + " levels");
                    }
                    if (depth == open.length) {
                        open = Arrays.copyOf(open, depth * 2);
                        keys = Arrays.copyOf(keys, depth * 2);
                    }
                    open[depth++] = t == JsonToken.START_OBJECT ? new ObjectBuilder() : new ArrayList<>();
                    t = p.nextToken();
                    continue;
                }
                case PROPERTY_NAME -> {
                    String name = p.currentName();
                    if (hasLoneSurrogate(name)) {
                        throw new IllegalArgumentException("malformed JSON at " + where(p.currentLocation())
                                + ": object key with a lone surrogate is not supported");
                    }
                    keys[depth - 1] = Names.key(name);
                    t = p.nextToken();
                    continue;
                }
                case END_OBJECT -> {
                    ObjectBuilder m = (ObjectBuilder) open[--depth];
                    open[depth] = null;
                    value = m.build();
                }
                case END_ARRAY -> {
                    @SuppressWarnings("unchecked")
                    ArrayList<@Nullable Object> l = (ArrayList<@Nullable Object>) open[--depth];
                    open[depth] = null;
                    value = FrozenList.copyOf(l);
                }
                case VALUE_STRING -> value = Names.value(p.getString());
                case VALUE_NUMBER_INT -> value = readInteger(p);
                case VALUE_NUMBER_FLOAT -> value = canonical(p.getDoubleValue(), p);
                case VALUE_TRUE -> value = Boolean.TRUE;
                case VALUE_FALSE -> value = Boolean.FALSE;
                case VALUE_NULL -> value = null;
                default ->
                    throw new IllegalArgumentException(
                            "malformed JSON at " + where(p.currentLocation()) + ": unexpected token " + t);
            }
            if (depth == 0) {
                return value;
            }
            Object container = open[depth - 1];
            if (container instanceof ObjectBuilder m) {
                m.put(keys[depth - 1], value); // a repeated key keeps its first position, as in JSON.parse
            } else {
                @SuppressWarnings("unchecked")
                ArrayList<@Nullable Object> l = (ArrayList<@Nullable Object>) container;
                l.add(value);
            }
            t = p.nextToken();
        }
    }

    /** The members of an object being parsed, in {@link FrozenMap}'s layout; large objects get an index. */
    private static final class ObjectBuilder {
        private @Nullable Object[] kv = new Object[8];
        private int count;
        private java.util.@Nullable HashMap<String, Integer> index;

        void put(String key, @Nullable Object value) {
            int at = find(key);
            if (at >= 0) {
                kv[(at << 1) + 1] = value;
                return;
            }
            if (count << 1 == kv.length) {
                kv = Arrays.copyOf(kv, kv.length * 2);
            }
            kv[count << 1] = key;
            kv[(count << 1) + 1] = value;
            if (index != null) {
                index.put(key, count);
            } else if (count == Shape.INDEXED_FROM) {
                index = new java.util.HashMap<>();
                for (int i = 0; i <= count; i++) {
                    index.put((String) kv[i << 1], i);
                }
            }
            count++;
        }

        private int find(String key) {
            if (index != null) {
                Integer at = index.get(key);
                return at == null ? -1 : at;
            }
            for (int i = 0; i < count; i++) {
                if (key.equals(kv[i << 1])) {
                    return i;
                }
            }
            return -1;
        }

        FrozenMap build() {
            return FrozenMap.ofArray(kv.length == count << 1 ? kv : Arrays.copyOf(kv, count << 1));
        }
    }

    /**
     * Jackson refuses some object keys holding a lone surrogate (escaped, or raw in its slow path) and
     * accepts others. Refusing all of them keeps the rule simple and guarantees that everything parsed can be
     * written and parsed again.
     */
    private static boolean hasLoneSurrogate(String s) {
        int len = s.length();
        for (int i = 0; i < len; i++) {
            char c = s.charAt(i);
            if (Character.isSurrogate(c)) {
                if (Character.isHighSurrogate(c) && i + 1 < len && Character.isLowSurrogate(s.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            }
        }
        return false;
    }

    private static Object readInteger(JsonParser p) {
        switch (p.getNumberType()) {
            case INT:
                return (long) p.getIntValue();
            case LONG:
                long v = p.getLongValue();
                return Math.abs((double) v) <= MAX_SAFE_INTEGER ? (Object) v : (Object) (double) v;
            default:
                // Beyond long: JavaScript reads it as the nearest double, and so does parseDouble.
                return canonical(Double.parseDouble(p.getString()), p);
        }
    }

    private static Object canonical(double d, JsonParser p) {
        if (Double.isInfinite(d) || Double.isNaN(d)) {
            throw new IllegalArgumentException(
                    "malformed JSON at " + where(p.currentLocation()) + ": number out of range for a double");
        }
        if (d == Math.rint(d) && Math.abs(d) <= MAX_SAFE_INTEGER) {
            return (long) d; // folds -0 into 0
        }
        return d;
    }

    private static String where(@Nullable TokenStreamLocation loc) {
        if (loc == null || loc == TokenStreamLocation.NA) {
            return "unknown position";
        }
        return "line " + loc.getLineNr() + ", column " + loc.getColumnNr();
    }
}
