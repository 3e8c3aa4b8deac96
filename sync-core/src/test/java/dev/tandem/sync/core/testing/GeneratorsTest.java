package dev.tandem.sync.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.ValueOp;
import dev.tandem.sync.core.internal.diff.Diffs;
import dev.tandem.sync.core.internal.json.FrozenList;
import dev.tandem.sync.core.internal.json.FrozenMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The generators produce what their Javadoc promises, so properties built on them test what they claim. */
class GeneratorsTest {
    private static final int SAMPLES = 2000;

    @Test
    void values_coverEveryJsonKindAndTrickyCharacters() {
        Set<String> kinds = new HashSet<>();
        Gen<@Nullable Object> gen = JsonGen.values(3);
        for (int i = 0; i < SAMPLES; i++) {
            collectKinds(gen.next(new Rand(i, 1 + i % Rand.MAX_SIZE)), kinds);
        }

        assertThat(kinds)
                .contains(
                        "null",
                        "boolean",
                        "long",
                        "double",
                        "string",
                        "object",
                        "list",
                        "astral",
                        "non-ascii",
                        "line-separator",
                        "control",
                        "max-safe-integer",
                        "empty-string");
    }

    @Test
    void values_areCanonical() {
        Property.check(
                "values are canonical",
                SAMPLES,
                JsonGen.values(4),
                v -> assertThat(JsonGen.isCanonical(v)).isTrue());
    }

    @Test
    void records_areFrozenTldrawLikeRecords() {
        Property.check("records look like tldraw's", SAMPLES, RecordGen.records(), record -> {
            assertThat(record).isInstanceOf(FrozenMap.class).containsKeys("id", "typeName", "meta");
            assertThat(JsonGen.isCanonical(record)).isTrue();
            assertThat((String) record.get("id")).startsWith(record.get("typeName") + ":");
        });
    }

    @Test
    void relatedPairs_diffsExerciseAppendsPatchesAndPuts() {
        Set<String> ops = new HashSet<>();
        int changed = 0;
        Gen<RecordPair> gen = RecordGen.relatedPairs();
        for (int i = 0; i < SAMPLES; i++) {
            RecordPair pair = gen.next(new Rand(i, 1 + i % Rand.MAX_SIZE));
            ObjectDiff diff = Diffs.diffRecord(pair.prev(), pair.next(), false);
            if (diff != null) {
                changed++;
                collectOps(diff, false, ops);
            }
        }

        assertThat(changed).isGreaterThan(SAMPLES * 8 / 10);
        assertThat(ops)
                .contains(
                        "put",
                        "delete",
                        "patch",
                        "append-string",
                        "append-list",
                        "put-list",
                        "index-put",
                        "index-patch",
                        "index-append");
    }

    @Test
    void objectDiffs_coverEveryOpKindWithFrozenValues() {
        Set<String> ops = new HashSet<>();
        Gen<ObjectDiff> gen = DiffGen.objectDiffs();
        for (int i = 0; i < SAMPLES; i++) {
            collectOps(gen.next(new Rand(i, 1 + i % Rand.MAX_SIZE)), false, ops);
        }

        assertThat(ops).contains("put", "delete", "patch", "append-string", "append-list", "index-put");
    }

    @Test
    void networkDiffs_coverEveryRecordOpKind() {
        Set<Class<?>> kinds = new HashSet<>();
        Gen<NetworkDiff> gen = DiffGen.networkDiffs();
        for (int i = 0; i < SAMPLES; i++) {
            gen.next(new Rand(i, 1 + i % Rand.MAX_SIZE)).ops().values().forEach(op -> kinds.add(op.getClass()));
        }

        assertThat(kinds).containsExactlyInAnyOrder(RecordOp.Put.class, RecordOp.Patch.class, RecordOp.Remove.class);
    }

    @Test
    void shrinkValue_candidatesAreSmaller() {
        Property.check(
                "shrink candidates are smaller",
                300,
                JsonGen.values(4),
                value -> JsonGen.shrinkValue(value)
                        .forEach(candidate -> assertThat(weight(candidate)).isLessThan(weight(value))));
    }

