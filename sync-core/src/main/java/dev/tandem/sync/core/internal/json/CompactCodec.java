package dev.tandem.sync.core.internal.json;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.jspecify.annotations.Nullable;

/**
 * The binary form of a {@link CompactRecord}: a frozen JSON tree written as values only, one tag byte per
 * value. Object keys are the code of their key set in a {@link CompactDictionary} (inline when the set has no
 * code), recurring short strings are dictionary codes, small integers fit in the tag, decimals with up to six
 * fraction digits are an integer and a scale, other strings are Latin-1 bytes (UTF-16 when they need to be,
 * which keeps lone surrogates exact), and the record's own id is a one-byte reference to the id the record
 * is kept under.
 *
 * <p>Decoding gives a tree equal to the one encoded: the same keys in the same order, and values of the same
 * canonical types ({@link Long}, {@link Double}, {@link String}, {@link Boolean}, null, {@link FrozenMap},
 * {@link FrozenList}). {@link #writeJson} writes the JSON text {@link JsonWriter} would write for that tree
 * without building it. Stateless and thread-safe.
 */
final class CompactCodec {
    static final int NULL = 0;
    static final int FALSE = 1;
    static final int TRUE = 2;
    /** The record's own id. */
    static final int OWN_ID = 3;
    /** A long, zig-zag varint. */
    static final int LONG = 4;
    /** A double, its 8 bytes. */
    static final int DOUBLE = 5;
    /** A string by its dictionary code (varint). */
    static final int STRING_CODE = 6;
    /** A Latin-1 string: varint length, one byte per char. */
    static final int LATIN1 = 7;
    /** Any other string: varint length, two bytes per char. */
    static final int UTF16 = 8;
    /** An object by its key set's code (varint), then its values. */
    static final int OBJECT_SHAPE = 9;
    /** An object with inline keys: varint size, then key (a string) and value, alternating. */
    static final int OBJECT_INLINE = 10;
    /** An array: varint size, then its elements. */
    static final int ARRAY = 11;

    static final int EMPTY_OBJECT = 12;
    static final int EMPTY_ARRAY = 13;
    /** {@code DECIMAL + k} (k = 1…15): the double {@code m / 10^k}, m a zig-zag varint. */
    static final int DECIMAL = 0x10;

    static final int MAX_DECIMAL_SCALE = 15;
    /** Integers 0…63 are one tag byte. */
    static final int SMALL_INT = 0x40;
    /** Latin-1 strings of 0…63 chars have their length in the tag. */
    static final int SHORT_LATIN1 = 0x80;
    /** String codes 0…63 are one tag byte. */
    static final int SHORT_CODE = 0xC0;

    private static final int SHORT_LIMIT = 64;
    /**
     * Decimals have at most 15 significant digits, so no shorter decimal reads back as the same double: their
     * digits are JavaScript's shortest form.
     */
    private static final double MAX_DECIMAL_MANTISSA = 1e15;
    /** JavaScript writes smaller numbers with an exponent; decimals are only those it writes plainly. */
    private static final double MIN_DECIMAL = 1e-6;

    private static final double[] POW10 = new double[MAX_DECIMAL_SCALE + 1];
    private static final long[] LONG_POW10 = new long[MAX_DECIMAL_SCALE + 1];

    static {
        long p = 1;
        for (int k = 0; k <= MAX_DECIMAL_SCALE; k++) {
            LONG_POW10[k] = p;
            POW10[k] = p; // exact: powers of ten up to 10^22 are doubles
            p *= 10;
        }
    }

    private static final ThreadLocal<Buffer> BUFFER = ThreadLocal.withInitial(Buffer::new);
    private static final int MAX_RETAINED_BUFFER = 64 * 1024;

    private CompactCodec() {}

    // ---- encoding -----------------------------------------------------------------------------------------

    /** Returns the encoded form of {@code tree}; a string equal to {@code ownId} is written as a reference. */
    static byte[] encode(FrozenMap tree, @Nullable String ownId, CompactDictionary dict) {
        Buffer b = BUFFER.get();
        b.pos = 0;
        try {
            writeValue(b, tree, ownId, dict);
            return Arrays.copyOf(b.bytes, b.pos);
        } finally {
            if (b.bytes.length > MAX_RETAINED_BUFFER) {
                b.bytes = new byte[256];
            }
        }
    }

