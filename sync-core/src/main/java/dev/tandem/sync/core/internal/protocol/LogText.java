package dev.tandem.sync.core.internal.protocol;

/**
 * Makes a client's string safe to log: control and line-separator characters escaped as {@code \n},
 * {@code \r}, {@code \t} or {@code \}{@code uXXXX}, and at most {@link #MAX_CHARS} characters of the
 * string kept, so a client can neither forge log lines nor fill the log. Every string a client chose (record,
 * event and object ids, paths, reasons quoting them) goes through it before reaching a log. Thread-safe.
 */
public final class LogText {
    /** The most characters of a client string that reach a log line. */
    public static final int MAX_CHARS = 80;

    private LogText() {}

    /** Returns {@code s} escaped and cut to {@link #MAX_CHARS} characters, with its length if it was cut. */
    public static String of(String s) {
        int end = Math.min(s.length(), MAX_CHARS);
        StringBuilder out = new StringBuilder(end + 16);
        for (int i = 0; i < end; i++) {
            char c = s.charAt(i);
            switch (c) {
                case '\n' -> out.append("\\n");
                case '\r' -> out.append("\\r");
                case '\t' -> out.append("\\t");
                case '\\' -> out.append("\\\\");
                default -> {
                    if (c < 0x20 || (c >= 0x7f && c < 0xa0) || c == '\u2028' || c == '\u2029') {
                        out.append(String.format("\\u%04x", (int) c));
                    } else {
                        out.append(c);
                    }
                }
            }
        }
        if (end < s.length()) {
            out.append("…(").append(s.length()).append(" chars)");
        }
        return out.toString();
    }
}