    @Test
    void shrinkPair_candidatesAreSmaller() {
        Property.check("pair shrink candidates are smaller", 50, RecordGen.relatedPairs(), pair -> {
            long original = weight(pair.prev()) + weight(pair.next());
            RecordGen.shrinkPair(pair)
                    .limit(200)
                    .forEach(candidate -> assertThat(weight(candidate.prev()) + weight(candidate.next()))
                            .isLessThan(original));
        });
    }

    @Test
    void shrinkString_neverSplitsSurrogatePairs() {
        Property.check(
                "string shrinks keep surrogate pairs",
                SAMPLES,
                JsonGen.strings(),
                s -> JsonGen.shrinkString(s)
                        .forEach(candidate -> assertThat(hasLoneSurrogate(candidate))
                                .as(candidate)
                                .isFalse()));
    }

    private static void collectKinds(@Nullable Object value, Set<String> kinds) {
        if (value == null) {
            kinds.add("null");
        } else if (value instanceof Boolean) {
            kinds.add("boolean");
        } else if (value instanceof Long l) {
            kinds.add(Math.abs(l) == 9_007_199_254_740_991L ? "max-safe-integer" : "long");
        } else if (value instanceof Double) {
            kinds.add("double");
        } else if (value instanceof String s) {
            kinds.add(s.isEmpty() ? "empty-string" : "string");
            s.chars().forEach(c -> {
                if (Character.isSurrogate((char) c)) {
                    kinds.add("astral");
                } else if (c == '\u2028' || c == '\u2029') {
                    kinds.add("line-separator");
                } else if (c < 0x20) {
                    kinds.add("control");
                } else if (c > 0x7f) {
                    kinds.add("non-ascii");
                }
            });
        } else if (value instanceof FrozenMap map) {
            kinds.add("object");
            map.forEach((k, v) -> collectKinds(v, kinds));
        } else if (value instanceof FrozenList list) {
            kinds.add("list");
            list.forEach(v -> collectKinds(v, kinds));
        }
    }

    private static void collectOps(ObjectDiff diff, boolean inList, Set<String> ops) {
        for (Map.Entry<String, ValueOp> e : diff.ops().entrySet()) {
            ValueOp op = e.getValue();
            String prefix = inList || e.getKey().matches("[0-9]+") ? "index-" : "";
            if (op instanceof ValueOp.Put put) {
                assertThat(JsonGen.isCanonical(put.value())).isTrue();
                ops.add(prefix + "put");
                if (put.value() instanceof List) {
                    ops.add("put-list");
                }
            } else if (op instanceof ValueOp.Delete) {
                ops.add(prefix + "delete");
            } else if (op instanceof ValueOp.Append append) {
                assertThat(JsonGen.isCanonical(append.value())).isTrue();
                ops.add(prefix + "append");
                ops.add(append.value() instanceof String ? "append-string" : "append-list");
            } else if (op instanceof ValueOp.Patch patch) {
                ops.add(prefix + "patch");
                collectOps(patch.diff(), false, ops);
            }
        }
    }

    /** A size that every shrink candidate must reduce. */
    private static long weight(@Nullable Object value) {
        if (value == null) {
            return 0;
        }
        if (value instanceof Boolean b) {
            return b ? 2 : 1;
        }
        if (value instanceof Long l) {
            return l == 0 ? 1 : 2 + 64 - Long.numberOfLeadingZeros(Math.abs(l));
        }
        if (value instanceof Double) {
            return 2 + 64 + 1;
        }
        if (value instanceof String s) {
            return 1 + s.codePointCount(0, s.length());
        }
        long total = 1;
        if (value instanceof Map<?, ?> map) {
            for (Object v : map.values()) {
                total += 1 + weight(v);
            }
        } else if (value instanceof List<?> list) {
            for (Object v : list) {
                total += 1 + weight(v);
            }
        }
        return total;
    }

    private static boolean hasLoneSurrogate(String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (Character.isHighSurrogate(c) && (i + 1 >= s.length() || !Character.isLowSurrogate(s.charAt(i + 1)))) {
                return true;
            }
            if (Character.isLowSurrogate(c) && (i == 0 || !Character.isHighSurrogate(s.charAt(i - 1)))) {
                return true;
            }
        }
        return false;
    }
}