    private static void writeValue(Buffer b, @Nullable Object v, @Nullable String ownId, CompactDictionary dict) {
        if (v == null) {
            b.put(NULL);
        } else if (v instanceof String s) {
            writeString(b, s, ownId, dict);
        } else if (v instanceof Long l) {
            long n = l;
            if (n >= 0 && n < SHORT_LIMIT) {
                b.put(SMALL_INT + (int) n);
            } else {
                b.put(LONG);
                b.varint(zigzag(n));
            }
        } else if (v instanceof Boolean bool) {
            b.put(bool ? TRUE : FALSE);
        } else if (v instanceof FrozenMap m) {
            writeObject(b, m, ownId, dict);
        } else if (v instanceof FrozenList l) {
            int size = l.size();
            if (size == 0) {
                b.put(EMPTY_ARRAY);
                return;
            }
            b.put(ARRAY);
            b.varint(size);
            for (int i = 0; i < size; i++) {
                writeValue(b, l.get(i), ownId, dict);
            }
        } else if (v instanceof Double d) {
            writeDouble(b, d);
        } else {
            throw new IllegalArgumentException(
                    "not a frozen JSON value: " + v.getClass().getName());
        }
    }

    private static void writeObject(Buffer b, FrozenMap m, @Nullable String ownId, CompactDictionary dict) {
        int size = m.size();
        if (size == 0) {
            b.put(EMPTY_OBJECT);
            return;
        }
        int code = dict.shapeCode(m.shape());
        if (code >= 0) {
            b.put(OBJECT_SHAPE);
            b.varint(code);
            for (int i = 0; i < size; i++) {
                writeValue(b, m.valueAt(i), ownId, dict);
            }
        } else {
            b.put(OBJECT_INLINE);
            b.varint(size);
            for (int i = 0; i < size; i++) {
                writeString(b, m.keyAt(i), null, dict);
                writeValue(b, m.valueAt(i), ownId, dict);
            }
        }
    }

    private static void writeDouble(Buffer b, double d) {
        for (int k = 1; k <= MAX_DECIMAL_SCALE && Math.abs(d) >= MIN_DECIMAL; k++) {
            double scaled = d * POW10[k];
            if (Math.abs(scaled) >= MAX_DECIMAL_MANTISSA) {
                break;
            }
            double m = Math.rint(scaled);
            if (m / POW10[k] == d) {
                b.put(DECIMAL + k);
                b.varint(zigzag((long) m));
                return;
            }
        }
        b.put(DOUBLE);
        long bits = Double.doubleToRawLongBits(d);
        for (int shift = 56; shift >= 0; shift -= 8) {
            b.put((int) (bits >>> shift) & 0xFF);
        }
    }

    private static void writeString(Buffer b, String s, @Nullable String ownId, CompactDictionary dict) {
        if (ownId != null && (s == ownId || s.equals(ownId))) {
            b.put(OWN_ID);
            return;
        }
        int code = dict.stringCode(s);
        if (code >= 0) {
            if (code < SHORT_LIMIT) {
                b.put(SHORT_CODE + code);
            } else {
                b.put(STRING_CODE);
                b.varint(code);
            }
            return;
        }
        int len = s.length();
        boolean latin1 = true;
        for (int i = 0; i < len; i++) {
            if (s.charAt(i) > 0xFF) {
                latin1 = false;
                break;
            }
        }
        if (latin1) {
            if (len < SHORT_LIMIT) {
                b.put(SHORT_LATIN1 + len);
            } else {
                b.put(LATIN1);
                b.varint(len);
            }
            b.ensure(len);
            for (int i = 0; i < len; i++) {
                b.bytes[b.pos++] = (byte) s.charAt(i);
            }
        } else {
            b.put(UTF16);
            b.varint(len);
            b.ensure(len * 2);
            for (int i = 0; i < len; i++) {
                char c = s.charAt(i);
                b.bytes[b.pos++] = (byte) (c >>> 8);
                b.bytes[b.pos++] = (byte) c;
            }
        }
    }

    private static long zigzag(long n) {
        return (n << 1) ^ (n >> 63);
    }

    /** A growable byte buffer, one per thread. */
    private static final class Buffer {
        byte[] bytes = new byte[256];
        int pos;

