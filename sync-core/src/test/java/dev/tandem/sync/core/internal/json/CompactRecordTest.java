package dev.tandem.sync.core.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.sync.core.testing.Gen;
import dev.tandem.sync.core.testing.JsonGen;
import dev.tandem.sync.core.testing.Property;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/**
 * {@link CompactRecord} and its encoding ({@link CompactCodec}, {@link CompactDictionary}): every JSON value
 * kind survives the round trip through the bytes as an equal tree of the same canonical types, the JSON text
 * written straight from the bytes is the tree's, and a full dictionary falls back to inline keys and strings.
 */
class CompactRecordTest {
    private static final int CASES = 3000;

    /** Random records: an id, and random members nested up to 4 deep (strings never with lone surrogates). */
    private static Gen<FrozenMap> records() {
        Gen<Map<String, Object>> objects = JsonGen.objects(4);
        return rand -> {
            LinkedHashMap<String, @Nullable Object> m = new LinkedHashMap<>();
            if (rand.chance(0.9)) {
                m.put("id", "shape:" + rand.nextLong(0, 1_000_000));
            }
            m.putAll(objects.next(rand));
            if (rand.chance(0.3) && m.get("id") != null) {
                m.put("ref", m.get("id")); // another member holding the record's own id
            }
            return Frozen.freezeMap(m);
        };
    }

    /** Random values of {@link RandomJson}: lone surrogates, subnormals, unsafe integers, huge exponents. */
    private static Gen<FrozenMap> edgyRecords() {
        return rand -> {
            Random r = new Random(rand.nextLong());
            LinkedHashMap<String, @Nullable Object> m = new LinkedHashMap<>();
            m.put("id", RandomJson.string(r));
            m.put("value", RandomJson.value(r, 4));
            m.putAll(RandomJson.object(r, 3));
            return Frozen.freezeMap(m);
        };
    }

    @Test
    void compact_randomRecords_roundTripToEqualTreesAndJson() {
        Property.check("decode(encode(tree)) == tree", CASES, records(), CompactRecordTest::assertRoundTrip);
    }

    @Test
    void compact_edgyValues_roundTripToEqualTreesAndJson() {
        Property.check("edge values round-trip", CASES, edgyRecords(), CompactRecordTest::assertRoundTrip);
    }

    @Test
    void compact_fullDictionary_writesInlineKeysAndStringsAndStaysExact() {
        CompactDictionary tiny = new CompactDictionary(2, 3);
        Property.check("round trip with a full dictionary", CASES, records(), tree -> {
            String id = tree.get("id") instanceof String s ? s : null;
            byte[] bytes = CompactCodec.encode(tree, id, tiny);
            FrozenMap decoded = CompactCodec.decode(bytes, id, tiny);

            assertSameTree(decoded, tree);
            StringBuilder json = new StringBuilder();
            CompactCodec.writeJson(bytes, id, tiny, json);
            assertThat(json.toString()).isEqualTo(JsonCodec.stringify(tree));
        });
        assertThat(tiny.counts()).containsExactly(2, 3);
    }

    @Test
    void dictionary_givesCodesOnSecondSightingOnly_andEncodesThemShort() {
        CompactDictionary dict = new CompactDictionary(16, 16);
        FrozenMap tree = Frozen.freezeMap(Map.of("color", "rectangle-ish"));

        byte[] first = CompactCodec.encode(tree, null, dict);
        byte[] second = CompactCodec.encode(tree, null, dict);
        byte[] third = CompactCodec.encode(tree, null, dict);

        assertThat(dict.counts()).containsExactly(1, 1);
        assertThat(first[0]).isEqualTo((byte) CompactCodec.OBJECT_INLINE);
        assertThat(second).hasSize(3); // shape code, then one short string code
        assertThat(third).containsExactly(second);
        assertThat(CompactCodec.decode(first, null, dict)).isEqualTo(tree);
        assertThat(CompactCodec.decode(third, null, dict)).isEqualTo(tree);
    }

    @Test
    void compact_ownId_isNotRepeatedInTheBytes_andDecodesToTheSameString() {
        String id = "shape:" + "x".repeat(40);
        CompactRecord r = CompactRecord.compacted(Frozen.freezeMap(Map.of("id", id, "typeName", "shape")));

        assertThat(r.compactBytes()).isLessThan(id.length());
        assertThat(r.tree().get("id")).isSameAs(r.id()).isEqualTo(id);
    }

