package dev.tandem.sync.bench.relay;

import org.jspecify.annotations.Nullable;

/** Finds the text of a top-level member's value in a JSON object without parsing it into values. */
final class Json {
    private Json() {}

    /**
     * Returns the raw text of the value of the first member named {@code name} at depth 1 of the object
     * {@code text}, or null if there is none. Assumes well-formed JSON.
     */
    static @Nullable String valueSpan(String text, String name) {
        int depth = 0;
        int n = text.length();
        for (int i = 0; i < n; i++) {
            char c = text.charAt(i);
            if (c == '"') {
                int end = skipString(text, i);
                if (depth == 1
                        && end - i - 1 == name.length()
                        && text.startsWith(name, i + 1)
                        && end + 1 < n
                        && text.charAt(end + 1) == ':') {
                    int start = end + 2;
                    return text.substring(start, valueEnd(text, start));
                }
                i = end;
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                depth--;
            }
        }
        return null;
    }

    /** Returns the index of the closing quote of the string opening at {@code open}. */
    private static int skipString(String text, int open) {
        int i = open + 1;
        while (i < text.length()) {
            char c = text.charAt(i);
            if (c == '\\') {
                i += 2;
            } else if (c == '"') {
                return i;
            } else {
                i++;
            }
        }
        return text.length() - 1;
    }

    /** Returns the index just after the value starting at {@code start}. */
    private static int valueEnd(String text, int start) {
        int depth = 0;
        for (int i = start; i < text.length(); i++) {
            char c = text.charAt(i);
            if (c == '"') {
                i = skipString(text, i);
                if (depth == 0) {
                    return i + 1;
                }
            } else if (c == '{' || c == '[') {
                depth++;
            } else if (c == '}' || c == ']') {
                if (depth == 0) {
                    return i;
                }
                depth--;
                if (depth == 0) {
                    return i + 1;
                }
            } else if (depth == 0 && c == ',') {
                return i;
            }
        }
        return text.length();
    }
}