        void ensure(int more) {
            if (pos + more > bytes.length) {
                bytes = Arrays.copyOf(bytes, Math.max(bytes.length * 2, pos + more));
            }
        }

        void put(int b) {
            ensure(1);
            bytes[pos++] = (byte) b;
        }

        void varint(long v) {
            ensure(10);
            while ((v & ~0x7FL) != 0) {
                bytes[pos++] = (byte) ((v & 0x7F) | 0x80);
                v >>>= 7;
            }
            bytes[pos++] = (byte) v;
        }
    }

    // ---- decoding -----------------------------------------------------------------------------------------

    /** Returns the tree {@code bytes} encode; the own-id reference becomes {@code ownId}. */
    static FrozenMap decode(byte[] bytes, @Nullable String ownId, CompactDictionary dict) {
        Reader r = new Reader(bytes, ownId, dict);
        Object tree = r.value();
        if (!(tree instanceof FrozenMap m) || r.pos != bytes.length) {
            throw new IllegalStateException("not an encoded object");
        }
        return m;
    }

    /** Reads one encoded tree; the position moves past each value read. */
    private static final class Reader {
        final byte[] bytes;
        final @Nullable String ownId;
        final CompactDictionary dict;
        int pos;

        Reader(byte[] bytes, @Nullable String ownId, CompactDictionary dict) {
            this.bytes = bytes;
            this.ownId = ownId;
            this.dict = dict;
        }

        @Nullable
        Object value() {
            int tag = bytes[pos++] & 0xFF;
            if (tag >= SHORT_CODE) {
                return dict.string(tag - SHORT_CODE);
            }
            if (tag >= SHORT_LATIN1) {
                return latin1(tag - SHORT_LATIN1);
            }
            if (tag >= SMALL_INT) {
                return (long) (tag - SMALL_INT);
            }
            if (tag > DECIMAL && tag <= DECIMAL + MAX_DECIMAL_SCALE) {
                return (double) unzigzag(varint()) / POW10[tag - DECIMAL];
            }
            switch (tag) {
                case NULL:
                    return null;
                case FALSE:
                    return Boolean.FALSE;
                case TRUE:
                    return Boolean.TRUE;
                case OWN_ID:
                    if (ownId == null) {
                        throw new IllegalStateException("an own-id reference in a record without an id");
                    }
                    return ownId;
                case LONG:
                    return unzigzag(varint());
                case DOUBLE:
                    return Double.longBitsToDouble(rawLong());
                case STRING_CODE:
                    return dict.string((int) varint());
                case LATIN1:
                    return latin1((int) varint());
                case UTF16:
                    return utf16((int) varint());
                case OBJECT_SHAPE: {
                    Shape shape = dict.shape((int) varint());
                    @Nullable Object[] values = new Object[shape.size()];
                    for (int i = 0; i < values.length; i++) {
                        values[i] = value();
                    }
                    return FrozenMap.of(shape, values);
                }
                case OBJECT_INLINE: {
                    int size = (int) varint();
                    String[] keys = new String[size];
                    @Nullable Object[] values = new Object[size];
                    for (int i = 0; i < size; i++) {
                        keys[i] = Names.key((String) value());
                        values[i] = value();
                    }
                    return FrozenMap.of(Shape.of(keys), values);
                }
                case ARRAY: {
                    @Nullable Object[] items = new Object[(int) varint()];
                    for (int i = 0; i < items.length; i++) {
                        items[i] = value();
                    }
                    return FrozenList.ofArray(items);
                }
                case EMPTY_OBJECT:
                    return FrozenMap.EMPTY;
                case EMPTY_ARRAY:
                    return FrozenList.EMPTY;
                default:
                    throw new IllegalStateException("unknown tag " + tag + " at " + (pos - 1));
            }
        }

        String latin1(int len) {
            String s = new String(bytes, pos, len, StandardCharsets.ISO_8859_1);
            pos += len;
            return s;
        }

        String utf16(int len) {
            char[] chars = new char[len];
            for (int i = 0; i < len; i++) {
                chars[i] = (char) (((bytes[pos] & 0xFF) << 8) | (bytes[pos + 1] & 0xFF));
                pos += 2;
            }
            return new String(chars);
        }

