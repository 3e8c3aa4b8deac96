package dev.tandem.sync.core.internal.protocol;

import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.ValueOp;
import dev.tandem.sync.core.internal.json.FrozenList;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.json.FrozenOps;
import dev.tandem.sync.core.internal.json.JsonCodec;
import dev.tandem.sync.core.internal.json.JsonWriter;
import dev.tandem.sync.core.internal.protocol.ServerMessage.DataMessage;
import dev.tandem.sync.core.internal.protocol.ServerMessage.HydrationType;
import dev.tandem.sync.core.internal.protocol.ServerMessage.PushAction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Encodes and decodes tldraw sync protocol v8 messages ({@code reference/tldraw-sync-protocol.md} §2, §3.1)
 * as JSON text. Servers use {@link #decodeClient} and {@link #encode(ServerMessage)}; the Java client uses
 * {@link #encode(ClientMessage)} and {@link #decodeServer}.
 *
 * <p>Decoding is strict about everything it understands and ignores what it does not: a missing or mistyped
 * field, an unknown message type or op, an append whose offset is not a non-negative integer, or a put whose
 * record is not an object each throw a {@link ProtocolException} naming the place, such as {@code
 * push.diff["shape:1"][1] must be an object}; unknown fields and extra tuple elements are ignored, as a
 * JavaScript peer ignores them. Decoding never throws anything else for any input string.
 *
 * <p>The document diff of a client's {@code push} is the exception: it is read as tldraw's server reads it.
 * Ops that server ignores (an unknown op, an op that is not an array, an append of a value that is neither a
 * string nor an array or at an offset no length can have) are left out and {@link ClientMessage.Push#diffAsSent}
 * is cleared; a put of a value that is not an object decodes as a put of an empty record (which the room
 * refuses as {@code INVALID_RECORD}, as tldraw does); only a {@code null} op or a put or patch without its
 * payload, a {@code TypeError} in tldraw, throws.
 *
 * <p>Encoding writes fields in tldraw's order and omits optional fields that are null. Output is what
 * {@code JSON.stringify} would produce for the same message.
 *
 * <pre>{@code
 * ClientMessage msg = ProtocolCodec.decodeClient(frameText);
 * String reply = ProtocolCodec.encode(new ServerMessage.Data(List.of(result)));
 * }</pre>
 *
 * <p>Thread-safe and stateless.
 */
public final class ProtocolCodec {
    /** The protocol version this codec speaks: tldraw's {@code TLSYNC_PROTOCOL_VERSION}. */
    public static final int PROTOCOL_VERSION = 8;

    private static final int MAX_QUOTED_CHARS = 40;

    private ProtocolCodec() {}

    // ---------------------------------------------------------------------------------------------------
    // Decoding

    /**
     * Decodes a message sent by a client.
     *
     * @throws ProtocolException if {@code json} is not a well-formed {@code connect}, {@code push} or
     *     {@code ping} message
     */
    public static ClientMessage decodeClient(String json) {
        FrozenMap m = parseMessage(json);
        String type = messageType(m);
        switch (type) {
            case "connect":
                return decodeClientConnect(m, Path.root("connect"));
            case "push":
                return decodePush(m, Path.root("push"));
            case "ping":
                return ClientMessage.Ping.INSTANCE;
            default:
                throw new ProtocolException("unknown client message type " + quote(type));
        }
    }

    /**
     * Decodes a message sent by a server, including the legacy (protocol v4) top-level {@code patch} and
     * {@code push_result}, which decode to {@link ServerMessage.Patch} and {@link ServerMessage.PushResult}.
     *
     * @throws ProtocolException if {@code json} is not a well-formed server message
     */
    public static ServerMessage decodeServer(String json) {
        FrozenMap m = parseMessage(json);
        String type = messageType(m);
        switch (type) {
            case "connect":
                return decodeServerConnect(m, Path.root("connect"));
            case "data":
                return decodeData(m, Path.root("data"));
            case "pong":
                return ServerMessage.Pong.INSTANCE;
            case "custom":
                return new ServerMessage.Custom(m.get("data"));
            case "incompatibility_error":
                return new ServerMessage.IncompatibilityError(
                        string(required(m, "reason", Path.root("incompatibility_error"))));
            case "patch":
                return decodePatch(m, Path.root("patch"));
            case "push_result":
                return decodePushResult(m, Path.root("push_result"));
            default:
                throw new ProtocolException("unknown server message type " + quote(type));
        }
    }

    private static FrozenMap parseMessage(String json) {
        Objects.requireNonNull(json, "json");
        Object value;
        try {
            value = JsonCodec.parse(json);
        } catch (IllegalArgumentException e) {
            throw new ProtocolException(e.getMessage(), e);
        }
        if (!(value instanceof FrozenMap m)) {
            throw new ProtocolException("message must be a JSON object");
        }
        return m;
    }

    private static String messageType(FrozenMap m) {
        Object type = m.get("type");
        if (type == null && !m.containsKey("type")) {
            throw new ProtocolException("message.type is required");
        }
        if (!(type instanceof String s)) {
            throw new ProtocolException("message.type must be a string");
        }
        return s;
    }

    private static ClientMessage.Connect decodeClientConnect(FrozenMap m, Path p) {
        String connectRequestId = string(required(m, "connectRequestId", p));
        long lastServerClock = anyClock(required(m, "lastServerClock", p));
        Integer protocolVersion = null;
        Object version = m.get("protocolVersion");
        if (version != null) {
            protocolVersion = version(new Field(version, p, "protocolVersion"));
        }
        Map<String, Object> schema = null;
        Object s = m.get("schema");
        if (s != null) {
            schema = asStringObjectMap(object(new Field(s, p, "schema")));
        }
        return new ClientMessage.Connect(connectRequestId, lastServerClock, protocolVersion, schema);
    }

    private static ClientMessage.Push decodePush(FrozenMap m, Path p) {
        long clientClock = integer(required(m, "clientClock", p));
        Object d = m.get("diff");
        NetworkDiff diff = null;
        boolean[] asSent = {true};
        if (d != null) {
            diff = pushDiff(d, p.field("diff"), asSent);
        } else if (m.containsKey("diff")) {
            diff = NetworkDiff.EMPTY; // tldraw compares null with what it applied: never equal
            asSent[0] = false;
        }
        Object pr = m.get("presence");
        RecordOp presence = null;
        if (pr != null) {
            Path pp = p.field("presence");
            presence = recordOp(pr, pp);
            if (presence instanceof RecordOp.Remove) {
                throw fail(pp, "must be [\"put\", record] or [\"patch\", diff]");
            }
        }
        return new ClientMessage.Push(clientClock, diff, presence, asSent[0]);
    }

    // A push's document diff is read the way tldraw's server reads it: op tuples are indexed as JavaScript
    // indexes any value, and an op it ignores is left out (clearing asSent) instead of failing the message.
    // Only what would throw a TypeError in tldraw (a null op, a put or patch without its payload) fails.

    /** Marks a missing element, which JSON null cannot stand for. */
    private static final Object UNDEFINED = new Object();

    private static NetworkDiff pushDiff(Object value, Path p, boolean[] asSent) {
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

    private static @Nullable RecordOp pushRecordOp(@Nullable Object t, Path p, boolean[] asSent) {
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

    private static ObjectDiff pushObjectDiff(Object value, Path p, boolean[] asSent) {
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

    private static @Nullable ValueOp pushValueOp(@Nullable Object t, Path p, boolean[] asSent) {
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
    private static @Nullable Object jsIndex(@Nullable Object value, int index, Path p) {
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
    private static boolean isTuple(@Nullable Object value, int size) {
        return value instanceof FrozenList list && list.size() == size;
    }

    /** The entries JavaScript's {@code Object.entries} gives for a JSON value. */
    private static Map<String, @Nullable Object> entries(Object value) {
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

    private static ServerMessage.Connect decodeServerConnect(FrozenMap m, Path p) {
        String connectRequestId = string(required(m, "connectRequestId", p));
        Field h = required(m, "hydrationType", p);
        HydrationType hydrationType;
        String hydration = string(h);
        if (hydration.equals(HydrationType.WIPE_ALL.wireName())) {
            hydrationType = HydrationType.WIPE_ALL;
        } else if (hydration.equals(HydrationType.WIPE_PRESENCE.wireName())) {
            hydrationType = HydrationType.WIPE_PRESENCE;
        } else {
            throw fail(h.path(), "must be \"wipe_all\" or \"wipe_presence\" but was " + quote(hydration));
        }
        int protocolVersion = version(required(m, "protocolVersion", p));
        Map<String, Object> schema = asStringObjectMap(object(required(m, "schema", p)));
        NetworkDiff diff = networkDiff(required(m, "diff", p));
        long serverClock = integer(required(m, "serverClock", p));
        Field ro = required(m, "isReadonly", p);
        if (!(ro.value() instanceof Boolean isReadonly)) {
            throw fail(ro.path(), "must be a boolean");
        }
        String objectAccess = null;
        Object oa = m.get("objectAccess");
        if (oa != null) {
            objectAccess = string(new Field(oa, p, "objectAccess"));
        }
        return new ServerMessage.Connect(
                connectRequestId, hydrationType, protocolVersion, schema, diff, serverClock, isReadonly, objectAccess);
    }

    private static ServerMessage.Data decodeData(FrozenMap m, Path p) {
        Field f = required(m, "data", p);
        if (!(f.value() instanceof FrozenList list)) {
            throw fail(f.path(), "must be an array");
        }
        List<DataMessage> messages = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            Path ep = f.path().index(i);
            if (!(list.get(i) instanceof FrozenMap em)) {
                throw fail(ep, "must be an object");
            }
            Field t = required(em, "type", ep);
            String type = string(t);
            switch (type) {
                case "patch" -> messages.add(decodePatch(em, ep));
                case "push_result" -> messages.add(decodePushResult(em, ep));
                default -> throw fail(t.path(), "must be \"patch\" or \"push_result\" but was " + quote(type));
            }
        }
        return new ServerMessage.Data(messages);
    }

    private static ServerMessage.Patch decodePatch(FrozenMap m, Path p) {
        NetworkDiff diff = networkDiff(required(m, "diff", p));
        long serverClock = integer(required(m, "serverClock", p));
        return new ServerMessage.Patch(diff, serverClock);
    }

    private static ServerMessage.PushResult decodePushResult(FrozenMap m, Path p) {
        long clientClock = integer(required(m, "clientClock", p));
        long serverClock = integer(required(m, "serverClock", p));
        Field a = required(m, "action", p);
        PushAction action;
        if ("commit".equals(a.value())) {
            action = PushAction.Commit.INSTANCE;
        } else if ("discard".equals(a.value())) {
            action = PushAction.Discard.INSTANCE;
        } else if (a.value() instanceof FrozenMap am && am.get("rebaseWithDiff") != null) {
            action = new PushAction.RebaseWithDiff(
                    networkDiff(new Field(am.get("rebaseWithDiff"), a.path(), "rebaseWithDiff")));
        } else {
            throw fail(a.path(), "must be \"commit\", \"discard\" or {\"rebaseWithDiff\": diff}");
        }
        return new ServerMessage.PushResult(clientClock, serverClock, action);
    }

    private static NetworkDiff networkDiff(Field f) {
        return networkDiff(f.value(), f.path());
    }

    private static NetworkDiff networkDiff(@Nullable Object value, Path p) {
        if (!(value instanceof FrozenMap m)) {
            throw fail(p, "must be an object");
        }
        if (m.isEmpty()) {
            return NetworkDiff.EMPTY;
        }
        LinkedHashMap<String, RecordOp> ops = new LinkedHashMap<>(capacity(m.size()));
        for (Map.Entry<String, @Nullable Object> e : m.entrySet()) {
            ops.put(e.getKey(), recordOp(e.getValue(), p.key(e.getKey())));
        }
        return new NetworkDiff(FrozenOps.adopt(ops));
    }

    private static RecordOp recordOp(@Nullable Object value, Path p) {
        FrozenList t = tuple(value, p);
        String op = (String) t.get(0);
        switch (op) {
            case "put":
                if (t.size() < 2) {
                    throw fail(p, "must be [\"put\", record]");
                }
                if (!(t.get(1) instanceof FrozenMap record)) {
                    throw fail(p.index(1), "must be an object");
                }
                return new RecordOp.Put(asStringObjectMap(record));
            case "patch":
                if (t.size() < 2) {
                    throw fail(p, "must be [\"patch\", diff]");
                }
                return new RecordOp.Patch(objectDiff(t.get(1), p.index(1)));
            case "remove":
                return RecordOp.Remove.INSTANCE;
            default:
                throw fail(p.index(0), "must be \"put\", \"patch\" or \"remove\" but was " + quote(op));
        }
    }

    private static ObjectDiff objectDiff(@Nullable Object value, Path p) {
        if (!(value instanceof FrozenMap m)) {
            throw fail(p, "must be an object");
        }
        LinkedHashMap<String, ValueOp> ops = new LinkedHashMap<>(capacity(m.size()));
        for (Map.Entry<String, @Nullable Object> e : m.entrySet()) {
            ops.put(e.getKey(), valueOp(e.getValue(), p.key(e.getKey())));
        }
        return new ObjectDiff(FrozenOps.adopt(ops));
    }

    private static ValueOp valueOp(@Nullable Object value, Path p) {
        FrozenList t = tuple(value, p);
        String op = (String) t.get(0);
        switch (op) {
            case "put":
                if (t.size() < 2) {
                    throw fail(p, "must be [\"put\", value]");
                }
                return new ValueOp.Put(t.get(1));
            case "delete":
                return ValueOp.Delete.INSTANCE;
            case "append":
                if (t.size() < 3) {
                    throw fail(p, "must be [\"append\", value, offset]");
                }
                Object appended = t.get(1);
                if (!(appended instanceof String) && !(appended instanceof FrozenList)) {
                    throw fail(p.index(1), "must be a string or an array");
                }
                Object offset = t.get(2);
                if (!(offset instanceof Long o) || o < 0) {
                    throw fail(p.index(2), "must be a non-negative integer");
                }
                if (o > Integer.MAX_VALUE) {
                    throw fail(p.index(2), "is out of range");
                }
                return new ValueOp.Append(appended, (int) (long) o);
            case "patch":
                if (t.size() < 2) {
                    throw fail(p, "must be [\"patch\", diff]");
                }
                return new ValueOp.Patch(objectDiff(t.get(1), p.index(1)));
            default:
                throw fail(p.index(0), "must be \"put\", \"delete\", \"append\" or \"patch\" but was " + quote(op));
        }
    }

    /** Returns {@code value} as a non-empty array whose first element, the op name, is a string. */
    private static FrozenList tuple(@Nullable Object value, Path p) {
        if (!(value instanceof FrozenList t)) {
            throw fail(p, "must be an array");
        }
        if (t.isEmpty()) {
            throw fail(p, "must not be empty");
        }
        if (!(t.get(0) instanceof String)) {
            throw fail(p.index(0), "must be a string");
        }
        return t;
    }

    /** A field's value (null when JSON null) and its path, for type checks that name the field. */
    private record Field(@Nullable Object value, Path path) {
        Field(@Nullable Object value, Path parent, String name) {
            this(value, parent.field(name));
        }
    }

    private static Field required(FrozenMap m, String name, Path p) {
        Object v = m.get(name);
        if (v == null && !m.containsKey(name)) {
            throw fail(p.field(name), "is required");
        }
        return new Field(v, p, name);
    }

    private static String string(Field f) {
        if (!(f.value() instanceof String s)) {
            throw fail(f.path(), "must be a string");
        }
        return s;
    }

    private static FrozenMap object(Field f) {
        if (!(f.value() instanceof FrozenMap m)) {
            throw fail(f.path(), "must be an object");
        }
        return m;
    }

    /** A clock or counter: an integer a JavaScript number holds exactly. */
    private static long integer(Field f) {
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
    private static long anyClock(Field f) {
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
    private static int version(Field f) {
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
    private static Map<String, Object> asStringObjectMap(FrozenMap m) {
        return (Map<String, Object>) (Map<String, ?>) m;
    }

    private static int capacity(int size) {
        return (int) Math.min(1 << 30, (long) size * 4 / 3 + 1);
    }

    private static ProtocolException fail(Path p, String what) {
        return new ProtocolException(p + " " + what);
    }

    /** Quotes a name from the input for an error message, cut short so messages stay small. */
    private static String quote(String s) {
        String cut = s.length() <= MAX_QUOTED_CHARS ? s : s.substring(0, MAX_QUOTED_CHARS) + "…";
        return JsonCodec.stringify(cut);
    }

    /**
     * Where a value sits in a message, for error messages: {@code push.diff["shape:1"][1]}. Built as one
     * small node per level while decoding and rendered only when an error is thrown.
     */
    private static final class Path {
        private final @Nullable Path parent;
        private final @Nullable String name;
        private final boolean isKey;
        private final int index;

        private Path(@Nullable Path parent, @Nullable String name, boolean isKey, int index) {
            this.parent = parent;
            this.name = name;
            this.isKey = isKey;
            this.index = index;
        }

        static Path root(String name) {
            return new Path(null, name, false, -1);
        }

        Path field(String fieldName) {
            return new Path(this, fieldName, false, -1);
        }

        Path key(String key) {
            return new Path(this, key, true, -1);
        }

        Path index(int i) {
            return new Path(this, null, false, i);
        }

        @Override
        public String toString() {
            StringBuilder sb = new StringBuilder();
            render(sb);
            return sb.toString();
        }

        private void render(StringBuilder sb) {
            if (parent != null) {
                parent.render(sb);
            }
            if (name == null) {
                sb.append('[').append(index).append(']');
            } else if (isKey) {
                sb.append('[').append(quote(name)).append(']');
            } else {
                if (parent != null) {
                    sb.append('.');
                }
                sb.append(name);
            }
        }
    }

    // ---------------------------------------------------------------------------------------------------
    // Encoding

    /**
     * Returns the JSON text of an object diff, as it appears inside a {@code patch} op: {@code {"key": ["put",
     * value], …}}. Used by HTTP push, whose update events carry a patch.
     */
    public static String encodeObjectDiff(ObjectDiff diff) {
        Objects.requireNonNull(diff, "diff");
        return JsonCodec.write(w -> writeObjectDiff(w, diff));
    }

    /**
     * Decodes an object diff from its parsed JSON form (see {@link dev.tandem.sync.core.Json#parse}).
     *
     * @param field the name used for the value in error messages, e.g. {@code events[3].patch}
     * @throws ProtocolException naming the bad op if {@code json} is not a well-formed object diff
     */
    public static ObjectDiff decodeObjectDiff(@Nullable Object json, String field) {
        Objects.requireNonNull(field, "field");
        return objectDiff(dev.tandem.sync.core.Json.freeze(json), Path.root(field));
    }

    /** Returns the JSON text of a client message. */
    public static String encode(ClientMessage message) {
        Objects.requireNonNull(message, "message");
        return JsonCodec.write(w -> writeClient(w, message));
    }

    /** Appends the JSON text of a client message to {@code out}. */
    public static void encode(ClientMessage message, StringBuilder out) {
        Objects.requireNonNull(message, "message");
        writeClient(new JsonWriter(out), message);
    }

    /** Returns the JSON text of a server message. */
    public static String encode(ServerMessage message) {
        Objects.requireNonNull(message, "message");
        return JsonCodec.write(w -> writeServer(w, message));
    }

    /** Appends the JSON text of a server message to {@code out}. */
    public static void encode(ServerMessage message, StringBuilder out) {
        Objects.requireNonNull(message, "message");
        writeServer(new JsonWriter(out), message);
    }

    private static void writeClient(JsonWriter w, ClientMessage message) {
        w.beginObject();
        if (message instanceof ClientMessage.Connect c) {
            w.name("type").value("connect");
            w.name("connectRequestId").value(c.connectRequestId());
            if (c.schema() != null) {
                w.name("schema").value(c.schema());
            }
            if (c.protocolVersion() != null) {
                w.name("protocolVersion").value((long) c.protocolVersion());
            }
            w.name("lastServerClock").value(c.lastServerClock());
        } else if (message instanceof ClientMessage.Push push) {
            w.name("type").value("push");
            w.name("clientClock").value(push.clientClock());
            if (push.diff() != null) {
                w.name("diff");
                writeNetworkDiff(w, push.diff());
            }
            if (push.presence() != null) {
                w.name("presence");
                writeRecordOp(w, push.presence());
            }
        } else if (message instanceof ClientMessage.Ping) {
            w.name("type").value("ping");
        } else {
            throw new IllegalArgumentException(
                    "unknown client message: " + message.getClass().getName());
        }
        w.endObject();
    }

    private static void writeServer(JsonWriter w, ServerMessage message) {
        if (message instanceof ServerMessage.Data d) {
            w.beginObject();
            w.name("type").value("data");
            w.name("data").beginArray();
            for (DataMessage m : d.data()) {
                writeServer(w, m);
            }
            w.endArray();
            w.endObject();
            return;
        }
        w.beginObject();
        if (message instanceof ServerMessage.Patch p) {
            w.name("type").value("patch");
            w.name("diff");
            writeNetworkDiff(w, p.diff());
            w.name("serverClock").value(p.serverClock());
        } else if (message instanceof ServerMessage.PushResult r) {
            w.name("type").value("push_result");
            w.name("clientClock").value(r.clientClock());
            w.name("serverClock").value(r.serverClock());
            w.name("action");
            PushAction action = r.action();
            if (action instanceof PushAction.Commit) {
                w.value("commit");
            } else if (action instanceof PushAction.Discard) {
                w.value("discard");
            } else if (action instanceof PushAction.RebaseWithDiff rebase) {
                w.beginObject().name("rebaseWithDiff");
                writeNetworkDiff(w, rebase.diff());
                w.endObject();
            } else {
                throw new IllegalArgumentException(
                        "unknown push action: " + action.getClass().getName());
            }
        } else if (message instanceof ServerMessage.Connect c) {
            w.name("type").value("connect");
            w.name("connectRequestId").value(c.connectRequestId());
            w.name("hydrationType").value(c.hydrationType().wireName());
            w.name("protocolVersion").value(c.protocolVersion());
            w.name("schema").value(c.schema());
            w.name("serverClock").value(c.serverClock());
            w.name("diff");
            writeNetworkDiff(w, c.diff());
            w.name("isReadonly").value(c.isReadonly());
            if (c.objectAccess() != null) {
                w.name("objectAccess").value(c.objectAccess());
            }
        } else if (message instanceof ServerMessage.Pong) {
            w.name("type").value("pong");
        } else if (message instanceof ServerMessage.Custom c) {
            w.name("type").value("custom");
            w.name("data").value(c.data());
        } else if (message instanceof ServerMessage.IncompatibilityError e) {
            w.name("type").value("incompatibility_error");
            w.name("reason").value(e.reason());
        } else {
            throw new IllegalArgumentException(
                    "unknown server message: " + message.getClass().getName());
        }
        w.endObject();
    }

    private static void writeNetworkDiff(JsonWriter w, NetworkDiff diff) {
        w.beginObject();
        for (Map.Entry<String, RecordOp> e : diff.ops().entrySet()) {
            w.name(e.getKey());
            writeRecordOp(w, e.getValue());
        }
        w.endObject();
    }

    private static void writeRecordOp(JsonWriter w, RecordOp op) {
        w.beginArray();
        if (op instanceof RecordOp.Put put) {
            w.value("put").value(put.record());
        } else if (op instanceof RecordOp.Patch patch) {
            w.value("patch");
            writeObjectDiff(w, patch.diff());
        } else if (op instanceof RecordOp.Remove) {
            w.value("remove");
        } else {
            throw new IllegalArgumentException(
                    "unknown record op: " + op.getClass().getName());
        }
        w.endArray();
    }

    private static void writeObjectDiff(JsonWriter w, ObjectDiff diff) {
        w.beginObject();
        for (Map.Entry<String, ValueOp> e : diff.ops().entrySet()) {
            w.name(e.getKey());
            writeValueOp(w, e.getValue());
        }
        w.endObject();
    }

    private static void writeValueOp(JsonWriter w, ValueOp op) {
        w.beginArray();
        if (op instanceof ValueOp.Put put) {
            w.value("put").value(put.value());
        } else if (op instanceof ValueOp.Delete) {
            w.value("delete");
        } else if (op instanceof ValueOp.Append append) {
            w.value("append").value(append.value()).value((long) append.offset());
        } else if (op instanceof ValueOp.Patch patch) {
            w.value("patch");
            writeObjectDiff(w, patch.diff());
        } else {
            throw new IllegalArgumentException(
                    "unknown value op: " + op.getClass().getName());
        }
        w.endArray();
    }
}
