package dev.tandem.sync.store.jdbc.internal;

import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.RoomCommit;
import dev.tandem.sync.core.RoomSnapshot;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The text of a {@code room_log} row: a commit's records, one line each. A put is {@code p<clock> <id> <state>}
 * and a tombstone {@code t<clock> <id>}, where {@code <id>} is the record id as a JSON string literal and
 * {@code <state>} the record as JSON text. JSON text holds no raw line break, so a line ends at the first
 * {@code '\n'}; the state is kept as text so folding the log into the record tables never parses it.
 */
final class CommitLog {
    /** A record's change read from the log: a put (its state as JSON text) or, with a null state, a tombstone. */
    record Entry(long clock, @Nullable String stateJson) {
        boolean isTombstone() {
            return stateJson == null;
        }
    }

    private CommitLog() {}

    /** Returns the number of records a commit changes. */
    static int records(RoomCommit commit) {
        return commit.puts().size() + commit.tombstones().size();
    }

    static String encode(RoomCommit commit) {
        StringBuilder out = new StringBuilder(64 + 128 * records(commit));
        for (Map.Entry<String, RoomSnapshot.Document> e : commit.puts().entrySet()) {
            out.append('p').append(e.getValue().lastChangedClock()).append(' ');
            out.append(Json.stringify(e.getKey())).append(' ');
            out.append(Json.stringify(e.getValue().state())).append('\n');
        }
        for (Map.Entry<String, Long> e : commit.tombstones().entrySet()) {
            out.append('t').append(e.getValue()).append(' ');
            out.append(Json.stringify(e.getKey())).append('\n');
        }
        return out.toString();
    }

    /**
     * Adds the records of one row to {@code into}; a record already there is replaced by a change at the same
     * or a later clock (rows are read in commit order, so at equal clocks the later commit wins).
     *
     * @throws IllegalStateException if the text is not a commit log row
     */
    static void decodeInto(String text, Map<String, Entry> into) {
        int i = 0;
        int n = text.length();
        while (i < n) {
            char kind = text.charAt(i);
            if (kind != 'p' && kind != 't') {
                throw corrupt(i);
            }
            int space = text.indexOf(' ', i + 1);
            if (space < 0) {
                throw corrupt(i);
            }
            long clock;
            try {
                clock = Long.parseLong(text, i + 1, space, 10);
            } catch (NumberFormatException e) {
                throw corrupt(i);
            }
            int idEnd = endOfStringLiteral(text, space + 1);
            String id = idFrom(text, space + 1, idEnd);
            int lineEnd = text.indexOf('\n', idEnd);
            if (lineEnd < 0) {
                throw corrupt(i);
            }
            String state = null;
            if (kind == 'p') {
                if (idEnd >= lineEnd || text.charAt(idEnd) != ' ') {
                    throw corrupt(i);
                }
                state = text.substring(idEnd + 1, lineEnd);
            } else if (idEnd != lineEnd) {
                throw corrupt(i);
            }
            Entry entry = new Entry(clock, state);
            into.merge(id, entry, (earlier, later) -> later.clock() >= earlier.clock() ? later : earlier);
            i = lineEnd + 1;
        }
    }

    /** Returns the index just after the JSON string literal that starts at {@code start}. */
    private static int endOfStringLiteral(String text, int start) {
        if (start >= text.length() || text.charAt(start) != '"') {
            throw corrupt(start);
        }
        for (int i = start + 1; i < text.length(); i++) {
            char ch = text.charAt(i);
            if (ch == '\\') {
                i++;
            } else if (ch == '"') {
                return i + 1;
            }
        }
        throw corrupt(start);
    }

    private static String idFrom(String text, int start, int end) {
        for (int i = start + 1; i < end - 1; i++) {
            if (text.charAt(i) == '\\') {
                return (String) Json.parse(text.substring(start, end));
            }
        }
        return text.substring(start + 1, end - 1);
    }

    private static IllegalStateException corrupt(int at) {
        return new IllegalStateException("a room_log row is not a commit log at offset " + at);
    }
}
