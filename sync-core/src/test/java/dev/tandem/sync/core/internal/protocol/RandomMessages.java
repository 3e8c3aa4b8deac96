package dev.tandem.sync.core.internal.protocol;

import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.ValueOp;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.json.RandomJson;
import dev.tandem.sync.core.internal.protocol.ServerMessage.DataMessage;
import dev.tandem.sync.core.internal.protocol.ServerMessage.HydrationType;
import dev.tandem.sync.core.internal.protocol.ServerMessage.PushAction;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Random;
import org.jspecify.annotations.Nullable;

/** Random protocol messages for property tests; every JSON part is frozen, so equals is deep equality. */
final class RandomMessages {
    private RandomMessages() {}

    static ClientMessage client(Random r) {
        switch (r.nextInt(5)) {
            case 0:
                return new ClientMessage.Connect(
                        RandomJson.string(r),
                        r.nextBoolean() ? -1 : clock(r),
                        r.nextInt(4) == 0 ? null : (Integer) r.nextInt(12),
                        r.nextInt(4) == 0 ? null : schema(r));
            case 1:
                return ClientMessage.Ping.INSTANCE;
            default:
                RecordOp presence = null;
                if (r.nextBoolean()) {
                    presence = r.nextBoolean() ? new RecordOp.Put(record(r)) : new RecordOp.Patch(objectDiff(r, 3));
                }
                return new ClientMessage.Push(clock(r), r.nextInt(5) == 0 ? null : networkDiff(r), presence);
        }
    }

    static ServerMessage server(Random r) {
        switch (r.nextInt(9)) {
            case 0:
                return new ServerMessage.Connect(
                        RandomJson.string(r),
                        r.nextBoolean() ? HydrationType.WIPE_ALL : HydrationType.WIPE_PRESENCE,
                        r.nextInt(12),
                        schema(r),
                        networkDiff(r),
                        clock(r),
                        r.nextBoolean(),
                        r.nextInt(3) == 0 ? null : r.nextBoolean() ? "read" : "write");
            case 1:
                return ServerMessage.Pong.INSTANCE;
            case 2:
                return new ServerMessage.Custom(RandomJson.value(r, 3));
            case 3:
                return new ServerMessage.IncompatibilityError(
                        List.of("clientTooOld", "serverTooOld", "invalidRecord", "invalidOperation")
                                .get(r.nextInt(4)));
            case 4:
                return dataMessage(r);
            default:
                List<DataMessage> data = new ArrayList<>();
                for (int i = r.nextInt(5); i > 0; i--) {
                    data.add(dataMessage(r));
                }
                return new ServerMessage.Data(data);
        }
    }

    static DataMessage dataMessage(Random r) {
        if (r.nextBoolean()) {
            return new ServerMessage.Patch(networkDiff(r), clock(r));
        }
        PushAction action = switch (r.nextInt(3)) {
            case 0 -> PushAction.Commit.INSTANCE;
            case 1 -> PushAction.Discard.INSTANCE;
            default -> new PushAction.RebaseWithDiff(networkDiff(r));
        };
        return new ServerMessage.PushResult(clock(r), clock(r), action);
    }

    static NetworkDiff networkDiff(Random r) {
        LinkedHashMap<String, RecordOp> ops = new LinkedHashMap<>();
        for (int i = r.nextInt(5); i > 0; i--) {
            ops.put(
                    RandomJson.key(r),
                    switch (r.nextInt(3)) {
                        case 0 -> new RecordOp.Put(record(r));
                        case 1 -> new RecordOp.Patch(objectDiff(r, 3));
                        default -> RecordOp.Remove.INSTANCE;
                    });
        }
        return new NetworkDiff(ops);
    }

    static ObjectDiff objectDiff(Random r, int depth) {
        LinkedHashMap<String, ValueOp> ops = new LinkedHashMap<>();
        for (int i = r.nextInt(5); i > 0; i--) {
            ops.put(RandomJson.key(r), valueOp(r, depth));
        }
        return new ObjectDiff(ops);
    }

    static ValueOp valueOp(Random r, int depth) {
        switch (r.nextInt(depth > 0 ? 4 : 3)) {
            case 0:
                return new ValueOp.Put(RandomJson.value(r, 3));
            case 1:
                return ValueOp.Delete.INSTANCE;
            case 2:
                Object appended = r.nextBoolean() ? RandomJson.string(r) : RandomJson.array(r, 2);
                return new ValueOp.Append(appended, r.nextInt(4) == 0 ? r.nextInt(Integer.MAX_VALUE) : r.nextInt(100));
            default:
                return new ValueOp.Patch(objectDiff(r, depth - 1));
        }
    }

    static FrozenMap record(Random r) {
        LinkedHashMap<String, @Nullable Object> m = new LinkedHashMap<>();
        m.put("id", "shape:" + RandomJson.key(r));
        m.put("typeName", "shape");
        m.put("x", RandomJson.number(r));
        m.put("y", RandomJson.number(r));
        m.put("props", RandomJson.object(r, 3));
        m.putAll(RandomJson.object(r, 2));
        return Frozen.adoptMap(m);
    }

    static FrozenMap schema(Random r) {
        LinkedHashMap<String, @Nullable Object> sequences = new LinkedHashMap<>();
        for (int i = r.nextInt(3); i > 0; i--) {
            sequences.put("com.tldraw." + RandomJson.key(r), (long) r.nextInt(20));
        }
        LinkedHashMap<String, @Nullable Object> m = new LinkedHashMap<>();
        m.put("schemaVersion", (long) r.nextInt(3));
        m.put("sequences", sequences.isEmpty() ? Frozen.emptyMap() : Frozen.adoptMap(sequences));
        return Frozen.adoptMap(m);
    }

    /** A clock a JavaScript number holds exactly. */
    static long clock(Random r) {
        return r.nextInt(3) == 0 ? r.nextInt(100) : r.nextLong() >> 11;
    }
}
