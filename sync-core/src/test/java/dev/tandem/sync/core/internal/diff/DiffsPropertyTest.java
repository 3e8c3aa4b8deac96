package dev.tandem.sync.core.internal.diff;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.ValueOp;
import dev.tandem.sync.core.internal.json.FrozenList;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.testing.DiffGen;
import dev.tandem.sync.core.testing.Gen;
import dev.tandem.sync.core.testing.JsonGen;
import dev.tandem.sync.core.testing.Property;
import dev.tandem.sync.core.testing.RecordGen;
import dev.tandem.sync.core.testing.RecordPair;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** Algebraic properties of {@link Diffs} over thousands of seeded random records and diffs. */
class DiffsPropertyTest {
    private static final int CASES = 3000;

    @Test
    void applyDiffRecord_relatedRecords_givesNext() {
        Property.check("apply(prev, diff(prev, next)) == next, related", CASES, RecordGen.relatedPairs(), pair -> {
            assertRoundTrip(pair, false);
            assertRoundTrip(pair, true);
        });
    }

    @Test
    void applyDiffRecord_unrelatedRecords_givesNext() {
        Property.check("apply(prev, diff(prev, next)) == next, unrelated", CASES, RecordGen.unrelatedPairs(), pair -> {
            assertRoundTrip(pair, false);
            assertRoundTrip(pair, true);
        });
    }

    @Test
    void diffRecord_D1_equalRecords_isNull() {
        Property.check("diff of deep-equal records is null", CASES, RecordGen.records(), record -> {
            @SuppressWarnings("unchecked")
            Map<String, Object> copy = (Map<String, Object>) JsonGen.deepCopy(record);
            assertThat(Diffs.diffRecord(record, copy, false)).isNull();
            assertThat(Diffs.diffRecord(record, record, true)).isNull();
        });
    }

    @Test
    void diffRecord_D5_legacyMode_hasNoStringAppend() {
        Property.check("legacy mode sends no string append", CASES, RecordGen.relatedPairs(), pair -> {
            ObjectDiff diff = Diffs.diffRecord(pair.prev(), pair.next(), true);
            if (diff != null) {
                assertNoStringAppend(diff);
            }
        });
    }

    @Test
    void applyObjectDiff_AD1_randomDiffs_neverMutateInput() {
        Property.check("apply never mutates its input", CASES, recordsAndRandomDiffs(), input -> {
            Map<String, Object> mutable = thaw(input.record());
            Map<String, Object> before = thaw(input.record());

            Object result = Diffs.applyObjectDiff(mutable, input.diff());

            assertThat(mutable).isEqualTo(before);
            if (result != mutable) {
                assertThat(result).isInstanceOf(FrozenMap.class);
            }
        });
    }

    @Test
    void applyObjectDiff_AD1_diffOfRelatedRecords_neverMutatesUnfrozenInput() {
        Property.check("apply of a computed diff never mutates its input", CASES, RecordGen.relatedPairs(), pair -> {
            ObjectDiff diff = Diffs.diffRecord(pair.prev(), pair.next(), false);
            Map<String, Object> mutable = thaw((FrozenMap) pair.prev());
            Map<String, Object> before = thaw((FrozenMap) pair.prev());

            Object result = Diffs.applyObjectDiff(mutable, diff == null ? ObjectDiff.of(Map.of()) : diff);

            assertThat(mutable).isEqualTo(before);
            assertThat(result).isEqualTo(pair.next());
        });
    }

    @Test
    void applyObjectDiff_AD1_emptyDiff_returnsSameInstance() {
        ObjectDiff empty = ObjectDiff.of(Map.of());
        Property.check("apply of an empty diff returns its input", CASES, JsonGen.values(4), value -> {
            assertThat(Diffs.applyObjectDiff(value, empty)).isSameAs(value);
        });
    }

