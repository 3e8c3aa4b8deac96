package dev.tandem.sync.core.testing;

import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.ValueOp;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Prints values for failure messages in their wire-like JSON form, with every character outside printable
 * ASCII escaped so that separators, surrogates and look-alikes are visible. Stateless and thread-safe.
 */
final class Show {
    private Show() {}

    static String value(@Nullable Object value) {
        StringBuilder out = new StringBuilder();
        write(out, value);
        return out.toString();
    }

    static String truncated(@Nullable Object value, int maxChars) {
        String text = value(value);
        return text.length() <= maxChars
                ? text
                : text.substring(0, maxChars) + "... (" + (text.length() - maxChars) + " more chars)";
    }

    private static void write(StringBuilder out, @Nullable Object value) {
        if (value == null) {
            out.append("null");
        } else if (value instanceof String s) {
            writeString(out, s);
        } else if (value instanceof Map<?, ?> map) {
            out.append('{');
            Iterator<? extends Map.Entry<?, ?>> it = map.entrySet().iterator();
            while (it.hasNext()) {
                Map.Entry<?, ?> e = it.next();
                writeString(out, String.valueOf(e.getKey()));
                out.append(':');
                write(out, e.getValue());
                if (it.hasNext()) {
                    out.append(',');
                }
            }
            out.append('}');
        } else if (value instanceof List<?> list) {
            out.append('[');
            for (int i = 0; i < list.size(); i++) {
                if (i > 0) {
                    out.append(',');
                }
                write(out, list.get(i));
            }
            out.append(']');
        } else if (value instanceof ObjectDiff diff) {
            write(out, diff.ops());
        } else if (value instanceof NetworkDiff diff) {
            write(out, diff.ops());
        } else if (value instanceof ValueOp op) {
            writeValueOp(out, op);
        } else if (value instanceof RecordOp op) {
            writeRecordOp(out, op);
        } else if (value instanceof RecordPair pair) {
            out.append("{prev: ");
            write(out, pair.prev());
            out.append(", next: ");
            write(out, pair.next());
            out.append('}');
        } else {
            out.append(value);
        }
    }

    private static void writeValueOp(StringBuilder out, ValueOp op) {
        if (op instanceof ValueOp.Put put) {
            out.append("[\"put\",");
            write(out, put.value());
        } else if (op instanceof ValueOp.Delete) {
            out.append("[\"delete\"");
        } else if (op instanceof ValueOp.Append append) {
            out.append("[\"append\",");
            write(out, append.value());
            out.append(',').append(append.offset());
        } else if (op instanceof ValueOp.Patch patch) {
            out.append("[\"patch\",");
            write(out, patch.diff());
        }
        out.append(']');
    }

    private static void writeRecordOp(StringBuilder out, RecordOp op) {
        if (op instanceof RecordOp.Put put) {
            out.append("[\"put\",");
            write(out, put.record());
        } else if (op instanceof RecordOp.Patch patch) {
            out.append("[\"patch\",");
            write(out, patch.diff());
        } else {
            out.append("[\"remove\"");
        }
        out.append(']');
    }

    private static void writeString(StringBuilder out, String s) {
        out.append('"');
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '"' || c == '\\') {
                out.append('\\').append(c);
            } else if (c >= 0x20 && c < 0x7f) {
                out.append(c);
            } else {
                out.append(String.format("\\u%04x", (int) c));
            }
        }
        out.append('"');
    }
}
