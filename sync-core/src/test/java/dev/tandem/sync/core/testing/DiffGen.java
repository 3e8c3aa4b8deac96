package dev.tandem.sync.core.testing;

import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.ValueOp;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenList;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * Generators of random {@link ObjectDiff}s and {@link NetworkDiff}s, for codec round-trip tests: every op
 * kind, nested patches, string and list appends with arbitrary offsets, and frozen JSON values throughout.
 * The diffs are well-formed but need not be ones {@code diffRecord} would compute; for those, diff the pairs
 * from {@link RecordGen#relatedPairs()}.
 *
 * <p>Stateless and thread-safe.
 */
public final class DiffGen {
    private DiffGen() {}

    /** Returns a generator of object diffs nested at most 3 patches deep. */
    public static Gen<ObjectDiff> objectDiffs() {
        Gen<ObjectDiff> gen = rand -> objectDiff(rand, 3);
        return gen.withShrinker(DiffGen::shrinkObjectDiff);
    }

    /** Returns a generator of network diffs: record puts, patches and removes. */
    public static Gen<NetworkDiff> networkDiffs() {
        Gen<NetworkDiff> gen = DiffGen::networkDiff;
        return gen.withShrinker(DiffGen::shrinkNetworkDiff);
    }

    /** Returns a random object diff whose patches nest at most {@code maxDepth} deep. */
    public static ObjectDiff objectDiff(Rand rand, int maxDepth) {
        LinkedHashMap<String, ValueOp> ops = new LinkedHashMap<>();
        for (int i = rand.length(6); i > 0; i--) {
            String key = rand.chance(0.3) ? Integer.toString(rand.nextInt(12)) : JsonGen.key(rand);
            ops.put(key, valueOp(rand, maxDepth));
        }
        return new ObjectDiff(ops);
    }

    /** Returns a random op; a {@code patch} only while {@code maxDepth > 0}. */
    public static ValueOp valueOp(Rand rand, int maxDepth) {
        int roll = rand.nextInt(10);
        if (roll < 4) {
            return new ValueOp.Put(JsonGen.value(rand, 3));
        }
        if (roll < 5) {
            return ValueOp.Delete.INSTANCE;
        }
        if (roll < 7) {
            int offset = rand.chance(0.5) ? rand.nextInt(20) : rand.nextInt(0, Integer.MAX_VALUE);
            Object value = rand.nextBoolean() ? JsonGen.string(rand) : JsonGen.list(rand, 2);
            return new ValueOp.Append(value, offset);
        }
        if (maxDepth > 0) {
            return new ValueOp.Patch(objectDiff(rand, maxDepth - 1));
        }
        return new ValueOp.Put(JsonGen.leaf(rand));
    }

    /** Returns a random network diff. */
    public static NetworkDiff networkDiff(Rand rand) {
        LinkedHashMap<String, RecordOp> ops = new LinkedHashMap<>();
        for (int i = rand.length(5); i > 0; i--) {
            int roll = rand.nextInt(10);
            if (roll < 4) {
                Map<String, Object> record = RecordGen.record(rand);
                ops.put(String.valueOf(record.get("id")), new RecordOp.Put(record));
            } else if (roll < 8) {
                ops.put("shape:" + rand.nextInt(100), new RecordOp.Patch(objectDiff(rand, 3)));
            } else {
                ops.put("shape:" + rand.nextInt(100), RecordOp.Remove.INSTANCE);
            }
        }
        return new NetworkDiff(ops);
    }

    /** Returns smaller diffs: one op fewer, or one op's value or nested diff shrunk. */
    public static Stream<ObjectDiff> shrinkObjectDiff(ObjectDiff diff) {
        return shrinkOps(diff.ops(), DiffGen::shrinkValueOp).map(ObjectDiff::new);
    }

    /** Returns smaller network diffs: one record op fewer, or one op's record or diff shrunk. */
    public static Stream<NetworkDiff> shrinkNetworkDiff(NetworkDiff diff) {
        return shrinkOps(diff.ops(), DiffGen::shrinkRecordOp).map(NetworkDiff::new);
    }

    private static Stream<ValueOp> shrinkValueOp(ValueOp op) {
        if (op instanceof ValueOp.Put put) {
            return JsonGen.shrinkValue(put.value()).map(ValueOp.Put::new);
        }
        if (op instanceof ValueOp.Append append) {
            Stream<ValueOp> offsets =
                    append.offset() == 0 ? Stream.empty() : Stream.of(new ValueOp.Append(append.value(), 0));
            Stream<Object> values = append.value() instanceof String s
                    ? JsonGen.shrinkString(s).map(v -> v)
                    : JsonGen.shrinkList((FrozenList) Frozen.freeze(append.value()))
                            .map(v -> v);
            return Stream.concat(offsets, values.map(v -> new ValueOp.Append(v, append.offset())));
        }
        if (op instanceof ValueOp.Patch patch) {
            return Stream.concat(
                    Stream.of(ValueOp.Delete.INSTANCE),
                    shrinkObjectDiff(patch.diff()).map(ValueOp.Patch::new));
        }
        return Stream.empty();
    }

    private static Stream<RecordOp> shrinkRecordOp(RecordOp op) {
        if (op instanceof RecordOp.Put put) {
            return JsonGen.shrinkObject(put.record()).map(RecordOp.Put::new);
        }
        if (op instanceof RecordOp.Patch patch) {
            return Stream.concat(
                    Stream.of(RecordOp.Remove.INSTANCE),
                    shrinkObjectDiff(patch.diff()).map(RecordOp.Patch::new));
        }
        return Stream.empty();
    }

    private static <V> Stream<Map<String, V>> shrinkOps(Map<String, V> ops, Function<V, Stream<V>> shrinkOp) {
        List<String> keys = new ArrayList<>(ops.keySet());
        Stream<Map<String, V>> fewer = keys.stream().map(k -> {
            LinkedHashMap<String, V> copy = new LinkedHashMap<>(ops);
            copy.remove(k);
            return copy;
        });
        Stream<Map<String, V>> smaller = keys.stream()
                .flatMap(k -> shrinkOp.apply(ops.get(k)).map(v -> {
                    LinkedHashMap<String, V> copy = new LinkedHashMap<>(ops);
                    copy.put(k, v);
                    return copy;
                }));
        return Stream.concat(fewer, smaller);
    }
}