    @Test
    void applyObjectDiff_AD1_diffAppliedToItsTarget_returnsSameInstance() {
        Property.check("apply(next, diff(prev, next)) is next itself", CASES, RecordGen.relatedPairs(), pair -> {
            ObjectDiff diff = Diffs.diffRecord(pair.prev(), pair.next(), false);
            if (diff != null) {
                assertThat(Diffs.applyObjectDiff(pair.next(), diff)).isSameAs(pair.next());
            }
        });
    }

    @Test
    void applyObjectDiff_AD1_keysWithoutOps_keepIdentity() {
        Property.check("children without ops are shared", CASES, RecordGen.relatedPairs(), pair -> {
            ObjectDiff diff = Diffs.diffRecord(pair.prev(), pair.next(), false);
            if (diff == null) {
                return;
            }
            Map<?, ?> result = (Map<?, ?>) Diffs.applyObjectDiff(pair.prev(), diff);
            for (Map.Entry<String, Object> e : pair.prev().entrySet()) {
                if (!diff.ops().containsKey(e.getKey())) {
                    assertThat(result.get(e.getKey())).isSameAs(e.getValue());
                }
            }
        });
    }

    @Test
    void applyObjectDiff_randomDiffs_rediffRoundTrips() {
        Property.check(
                "diff(prev, apply(prev, d)) re-applies to the same record", CASES, recordsAndRandomDiffs(), input -> {
                    Object patched = Diffs.applyObjectDiff(input.record(), input.diff());
                    assertThat(patched).isInstanceOf(FrozenMap.class);
                    assertRoundTrip(new RecordPair(input.record(), (FrozenMap) patched), false);
                });
    }

    /** A record and an arbitrary diff to apply to it, as an untrusted peer might send. */
    private record RecordAndDiff(FrozenMap record, ObjectDiff diff) {}

    private static Gen<RecordAndDiff> recordsAndRandomDiffs() {
        Gen<RecordAndDiff> gen = rand -> new RecordAndDiff(RecordGen.record(rand), DiffGen.objectDiff(rand, 3));
        return gen.withShrinker(input -> Stream.concat(
                DiffGen.shrinkObjectDiff(input.diff()).map(d -> new RecordAndDiff(input.record(), d)),
                JsonGen.shrinkObject(input.record()).map(r -> new RecordAndDiff((FrozenMap) r, input.diff()))));
    }

    private static void assertRoundTrip(RecordPair pair, boolean legacyAppendMode) {
        ObjectDiff diff = Diffs.diffRecord(pair.prev(), pair.next(), legacyAppendMode);
        if (pair.prev().equals(pair.next())) {
            assertThat(diff).isNull();
            return;
        }
        assertThat(diff).isNotNull();
        assertThat(diff.isEmpty()).isFalse();
        Object applied = Diffs.applyObjectDiff(pair.prev(), diff);
        assertThat(applied).isInstanceOf(FrozenMap.class).isEqualTo(pair.next());
    }

    private static void assertNoStringAppend(ObjectDiff diff) {
        for (ValueOp op : diff.ops().values()) {
            if (op instanceof ValueOp.Append append) {
                assertThat(append.value()).isInstanceOf(List.class);
            } else if (op instanceof ValueOp.Patch patch) {
                assertNoStringAppend(patch.diff());
            }
        }
    }

    /** Returns a deep mutable copy (LinkedHashMap, ArrayList) of a frozen object. */
    @SuppressWarnings("unchecked")
    private static Map<String, Object> thaw(FrozenMap map) {
        return (Map<String, Object>) thawValue(map);
    }

    private static @Nullable Object thawValue(@Nullable Object value) {
        if (value instanceof FrozenMap map) {
            LinkedHashMap<String, @Nullable Object> copy = new LinkedHashMap<>();
            map.forEach((k, v) -> copy.put(k, thawValue(v)));
            return copy;
        }
        if (value instanceof FrozenList list) {
            ArrayList<@Nullable Object> copy = new ArrayList<>();
            list.forEach(v -> copy.add(thawValue(v)));
            return copy;
        }
        return value;
    }
}