    @Test
    void numbers_keepTheirCanonicalTypesAndJavaScriptText() {
        List<Object> numbers = List.of(
                0L,
                63L,
                64L,
                -1L,
                9007199254740991L,
                -9007199254740991L,
                0.5,
                -0.5,
                120.25,
                -3.000001,
                0.000001,
                1e-7,
                1234567.125,
                1e21,
                1.5e300,
                Double.MIN_VALUE,
                4.9e-324,
                0.1 + 0.2,
                9007199254740993d,
                123456789.123456,
                999999999999.9,
                1e15 + 0.5,
                479.599609375,
                -1461.2626953125,
                1.234e-6,
                9.99e-7,
                0.123456789012345,
                12345.6789012345,
                1e-6);
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        for (int i = 0; i < numbers.size(); i++) {
            m.put("n" + i, Frozen.number((Number) numbers.get(i)));
        }
        m.put("negativeZero", Frozen.number(-0.0));
        FrozenMap tree = Frozen.freezeMap(m);

        assertRoundTrip(tree);
        assertThat(CompactRecord.compacted(tree).tree().get("negativeZero")).isEqualTo(0L);
    }

    @Test
    void decimalJson_matchesJavaScriptFormatting() {
        Random r = new Random(16);
        for (int i = 0; i < 100_000; i++) {
            int k = 1 + r.nextInt(CompactCodec.MAX_DECIMAL_SCALE);
            long m = r.nextLong() % (r.nextBoolean() ? 1000 : 100_000_000_000_000L);
            if (m % 10 == 0) {
                continue;
            }
            double d = m / Math.pow(10, k);
            FrozenMap tree = Frozen.freezeMap(Map.of("v", d));
            StringBuilder json = new StringBuilder();
            CompactRecord.compacted(tree).appendJson(json);

            assertThat(json.toString()).as("m=%d k=%d", m, k).isEqualTo(JsonCodec.stringify(tree));
        }
    }

    @Test
    void decimals_areAnIntegerAndAScale_notEightBytes() {
        CompactDictionary dict = new CompactDictionary(0, 0);
        byte[] coordinate = CompactCodec.encode(Frozen.freezeMap(Map.of("x", 479.599609375)), null, dict);
        byte[] tiny = CompactCodec.encode(Frozen.freezeMap(Map.of("x", 9.99e-7)), null, dict);

        // tag, size, key "x" (2 bytes), then the value
        assertThat(coordinate[4]).isEqualTo((byte) (CompactCodec.DECIMAL + 9));
        assertThat(coordinate).hasSizeLessThan(4 + 9);
        assertThat(tiny[4]).as("JavaScript writes it with an exponent").isEqualTo((byte) CompactCodec.DOUBLE);
    }

    @Test
    void strings_everyKind_roundTrip() {
        LinkedHashMap<String, Object> m = new LinkedHashMap<>();
        List<String> strings = List.of(
                "",
                "a",
                "black",
                "é ß ÿ",
                "中文",
                "😀",
                "\ud800",
                "a\udc00b",
                "\u0000\u001f\"\\/\u2028",
                "x".repeat(70),
                "é".repeat(70),
                "中".repeat(70),
                "rectangle");
        for (int i = 0; i < strings.size(); i++) {
            m.put("s" + i, strings.get(i));
            m.put("list" + i, List.of(strings.get(i), strings.get(i)));
        }
        m.put("emptyObject", Map.of());
        m.put("emptyList", List.of());
        m.put("nested", Map.of("a", List.of(Map.of(), List.of(List.of()), Map.of("b", Map.of("c", true)))));
        FrozenMap tree = Frozen.freezeMap(m);

        assertRoundTrip(tree);
        assertRoundTrip(tree); // the second time with dictionary codes
    }