        long varint() {
            long v = 0;
            int shift = 0;
            while (true) {
                byte b = bytes[pos++];
                v |= (long) (b & 0x7F) << shift;
                if (b >= 0) {
                    return v;
                }
                shift += 7;
            }
        }

        long rawLong() {
            long v = 0;
            for (int i = 0; i < 8; i++) {
                v = (v << 8) | (bytes[pos++] & 0xFF);
            }
            return v;
        }

        // ---- JSON text ------------------------------------------------------------------------------------

        void json(StringBuilder out) {
            int tag = bytes[pos++] & 0xFF;
            if (tag >= SHORT_CODE) {
                out.append(dict.stringJson(tag - SHORT_CODE));
            } else if (tag >= SHORT_LATIN1) {
                latin1Json(out, tag - SHORT_LATIN1);
            } else if (tag >= SMALL_INT) {
                out.append(tag - SMALL_INT);
            } else if (tag > DECIMAL && tag <= DECIMAL + MAX_DECIMAL_SCALE) {
                decimalJson(out, unzigzag(varint()), tag - DECIMAL);
            } else {
                switch (tag) {
                    case NULL -> out.append("null");
                    case FALSE -> out.append("false");
                    case TRUE -> out.append("true");
                    case OWN_ID -> JsonWriter.appendString(out, ownId);
                    case LONG -> out.append(unzigzag(varint())); // frozen longs are within ±2^53: plain digits
                    case DOUBLE -> JsNumbers.append(out, Double.longBitsToDouble(rawLong()));
                    case STRING_CODE -> out.append(dict.stringJson((int) varint()));
                    case LATIN1 -> latin1Json(out, (int) varint());
                    case UTF16 -> JsonWriter.appendString(out, utf16((int) varint()));
                    case OBJECT_SHAPE -> {
                        String[] names = dict.shape((int) varint()).namesJson();
                        out.append('{');
                        for (int i = 0; i < names.length; i++) {
                            if (i > 0) {
                                out.append(',');
                            }
                            out.append(names[i]);
                            json(out);
                        }
                        out.append('}');
                    }
                    case OBJECT_INLINE -> {
                        int size = (int) varint();
                        out.append('{');
                        for (int i = 0; i < size; i++) {
                            if (i > 0) {
                                out.append(',');
                            }
                            json(out);
                            out.append(':');
                            json(out);
                        }
                        out.append('}');
                    }
                    case ARRAY -> {
                        int size = (int) varint();
                        out.append('[');
                        for (int i = 0; i < size; i++) {
                            if (i > 0) {
                                out.append(',');
                            }
                            json(out);
                        }
                        out.append(']');
                    }
                    case EMPTY_OBJECT -> out.append("{}");
                    case EMPTY_ARRAY -> out.append("[]");
                    default -> throw new IllegalStateException("unknown tag " + tag + " at " + (pos - 1));
                }
            }
        }

        /** Appends a Latin-1 string as {@code JSON.stringify} would: only quotes, backslashes and controls escaped. */
        void latin1Json(StringBuilder out, int len) {
            out.append('"');
            int end = pos + len;
            for (int i = pos; i < end; i++) {
                char c = (char) (bytes[i] & 0xFF);
                if (c >= 0x20 && c != '"' && c != '\\') {
                    out.append(c);
                } else {
                    JsonWriter.appendEscape(out, c);
                }
            }
            pos = end;
            out.append('"');
        }
    }

    /** Appends {@code m / 10^k} in JavaScript's notation: its digits are the shortest that read back. */
    static void decimalJson(StringBuilder out, long m, int k) {
        if (m < 0) {
            out.append('-');
            m = -m;
        }
        long unit = LONG_POW10[k];
        out.append(m / unit).append('.');
        long fraction = m % unit;
        for (long p = unit / 10; p > fraction && p > 1; p /= 10) {
            out.append('0');
        }
        out.append(fraction);
    }

    private static long unzigzag(long n) {
        return (n >>> 1) ^ -(n & 1);
    }

    /** Appends the JSON text of the tree {@code bytes} encode, as {@link JsonWriter} would write it. */
    static void writeJson(byte[] bytes, @Nullable String ownId, CompactDictionary dict, StringBuilder out) {
        new Reader(bytes, ownId, dict).json(out);
    }
}
