package dev.tandem.sync.core.internal.protocol;

import static dev.tandem.sync.core.internal.protocol.Fields.asStringObjectMap;
import static dev.tandem.sync.core.internal.protocol.Fields.capacity;
import static dev.tandem.sync.core.internal.protocol.Fields.fail;

import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.ValueOp;
import dev.tandem.sync.core.internal.json.FrozenList;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.json.FrozenOps;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads the document diff of a client's {@code push} the way tldraw's server reads it (see {@link
 * ProtocolCodec}): op tuples are indexed as JavaScript indexes any value, and an op it ignores is left out
 * (clearing {@code asSent}) instead of failing the message. Stateless.
 */
final class PushDiffReader {
    private PushDiffReader() {}

    // A push's document diff is read the way tldraw's server reads it: op tuples are indexed as JavaScript
    // indexes any value, and an op it ignores is left out (clearing asSent) instead of failing the message.
    // Only what would throw a TypeError in tldraw (a null op, a put or patch without its payload) fails.

    /** Marks a missing element, which JSON null cannot stand for. */
    static final Object UNDEFINED = new Object();

    static NetworkDiff pushDiff(Object value, MessagePath p, boolean[] asSent) {
        if (!(value instanceof FrozenMap) && !(value instanceof FrozenList)) {
            asSent[0] = false; // no entries to apply, and never equal to what was applied
            return NetworkDiff.EMPTY;
        }
        Map<String, @Nullable Object> entries = entries(value);
        if (!(value instanceof FrozenMap)) {
            asSent[0] = false;
        }
        LinkedHashMap<String, RecordOp> ops = new LinkedHashMap<>(capacity(entries.size()));
        for (Map.Entry<String, @Nullable Object> e : entries.entrySet()) {
            RecordOp op = pushRecordOp(e.getValue(), p.key(e.getKey()), asSent);
            if (op != null) {
                ops.put(e.getKey(), op);
            }
        }
        return ops.isEmpty() ? NetworkDiff.EMPTY : new NetworkDiff(FrozenOps.adopt(ops));
    }

    static @Nullable RecordOp pushRecordOp(@Nullable Object t, MessagePath p, boolean[] asSent) {
        Object name = jsIndex(t, 0, p);
        if ("put".equals(name)) {
            Object record = jsIndex(t, 1, p);
            if (record == UNDEFINED || record == null) {
                throw fail(p, "must be [\"put\", record]");
            }
            asSent[0] &= isTuple(t, 2);
            if (record instanceof FrozenMap r) {
                return new RecordOp.Put(asStringObjectMap(r));
            }
            asSent[0] = false;
            return new RecordOp.Put(Map.of()); // tldraw finds no typeName on it: INVALID_RECORD
        }
        if ("patch".equals(name)) {
            Object diff = jsIndex(t, 1, p);
            if (diff == UNDEFINED || diff == null) {
                throw fail(p, "must be [\"patch\", diff]");
            }
            asSent[0] &= isTuple(t, 2);
            return new RecordOp.Patch(pushObjectDiff(diff, p.index(1), asSent));
        }
        if ("remove".equals(name)) {
            return RecordOp.Remove.INSTANCE; // tldraw passes a remove on as it came, extra elements and all
        }
        asSent[0] = false;
        return null;
    }

    static ObjectDiff pushObjectDiff(Object value, MessagePath p, boolean[] asSent) {
        if (!(value instanceof FrozenMap)) {
            asSent[0] = false;
        }
        Map<String, @Nullable Object> entries = entries(value);
        LinkedHashMap<String, ValueOp> ops = new LinkedHashMap<>(capacity(entries.size()));
        for (Map.Entry<String, @Nullable Object> e : entries.entrySet()) {
            ValueOp op = pushValueOp(e.getValue(), p.key(e.getKey()), asSent);
            if (op != null) {
                ops.put(e.getKey(), op);
            }
        }
        return new ObjectDiff(FrozenOps.adopt(ops));
    }

    static @Nullable ValueOp pushValueOp(@Nullable Object t, MessagePath p, boolean[] asSent) {
        Object name = jsIndex(t, 0, p);
        if ("put".equals(name)) {
            Object value = jsIndex(t, 1, p);
            if (value == UNDEFINED) {
                asSent[0] = false;
                return ValueOp.Delete.INSTANCE; // an undefined value is a missing key (tldraw 5.5)
            }
            asSent[0] &= isTuple(t, 2);
            return new ValueOp.Put(value);
        }
        if ("delete".equals(name)) {
            asSent[0] &= isTuple(t, 1);
            return ValueOp.Delete.INSTANCE;
        }
        if ("append".equals(name)) {
            Object value = jsIndex(t, 1, p);
            Object offset = jsIndex(t, 2, p);
            if ((value instanceof String || value instanceof FrozenList)
                    && offset instanceof Long o
                    && o >= 0
                    && o <= Integer.MAX_VALUE) {
                asSent[0] &= isTuple(t, 3);
                return new ValueOp.Append(value, (int) (long) o);
            }
            asSent[0] = false; // no current value has that kind or length: tldraw ignores it
            return null;
        }
        if ("patch".equals(name)) {
            Object diff = jsIndex(t, 1, p);
            if (diff == UNDEFINED || diff == null) {
                throw fail(p, "must be [\"patch\", diff]");
            }
            asSent[0] &= isTuple(t, 2);
            return new ValueOp.Patch(pushObjectDiff(diff, p.index(1), asSent));
        }
        asSent[0] = false;
        return null;
    }

    /** {@code value[index]} as JavaScript reads it; null has no elements (a TypeError in tldraw). */
    static @Nullable Object jsIndex(@Nullable Object value, int index, MessagePath p) {
        if (value == null) {
            throw fail(p, "must not be null");
        }
        if (value instanceof FrozenList list) {
            return index < list.size() ? list.get(index) : UNDEFINED;
        }
        if (value instanceof FrozenMap map) {
            String key = Integer.toString(index);
            return map.containsKey(key) ? map.get(key) : UNDEFINED;
        }
        if (value instanceof String s) {
            return index < s.length() ? String.valueOf(s.charAt(index)) : UNDEFINED;
        }
        return UNDEFINED;
    }

    /** Whether {@code value} is an array of exactly {@code size} elements, as tldraw's own ops are. */
    static boolean isTuple(@Nullable Object value, int size) {
        return value instanceof FrozenList list && list.size() == size;
    }

    /** The entries JavaScript's {@code Object.entries} gives for a JSON value. */
    static Map<String, @Nullable Object> entries(Object value) {
        if (value instanceof FrozenMap map) {
            return map;
        }
        LinkedHashMap<String, @Nullable Object> out = new LinkedHashMap<>();
        if (value instanceof FrozenList list) {
            for (int i = 0; i < list.size(); i++) {
                out.put(Integer.toString(i), list.get(i));
            }
        } else if (value instanceof String s) {
            for (int i = 0; i < s.length(); i++) {
                out.put(Integer.toString(i), String.valueOf(s.charAt(i)));
            }
        }
        return out;
    }
}