    @Test
    void keySetsOfLongOrManyKeys_neverGetACode_andStillRoundTrip() {
        CompactDictionary dict = new CompactDictionary(8, 8);
        LinkedHashMap<String, Object> longKeys = new LinkedHashMap<>();
        longKeys.put("k".repeat(Shape.MAX_SHARED_KEY_CHARS), 1L);
        longKeys.put("j", 2L);
        LinkedHashMap<String, Object> manyKeys = new LinkedHashMap<>();
        for (int i = 0; i < Shape.INDEXED_FROM; i++) {
            manyKeys.put("k" + i, (long) i);
        }
        for (Map<String, Object> m : List.of(longKeys, manyKeys)) {
            FrozenMap tree = Frozen.freezeMap(m);
            for (int seen = 0; seen < 3; seen++) {
                assertThat(dict.shapeCode(tree.shape())).isEqualTo(-1);
                assertThat(CompactCodec.decode(CompactCodec.encode(tree, null, dict), null, dict))
                        .isEqualTo(tree);
            }
        }
        assertThat(dict.counts()[0]).isZero();
        FrozenMap small = Frozen.freezeMap(Map.of("a", 1L));
        dict.shapeCode(small.shape());
        assertThat(dict.shapeCode(small.shape()))
                .as("a small key set gets a code when seen again")
                .isZero();
    }

    @Test
    void expand_thenCompact_keepTheSameValue() {
        FrozenMap tree = Frozen.freezeMap(Map.of("id", "page:1", "x", 1.5, "props", Map.of("w", 10L)));
        CompactRecord r = CompactRecord.of(tree);

        assertThat(r.isCompact()).isFalse();
        assertThat(r.tree()).isSameAs(tree);
        r.compact();
        assertThat(r.isCompact()).isTrue();
        assertThat(r.tree()).isEqualTo(tree).isNotSameAs(tree);
        FrozenMap expanded = r.expand();
        assertThat(r.isCompact()).isFalse();
        assertThat(r.tree()).isSameAs(expanded).isEqualTo(tree);
        assertThat(r).isEqualTo(tree).isEqualTo(CompactRecord.compacted(tree));
        assertThat(tree).isEqualTo(r);
        assertThat(r.hashCode()).isEqualTo(tree.hashCode());
    }

    @Test
    void compactRecord_isImmutable_andFreezesToItsTree() {
        FrozenMap tree = Frozen.freezeMap(Map.of("id", "page:1"));
        CompactRecord r = CompactRecord.compacted(tree);

        assertThatThrownBy(() -> r.put("a", 1L)).isInstanceOf(UnsupportedOperationException.class);
        assertThatThrownBy(r::clear).isInstanceOf(UnsupportedOperationException.class);
        assertThat(Frozen.freezeMap(r)).isEqualTo(tree);
        assertThat(Frozen.freeze(r)).isInstanceOf(FrozenMap.class).isEqualTo(tree);
        assertThat(JsonSize.of(r)).isEqualTo(JsonSize.of(tree));
        assertThat(JsonCodec.stringify(List.of(r))).isEqualTo("[" + JsonCodec.stringify(tree) + "]");
    }

    private static void assertRoundTrip(FrozenMap tree) {
        CompactRecord r = CompactRecord.compacted(tree);
        FrozenMap decoded = r.tree();

        assertSameTree(decoded, tree);
        assertThat(r).isEqualTo(tree);
        assertThat(tree).isEqualTo(r);
        assertThat(r.hashCode()).isEqualTo(tree.hashCode());
        StringBuilder json = new StringBuilder();
        r.appendJson(json);
        assertThat(json.toString()).isEqualTo(JsonCodec.stringify(tree));
        assertThat(JsonCodec.parse(json.toString())).isEqualTo(tree);
    }

    /** Equal, and of the same classes everywhere (a Long stays a Long, a Double a Double). */
    private static void assertSameTree(@Nullable Object actual, @Nullable Object expected) {
        assertThat(actual).isEqualTo(expected);
        if (expected == null) {
            return;
        }
        assertThat(actual).isNotNull();
        assertThat(actual.getClass()).isEqualTo(expected.getClass());
        if (expected instanceof FrozenMap e) {
            FrozenMap a = (FrozenMap) actual;
            assertThat(a.size()).isEqualTo(e.size());
            for (int i = 0; i < e.size(); i++) {
                assertThat(a.keyAt(i)).isEqualTo(e.keyAt(i));
                assertSameTree(a.valueAt(i), e.valueAt(i));
            }
        } else if (expected instanceof FrozenList e) {
            FrozenList a = (FrozenList) actual;
            for (int i = 0; i < e.size(); i++) {
                assertSameTree(a.get(i), e.get(i));
            }
        } else if (expected instanceof Double d) {
            assertThat(Double.doubleToRawLongBits((Double) actual)).isEqualTo(Double.doubleToRawLongBits(d));
        }
    }
}
