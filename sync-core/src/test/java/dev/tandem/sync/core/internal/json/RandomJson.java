package dev.tandem.sync.core.internal.json;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/**
 * Random frozen JSON values for property tests: strings with escapes, control characters, U+2028/2029,
 * astral characters and lone surrogates; numbers of every shape (small and unsafe integers, fractions,
 * subnormals, huge exponents), nested objects and arrays.
 */
public final class RandomJson {
    private RandomJson() {}

    /** Returns a random value nested at most {@code maxDepth} levels. */
    public static @Nullable Object value(Random r, int maxDepth) {
        int pick = r.nextInt(maxDepth <= 0 ? 5 : 7);
        switch (pick) {
            case 0:
                return string(r);
            case 1:
                return number(r);
            case 2:
                return r.nextBoolean();
            case 3:
                return null;
            case 4:
                return r.nextInt(4) == 0 ? string(r) : (Object) (long) r.nextInt(1000);
            case 5:
                return object(r, maxDepth - 1);
            default:
                return array(r, maxDepth - 1);
        }
    }

    /** Returns a random frozen object with up to 6 members. */
    public static FrozenMap object(Random r, int maxDepth) {
        LinkedHashMap<String, @Nullable Object> m = new LinkedHashMap<>();
        for (int i = r.nextInt(7); i > 0; i--) {
            m.put(key(r), value(r, maxDepth));
        }
        return m.isEmpty() ? Frozen.emptyMap() : Frozen.adoptMap(m);
    }

    /** Returns a random frozen array with up to 6 elements. */
    public static FrozenList array(Random r, int maxDepth) {
        ArrayList<@Nullable Object> l = new ArrayList<>();
        for (int i = r.nextInt(7); i > 0; i--) {
            l.add(value(r, maxDepth));
        }
        return l.isEmpty() ? Frozen.emptyList() : Frozen.adoptList(l);
    }

    /** Returns a random canonical number: a Long within ±2^53 or a non-integral or huge Double. */
    public static Object number(Random r) {
        double d;
        switch (r.nextInt(7)) {
            case 0:
                return (long) r.nextInt();
            case 1:
                return r.nextLong() >> 11; // within ±2^52
            case 2:
                d = r.nextLong() * 1.0; // mostly beyond 2^53
                break;
            case 3:
                d = Math.round(r.nextDouble() * 1e6) / Math.pow(10, r.nextInt(9));
                break;
            case 4:
                d = (r.nextDouble() - 0.5) * Math.pow(10, r.nextInt(44) - 22);
                break;
            case 5:
                d = Double.longBitsToDouble(r.nextLong() & 0x000F_FFFF_FFFF_FFFFL); // subnormal
                break;
            default:
                d = Double.longBitsToDouble(r.nextLong());
                break;
        }
        if (Double.isNaN(d) || Double.isInfinite(d)) {
            d = 0.5;
        }
        return Frozen.number(d);
    }

    /**
     * Returns a random object key: like {@link #string} but without lone surrogates, which Jackson refuses
     * in keys (see JsonCodecTest#parse_loneSurrogateEscapeInKey_isRejected).
     */
    public static String key(Random r) {
        String s = string(r);
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && i + 1 < s.length() && Character.isLowSurrogate(s.charAt(i + 1))) {
                sb.append(c).append(s.charAt(++i));
            } else {
                sb.append(Character.isSurrogate(c) ? '?' : c);
            }
        }
        return sb.toString();
    }

    /** Returns a random string of up to 12 UTF-16 units, often with characters that need care. */
    public static String string(Random r) {
        StringBuilder sb = new StringBuilder();
        for (int i = r.nextInt(13); i > 0; i--) {
            int k = r.nextInt(20);
            if (k < 9) {
                sb.append((char) (0x20 + r.nextInt(95)));
            } else if (k < 11) {
                sb.append((char) r.nextInt(0x20));
            } else if (k < 13) {
                sb.append("\u2028\u2029\"\\/\u007f".charAt(r.nextInt(6)));
            } else if (k < 15) {
                sb.appendCodePoint(0x10000 + r.nextInt(0x100000));
            } else if (k < 16) {
                sb.append((char) (0xD800 + r.nextInt(0x800))); // a lone surrogate
            } else {
                sb.append((char) (0xA0 + r.nextInt(0xD700)));
            }
        }
        return sb.toString();
    }
}
