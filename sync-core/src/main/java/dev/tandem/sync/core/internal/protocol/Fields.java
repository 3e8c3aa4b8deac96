package dev.tandem.sync.core.internal.protocol;

import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.json.JsonCodec;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads a decoded message's fields with type checks that name the field on error ({@code push.clientClock must
 * be a number}), and the small helpers every decoder shares. Stateless.
 */
final class Fields {
    private static final int MAX_QUOTED_CHARS = 40;

    private Fields() {}

    /** A field's value (null when JSON null) and its path, for type checks that name the field. */
    record Field(@Nullable Object value, MessagePath path) {
        Field(@Nullable Object value, MessagePath parent, String name) {
            this(value, parent.field(name));
        }
    }

    static Field required(FrozenMap m, String name, MessagePath p) {
        Object v = m.get(name);
        if (v == null && !m.containsKey(name)) {
            throw fail(p.field(name), "is required");
        }
        return new Field(v, p, name);
    }

    static String string(Field f) {
        if (!(f.value() instanceof String s)) {
            throw fail(f.path(), "must be a string");
        }
        return s;
    }

    static FrozenMap object(Field f) {
        if (!(f.value() instanceof FrozenMap m)) {
            throw fail(f.path(), "must be an object");
        }
        return m;
    }

    /** A clock or counter: an integer a JavaScript number holds exactly. */
    static long integer(Field f) {
        Object v = f.value();
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Double d) {
            throw fail(f.path(), d == Math.rint(d) ? "is out of range" : "must be an integer");
        }
        throw fail(f.path(), "must be a number");
    }

    /**
     * A client's {@code lastServerClock}, which the room only compares with its own clocks: any number is
     * accepted, a fraction rounds down (the same records are newer than it) and huge values saturate.
     */
    static long anyClock(Field f) {
        Object v = f.value();
        if (v instanceof Long l) {
            return l;
        }
        if (v instanceof Double d) {
            return (long) Math.floor(d);
        }
        throw fail(f.path(), "must be a number");
    }

    /** A protocol version: an integer; values beyond int saturate, which keeps them too old or too new. */
    static int version(Field f) {
        Object v = f.value();
        if (v instanceof Long l) {
            return (int) Math.max(Integer.MIN_VALUE, Math.min(Integer.MAX_VALUE, l));
        }
        if (v instanceof Double d) {
            if (d == Math.rint(d)) {
                return d < 0 ? Integer.MIN_VALUE : Integer.MAX_VALUE;
            }
            throw fail(f.path(), "must be an integer");
        }
        throw fail(f.path(), "must be a number");
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> asStringObjectMap(FrozenMap m) {
        return (Map<String, Object>) (Map<String, ?>) m;
    }

    static int capacity(int size) {
        return (int) Math.min(1 << 30, (long) size * 4 / 3 + 1);
    }

    static ProtocolException fail(MessagePath p, String what) {
        return new ProtocolException(p + " " + what);
    }

    /** Quotes a name from the input for an error message, cut short so messages stay small. */
    static String quote(String s) {
        String cut = s.length() <= MAX_QUOTED_CHARS ? s : s.substring(0, MAX_QUOTED_CHARS) + "…";
        return JsonCodec.stringify(cut);
    }
}
