package dev.tandem.sync.core.internal.json;

import java.math.BigDecimal;
import tools.jackson.core.io.NumberOutput;

/**
 * Formats doubles exactly as JavaScript's {@code Number.prototype.toString()} (and so {@code JSON.stringify})
 * does: the shortest decimal that reads back as the same double, the closest one when several are that
 * short, laid out with ECMA-262's rules for plain versus exponent notation.
 *
 * <p>The digits come from Jackson's Schubfach port, which implements the JDK 19+ {@code Double.toString}
 * contract. That contract differs from JavaScript in one case only: when a one-digit decimal reads back
 * correctly, it may still pick a closer two-digit one ({@code 4.9E-324} where JavaScript prints
 * {@code 5e-324}); {@link #append} corrects that case. Thread-safe, stateless.
 */
final class JsNumbers {
    /** 2^53: below this every integral double is exactly a long and prints as plain digits. */
    private static final double TWO_POW_53 = 9007199254740992d;

    private JsNumbers() {}

    /** Returns the JavaScript text of {@code v}; non-finite values give {@code null}, as in JSON. */
    static String toString(double v) {
        StringBuilder sb = new StringBuilder(24);
        append(sb, v);
        return sb.toString();
    }

    /** Appends the JavaScript text of {@code v}; NaN and infinities append {@code null}, as in JSON. */
    static void append(StringBuilder out, double v) {
        if (Double.isNaN(v) || Double.isInfinite(v)) {
            out.append("null");
            return;
        }
        if (v == 0) {
            out.append('0'); // also -0, as JavaScript prints it
            return;
        }
        if (v < 0) {
            out.append('-');
            v = -v;
        }
        if (v < TWO_POW_53 && v == Math.rint(v)) {
            out.append((long) v);
            return;
        }
        appendShortest(out, v);
    }

    private static void appendShortest(StringBuilder out, double v) {
        // Decompose Java's text ("123.45", "1.0E-7", "1.2345E21") into significant digits and n, the
        // position of the decimal point relative to the first digit: v = 0.d1d2...dk * 10^n.
        String text = NumberOutput.toString(v, true);
        long digits = 0;
        int k = 0;
        int n = 0;
        boolean seenPoint = false;
        int exp = 0;
        int len = text.length();
        for (int i = 0; i < len; i++) {
            char c = text.charAt(i);
            if (c == '.') {
                seenPoint = true;
            } else if (c == 'E') {
                exp = Integer.parseInt(text, i + 1, len, 10);
                break;
            } else if (k == 0 && c == '0') {
                if (seenPoint) {
                    n--; // leading zero after the point: 0.00ddd
                }
            } else {
                digits = digits * 10 + (c - '0');
                k++;
                if (!seenPoint) {
                    n++;
                }
            }
        }
        n += exp;
        while (digits % 10 == 0) {
            digits /= 10;
            k--;
        }
        if (k == 2 && v < Double.MIN_NORMAL) {
            // Java may prefer a closer two-digit decimal where JavaScript wants the one-digit one. Both can
            // read back as v only when v's rounding interval spans a percent of v: deep subnormals.
            long lower = digits / 10;
            long upper = lower + 1;
            boolean lowerOk = lower != 0 && readsBackAs(lower, n - 1, v);
            boolean upperOk = readsBackAs(upper, n - 1, v);
            if (lowerOk || upperOk) {
                long pick;
                if (lowerOk && upperOk) {
                    pick = closerOfOneDigit(lower, upper, n, v);
                } else {
                    pick = lowerOk ? lower : upper;
                }
                if (pick == 10) {
                    digits = 1;
                    n++;
                } else {
                    digits = pick;
                }
                k = 1;
            }
        }
        layout(out, Long.toString(digits), n);
    }

    /** True when {@code d * 10^e} (one digit d, or 10) parses back to exactly {@code v}. */
    private static boolean readsBackAs(long d, int e, double v) {
        return Double.parseDouble(d + "E" + e) == v;
    }

    /** Of two one-digit candidates that both read back as {@code v}, returns the one closer to it. */
    private static long closerOfOneDigit(long lower, long upper, int n, double v) {
        BigDecimal exact = new BigDecimal(v);
        BigDecimal lo = BigDecimal.valueOf(lower).scaleByPowerOfTen(n - 1);
        BigDecimal hi = BigDecimal.valueOf(upper).scaleByPowerOfTen(n - 1);
        int cmp = exact.subtract(lo).compareTo(hi.subtract(exact));
        if (cmp != 0) {
            return cmp < 0 ? lower : upper;
        }
        return (lower & 1) == 0 ? lower : upper;
    }

    /** ECMA-262 Number::toString layout of digits {@code s} (k of them) with decimal exponent n. */
    private static void layout(StringBuilder out, String s, int n) {
        int k = s.length();
        if (k <= n && n <= 21) {
            out.append(s);
            for (int i = k; i < n; i++) {
                out.append('0');
            }
        } else if (0 < n && n <= 21) {
            out.append(s, 0, n).append('.').append(s, n, k);
        } else if (-6 < n && n <= 0) {
            out.append("0.");
            for (int i = n; i < 0; i++) {
                out.append('0');
            }
            out.append(s);
        } else {
            int e = n - 1;
            out.append(s.charAt(0));
            if (k > 1) {
                out.append('.').append(s, 1, k);
            }
            out.append('e').append(e < 0 ? '-' : '+').append(Math.abs(e));
        }
    }
}
