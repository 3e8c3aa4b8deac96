package dev.tandem.sync.store.jdbc.internal;

import dev.tandem.sync.core.Json;

/**
 * Room and record ids as stored in text columns. Most ids are stored as they are; an id that a database
 * cannot hold as text (a NUL character, which PostgreSQL refuses, or an unpaired surrogate, which no
 * UTF-8 encoder keeps) is stored as {@value #ESCAPED} followed by its JSON string literal, as is an id
 * that itself starts with {@value #ESCAPED}, so every id round-trips exactly.
 */
final class StoredText {
    private static final char ESCAPED = '\u0001';

    private StoredText() {}

    static String encode(String id) {
        if (!id.isEmpty() && id.charAt(0) == ESCAPED || needsEscape(id)) {
            return ESCAPED + Json.stringify(id);
        }
        return id;
    }

    static String decode(String stored) {
        if (!stored.isEmpty() && stored.charAt(0) == ESCAPED) {
            return (String) Json.parse(stored.substring(1));
        }
        return stored;
    }

    private static boolean needsEscape(String id) {
        for (int i = 0; i < id.length(); i++) {
            char ch = id.charAt(i);
            if (ch == 0) {
                return true;
            }
            if (Character.isHighSurrogate(ch)) {
                if (i + 1 < id.length() && Character.isLowSurrogate(id.charAt(i + 1))) {
                    i++;
                } else {
                    return true;
                }
            } else if (Character.isLowSurrogate(ch)) {
                return true;
            }
        }
        return false;
    }
}
