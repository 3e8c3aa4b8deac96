package dev.tandem.sync.core.internal.protocol;

import static dev.tandem.sync.core.internal.protocol.Fields.anyClock;
import static dev.tandem.sync.core.internal.protocol.Fields.asStringObjectMap;
import static dev.tandem.sync.core.internal.protocol.Fields.capacity;
import static dev.tandem.sync.core.internal.protocol.Fields.fail;
import static dev.tandem.sync.core.internal.protocol.Fields.integer;
import static dev.tandem.sync.core.internal.protocol.Fields.object;
import static dev.tandem.sync.core.internal.protocol.Fields.quote;
import static dev.tandem.sync.core.internal.protocol.Fields.required;
import static dev.tandem.sync.core.internal.protocol.Fields.string;
import static dev.tandem.sync.core.internal.protocol.Fields.version;

import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.ValueOp;
import dev.tandem.sync.core.internal.json.FrozenList;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.json.FrozenOps;
import dev.tandem.sync.core.internal.json.JsonCodec;
import dev.tandem.sync.core.internal.protocol.Fields.Field;
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
 * Decodes client and server messages from JSON text, strictly (see {@link ProtocolCodec}); the document diff
 * of a client's push is read by {@link PushDiffReader}. Stateless.
 */
final class MessageDecoder {
    private MessageDecoder() {}

    /**
     * Decodes a message sent by a client.
     *
     * @throws ProtocolException if {@code json} is not a well-formed {@code connect}, {@code push} or
     *     {@code ping} message
     */
    static ClientMessage decodeClient(String json) {
        FrozenMap m = parseMessage(json);
        String type = messageType(m);
        switch (type) {
            case "connect":
                return decodeClientConnect(m, MessagePath.root("connect"));
            case "push":
                return decodePush(m, MessagePath.root("push"));
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
    static ServerMessage decodeServer(String json) {
        FrozenMap m = parseMessage(json);
        String type = messageType(m);
        switch (type) {
            case "connect":
                return decodeServerConnect(m, MessagePath.root("connect"));
            case "data":
                return decodeData(m, MessagePath.root("data"));
            case "pong":
                return ServerMessage.Pong.INSTANCE;
            case "custom":
                return new ServerMessage.Custom(m.get("data"));
            case "incompatibility_error":
                return new ServerMessage.IncompatibilityError(
                        string(required(m, "reason", MessagePath.root("incompatibility_error"))));
            case "patch":
                return decodePatch(m, MessagePath.root("patch"));
            case "push_result":
                return decodePushResult(m, MessagePath.root("push_result"));
            default:
                throw new ProtocolException("unknown server message type " + quote(type));
        }
    }

    static FrozenMap parseMessage(String json) {
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

    static String messageType(FrozenMap m) {
        Object type = m.get("type");
        if (type == null && !m.containsKey("type")) {
            throw new ProtocolException("message.type is required");
        }
        if (!(type instanceof String s)) {
            throw new ProtocolException("message.type must be a string");
        }
        return s;
    }

    static ClientMessage.Connect decodeClientConnect(FrozenMap m, MessagePath p) {
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

    static ClientMessage.Push decodePush(FrozenMap m, MessagePath p) {
        long clientClock = integer(required(m, "clientClock", p));
        Object d = m.get("diff");
        NetworkDiff diff = null;
        boolean[] asSent = {true};
        if (d != null) {
            diff = PushDiffReader.pushDiff(d, p.field("diff"), asSent);
        } else if (m.containsKey("diff")) {
            diff = NetworkDiff.EMPTY; // tldraw compares null with what it applied: never equal
            asSent[0] = false;
        }
        Object pr = m.get("presence");
        RecordOp presence = null;
        if (pr != null) {
            MessagePath pp = p.field("presence");
            presence = recordOp(pr, pp);
            if (presence instanceof RecordOp.Remove) {
                throw fail(pp, "must be [\"put\", record] or [\"patch\", diff]");
            }
        }
        return new ClientMessage.Push(clientClock, diff, presence, asSent[0]);
    }

    static ServerMessage.Connect decodeServerConnect(FrozenMap m, MessagePath p) {
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

    static ServerMessage.Data decodeData(FrozenMap m, MessagePath p) {
        Field f = required(m, "data", p);
        if (!(f.value() instanceof FrozenList list)) {
            throw fail(f.path(), "must be an array");
        }
        List<DataMessage> messages = new ArrayList<>(list.size());
        for (int i = 0; i < list.size(); i++) {
            MessagePath ep = f.path().index(i);
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

    static ServerMessage.Patch decodePatch(FrozenMap m, MessagePath p) {
        NetworkDiff diff = networkDiff(required(m, "diff", p));
        long serverClock = integer(required(m, "serverClock", p));
        return new ServerMessage.Patch(diff, serverClock);
    }

    static ServerMessage.PushResult decodePushResult(FrozenMap m, MessagePath p) {
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

    static NetworkDiff networkDiff(Field f) {
        return networkDiff(f.value(), f.path());
    }

    static NetworkDiff networkDiff(@Nullable Object value, MessagePath p) {
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

    static RecordOp recordOp(@Nullable Object value, MessagePath p) {
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

    static ObjectDiff objectDiff(@Nullable Object value, MessagePath p) {
        if (!(value instanceof FrozenMap m)) {
            throw fail(p, "must be an object");
        }
        LinkedHashMap<String, ValueOp> ops = new LinkedHashMap<>(capacity(m.size()));
        for (Map.Entry<String, @Nullable Object> e : m.entrySet()) {
            ops.put(e.getKey(), valueOp(e.getValue(), p.key(e.getKey())));
        }
        return new ObjectDiff(FrozenOps.adopt(ops));
    }

    static ValueOp valueOp(@Nullable Object value, MessagePath p) {
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
    static FrozenList tuple(@Nullable Object value, MessagePath p) {
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
}
