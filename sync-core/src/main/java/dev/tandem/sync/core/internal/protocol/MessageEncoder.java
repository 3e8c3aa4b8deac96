package dev.tandem.sync.core.internal.protocol;

import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.ValueOp;
import dev.tandem.sync.core.internal.json.JsonWriter;
import dev.tandem.sync.core.internal.protocol.ServerMessage.DataMessage;
import dev.tandem.sync.core.internal.protocol.ServerMessage.PushAction;
import java.util.Map;

/** Writes client and server messages as JSON in tldraw's field order (see {@link ProtocolCodec}). Stateless. */
final class MessageEncoder {
    private MessageEncoder() {}

    static void writeClient(JsonWriter w, ClientMessage message) {
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

    static void writeServer(JsonWriter w, ServerMessage message) {
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

    static void writeNetworkDiff(JsonWriter w, NetworkDiff diff) {
        w.beginObject();
        for (Map.Entry<String, RecordOp> e : diff.ops().entrySet()) {
            w.name(e.getKey());
            writeRecordOp(w, e.getValue());
            w.spillPoint();
        }
        w.endObject();
    }

    static void writeRecordOp(JsonWriter w, RecordOp op) {
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

    static void writeObjectDiff(JsonWriter w, ObjectDiff diff) {
        w.beginObject();
        for (Map.Entry<String, ValueOp> e : diff.ops().entrySet()) {
            w.name(e.getKey());
            writeValueOp(w, e.getValue());
        }
        w.endObject();
    }

    static void writeValueOp(JsonWriter w, ValueOp op) {
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
