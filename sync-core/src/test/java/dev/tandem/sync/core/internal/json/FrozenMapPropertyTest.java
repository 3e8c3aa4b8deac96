package dev.tandem.sync.core.internal.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.testing.Gen;
import dev.tandem.sync.core.testing.JsonGen;
import dev.tandem.sync.core.testing.Property;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * The compact {@link FrozenMap} (one key/value array, an index only for large objects, shared key strings)
 * behaves exactly as a plain {@link LinkedHashMap} and a {@link HashMap} holding the same members, and
 * survives a JSON round trip, over thousands of seeded random objects of 0 to 60 members.
 */
class FrozenMapPropertyTest {
    private static final int CASES = 3000;

    /** Members as written, duplicates included: key, value, key, value… */
    record Members(List<@Nullable Object> kv) {
        LinkedHashMap<String, @Nullable Object> asLinkedHashMap() {
            LinkedHashMap<String, @Nullable Object> m = new LinkedHashMap<>();
            for (int i = 0; i < kv.size(); i += 2) {
                m.put((String) kv.get(i), kv.get(i + 1));
            }
            return m;
        }

        /** The JSON text, with repeated keys as written (JSON.parse keeps the last value, first position). */
        String json() {
            StringBuilder b = new StringBuilder("{");
            for (int i = 0; i < kv.size(); i += 2) {
                if (i > 0) {
                    b.append(',');
                }
                JsonCodec.stringify(kv.get(i), b);
                b.append(':');
                JsonCodec.stringify(kv.get(i + 1), b);
            }
            return b.append('}').toString();
        }

        @Override
        public String toString() {
            return json();
        }
    }

