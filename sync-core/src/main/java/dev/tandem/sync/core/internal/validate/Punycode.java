package dev.tandem.sync.core.internal.validate;

/**
 * Whether an {@code xn--} host label decodes (RFC 3492) to characters a host name may hold, as the URL
 * parser's domain-to-ASCII step requires. Stateless, thread-safe.
 */
final class Punycode {
    private static final int BASE = 36;
    private static final int T_MIN = 1;
    private static final int T_MAX = 26;
    private static final int SKEW = 38;
    private static final int DAMP = 700;
    private static final int INITIAL_BIAS = 72;
    private static final int INITIAL_N = 128;

    private Punycode() {}

    /** {@code encoded} is the label without its {@code xn--} prefix. */
    static boolean isValidLabel(String encoded) {
        if (encoded.isEmpty()) {
            return false;
        }
        int delimiter = encoded.lastIndexOf('-');
        int[] out = new int[encoded.length()];
        int length = 0;
        for (int j = 0; j < Math.max(delimiter, 0); j++) {
            char c = encoded.charAt(j);
            if (c >= 0x80) {
                return false;
            }
            out[length++] = c;
        }
        int in = delimiter > 0 ? delimiter + 1 : 0;
        long n = INITIAL_N;
        long i = 0;
        int bias = INITIAL_BIAS;
        while (in < encoded.length()) {
            long oldI = i;
            long w = 1;
            for (int k = BASE; ; k += BASE) {
                if (in >= encoded.length()) {
                    return false;
                }
                int digit = digit(encoded.charAt(in++));
                if (digit < 0) {
                    return false;
                }
                i += digit * w;
                if (i > Integer.MAX_VALUE) {
                    return false;
                }
                int t = k <= bias ? T_MIN : Math.min(k - bias, T_MAX);
                if (digit < t) {
                    break;
                }
                w *= BASE - t;
                if (w > Integer.MAX_VALUE) {
                    return false;
                }
            }
            int count = length + 1;
            bias = adapt(i - oldI, count, oldI == 0);
            n += i / count;
            i %= count;
            if (n > Character.MAX_CODE_POINT) {
                return false;
            }
            if (length == out.length) {
                out = java.util.Arrays.copyOf(out, out.length * 2);
            }
            System.arraycopy(out, (int) i, out, (int) i + 1, length - (int) i);
            out[(int) i] = (int) n;
            length++;
            i++;
        }
        boolean nonAscii = false;
        for (int j = 0; j < length; j++) {
            int cp = out[j];
            if (cp >= 0x80) {
                nonAscii = true;
            }
            int type = Character.getType(cp);
            if (type == Character.CONTROL
                    || type == Character.UNASSIGNED
                    || type == Character.SPACE_SEPARATOR
                    || type == Character.PRIVATE_USE
                    || type == Character.SURROGATE) {
                return false;
            }
        }
        return nonAscii;
    }

    private static int adapt(long delta, int count, boolean first) {
        delta = first ? delta / DAMP : delta / 2;
        delta += delta / count;
        int k = 0;
        while (delta > ((BASE - T_MIN) * T_MAX) / 2) {
            delta /= BASE - T_MIN;
            k += BASE;
        }
        return (int) (k + (BASE - T_MIN + 1) * delta / (delta + SKEW));
    }

    private static int digit(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0' + 26;
        }
        if (c >= 'a' && c <= 'z') {
            return c - 'a';
        }
        if (c >= 'A' && c <= 'Z') {
            return c - 'A';
        }
        return -1;
    }
}