    private static Gen<Members> members() {
        return rand -> {
            // mostly small objects (a record's), sometimes past the indexed threshold
            int n = rand.chance(0.8) ? rand.nextInt(0, 12) : rand.nextInt(12, 60);
            List<@Nullable Object> kv = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                kv.add(rand.chance(0.5) ? JsonGen.key(rand) : "k" + rand.nextInt(0, 80));
                kv.add(JsonGen.value(rand, 2));
            }
            return new Members(kv);
        };
    }

    @Test
    void parse_randomObjects_equalsLinkedHashMapInOrderAndLookups() {
        Property.check("parsed FrozenMap == LinkedHashMap", CASES, members(), m -> {
            LinkedHashMap<String, @Nullable Object> expected = m.asLinkedHashMap();
            FrozenMap parsed = (FrozenMap) JsonCodec.parse(m.json());

            assertSameAs(parsed, expected);
        });
    }

    @Test
    void adoptMap_randomObjects_equalsLinkedHashMapAndHashMap() {
        Property.check("adopted FrozenMap == LinkedHashMap == HashMap", CASES, members(), m -> {
            LinkedHashMap<String, @Nullable Object> expected = m.asLinkedHashMap();
            FrozenMap adopted = Frozen.adoptMap(new LinkedHashMap<>(expected));
            FrozenMap frozen = Frozen.freezeMap(new HashMap<>(expected));

            assertSameAs(adopted, expected);
            assertThat(frozen).isEqualTo(adopted).isEqualTo(new HashMap<>(expected));
            assertThat(adopted).isEqualTo(frozen);
            assertThat(frozen.hashCode()).isEqualTo(adopted.hashCode());
            assertThat(adopted.mutableCopy()).containsExactlyEntriesOf(expected);
        });
    }

    @Test
    void stringify_randomObjects_roundTripsThroughJson() {
        Property.check("parse(stringify(m)) == m", CASES, members(), m -> {
            FrozenMap parsed = (FrozenMap) JsonCodec.parse(m.json());
            String text = JsonCodec.stringify(parsed);

            assertThat(JsonCodec.parse(text)).isEqualTo(parsed);
            assertThat(text).isEqualTo(JsonCodec.stringify(m.asLinkedHashMap()));
            assertThat(JsonSize.of(parsed)).isEqualTo(JsonSize.of(m.asLinkedHashMap()));
        });
    }

    @Test
    void equals_objectsDifferingInOneValue_areNotEqual() {
        Property.check("one changed value breaks equality", CASES, members(), m -> {
            LinkedHashMap<String, @Nullable Object> expected = m.asLinkedHashMap();
            if (expected.isEmpty()) {
                return;
            }
            String key = expected.keySet().iterator().next();
            LinkedHashMap<String, @Nullable Object> changed = new LinkedHashMap<>(expected);
            changed.put(key, List.of("changed", expected.size()));
            FrozenMap a = Frozen.freezeMap(expected);
            FrozenMap b = Frozen.freezeMap(changed);

            assertThat(a).isNotEqualTo(b);
            assertThat(b).isNotEqualTo(a);
            assertThat(a).isNotEqualTo(Frozen.freezeMap(Map.of("other", true)));
        });
    }

    @Test
    void parse_randomArrays_equalArrayListsOfEverySize() {
        Gen<List<@Nullable Object>> arrays = rand -> {
            int n = rand.chance(0.5) ? rand.nextInt(0, 3) : rand.nextInt(0, 30);
            List<@Nullable Object> l = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                l.add(JsonGen.value(rand, 2));
            }
            return l;
        };
        Property.check("parsed FrozenList == ArrayList", CASES, arrays, expected -> {
            FrozenList parsed = (FrozenList) JsonCodec.parse(JsonCodec.stringify(expected));

            assertThat(parsed).isEqualTo(expected).hasSize(expected.size());
            assertThat(expected).isEqualTo(parsed);
            assertThat(parsed.hashCode()).isEqualTo(expected.hashCode());
            assertThat(parsed.toArray()).containsExactly(expected.toArray());
            assertThat(parsed.mutableCopy()).isEqualTo(expected);
            for (int i = 0; i < expected.size(); i++) {
                assertThat(parsed.get(i)).isEqualTo(expected.get(i));
            }
            assertThat(Frozen.freeze(new ArrayList<>(expected))).isEqualTo(parsed);
        });
    }

    @Test
    void parse_repeatedRecordKeys_shareOneStringInstance() {
        FrozenMap a = (FrozenMap) JsonCodec.parse("{\"typeName\":\"shape\",\"props\":{\"color\":\"black\"}}");
        FrozenMap b = (FrozenMap) JsonCodec.parse("{\"typeName\":\"shape\",\"props\":{\"color\":\"black\"}}");

        assertThat(a.keyAt(0)).isSameAs(b.keyAt(0));
        assertThat(a.valueAt(0)).isSameAs(b.valueAt(0));
        assertThat(((FrozenMap) a.get("props")).valueAt(0)).isSameAs(((FrozenMap) b.get("props")).valueAt(0));
    }

    @Test
    void parse_recordIdAfterItsDiffKey_sharesTheKeyString() {
        FrozenMap diff = (FrozenMap)
                JsonCodec.parse("{\"shape:Vw3d9kQ2LmPa8sXc1ZbYt\":[\"put\",{\"id\":\"shape:Vw3d9kQ2LmPa8sXc1ZbYt\"}]}");
        FrozenMap record = (FrozenMap) ((FrozenList) diff.valueAt(0)).get(1);

        assertThat(record.get("id")).isSameAs(diff.keyAt(0));
    }

    private static void assertSameAs(FrozenMap actual, LinkedHashMap<String, @Nullable Object> expected) {
        assertThat(actual).hasSize(expected.size()).isEqualTo(expected);
        assertThat(expected).isEqualTo(actual);
        assertThat(actual.hashCode()).isEqualTo(expected.hashCode());
        assertThat(new ArrayList<>(actual.keySet())).containsExactlyElementsOf(expected.keySet());
        int i = 0;
        for (Map.Entry<String, @Nullable Object> e : expected.entrySet()) {
            assertThat(actual.keyAt(i)).isEqualTo(e.getKey());
            assertThat(actual.valueAt(i)).isEqualTo(e.getValue());
            assertThat(actual.containsKey(e.getKey())).isTrue();
            assertThat(actual.get(e.getKey())).isEqualTo(e.getValue());
            i++;
        }
        assertThat(actual.containsKey("absent key \u0000")).isFalse();
        assertThat(actual.get("absent key \u0000")).isNull();
        Map<String, @Nullable Object> visited = new LinkedHashMap<>();
        actual.forEach(visited::put);
        assertThat(visited).containsExactlyEntriesOf(expected);
    }
}
