package dev.tandem.sync.core.internal.json;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.sync.core.testing.Property;
import java.io.IOException;
import java.math.BigDecimal;
import java.math.BigInteger;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsonCodecTest {

    // ---- parse: values and canonical numbers

    @Test
    void parse_scalars_returnFrozenLeaves() {
        assertThat(JsonCodec.parse("\"a\"")).isEqualTo("a");
        assertThat(JsonCodec.parse("true")).isEqualTo(true);
        assertThat(JsonCodec.parse("false")).isEqualTo(false);
        assertThat(JsonCodec.parse("null")).isNull();
        assertThat(JsonCodec.parse(" 7 ")).isEqualTo(7L);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiterString = "->",
            value = {
                "0 -> 0",
                "-0 -> 0",
                "-0.0 -> 0",
                "1.0 -> 1",
                "1e2 -> 100",
                "1E+2 -> 100",
                "2.5e1 -> 25",
                "9007199254740991 -> 9007199254740991",
                "-9007199254740991 -> -9007199254740991",
                "1e-400 -> 0",
            })
    void parse_integralNumbers_becomeLong(String json, long expected) {
        assertThat(JsonCodec.parse(json)).isInstanceOf(Long.class).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(
            delimiterString = "->",
            value = {
                "0.1 -> 0.1",
                "-1.5 -> -1.5",
                "9007199254740992 -> 9007199254740992",
                "9007199254740993 -> 9007199254740992",
                "-9007199254740993 -> -9007199254740992",
                "9007199254740992.0 -> 9007199254740992",
                "123456789012345678901234567890 -> 1.2345678901234568E29",
                "1e21 -> 1e21",
                "1.7976931348623157e308 -> 1.7976931348623157e308",
                "5e-324 -> 4.9e-324",
            })
    void parse_fractionalOrUnsafeNumbers_becomeDouble(String json, double expected) {
        assertThat(JsonCodec.parse(json)).isInstanceOf(Double.class).isEqualTo(expected);
    }

    @Test
    void parse_object_keepsMemberOrderAndIsFrozen() {
        Object v = JsonCodec.parse("{\"b\":1,\"a\":[true,null,{}],\"c\":{\"d\":\"e\"}}");
        assertThat(v).isInstanceOf(FrozenMap.class);
        assertThat(new ArrayList<Object>(((Map<?, ?>) v).keySet())).containsExactly("b", "a", "c");
        assertThat(((Map<?, ?>) v).get("a")).isInstanceOf(FrozenList.class);
        assertThat(v)
                .isEqualTo(Frozen.freeze(
                        Map.of("a", java.util.Arrays.asList(true, null, Map.of()), "b", 1, "c", Map.of("d", "e"))));
    }

    @Test
    void parse_duplicateKeys_lastValueWinsInFirstPosition() {
        Object v = JsonCodec.parse("{\"a\":1,\"b\":2,\"a\":3}");
        assertThat(new ArrayList<Object>(((Map<?, ?>) v).keySet())).containsExactly("a", "b");
        assertThat(((Map<?, ?>) v).get("a")).isEqualTo(3L);
    }

    @Test
    void parse_escapes_decodeToUtf16Units() {
        assertThat(JsonCodec.parse("\"\\u0041\\n\\t\\\"\\\\\\/\\b\\f\\r\"")).isEqualTo("A\n\t\"\\/\b\f\r");
        assertThat(JsonCodec.parse("\"\\ud83d\\ude00\"")).isEqualTo("\uD83D\uDE00");
        assertThat(JsonCodec.parse("\"\\uDAAA\"")).isEqualTo("\uDAAA");
        assertThat(JsonCodec.parse("\"\u2028\u2029\"")).isEqualTo("\u2028\u2029");
    }

    @Test
    void parse_nestingAtLimit_isAccepted() {
        String json = "[".repeat(JsonCodec.MAX_DEPTH) + "]".repeat(JsonCodec.MAX_DEPTH);
        Object v = JsonCodec.parse(json);
        for (int i = 1; i < JsonCodec.MAX_DEPTH; i++) {
            v = ((List<?>) v).get(0);
        }
        assertThat(v).isEqualTo(List.of());
    }

    @Test
    void parse_nestingBeyondLimit_isRejectedWithoutStackOverflow() {
        String json = "[".repeat(JsonCodec.MAX_DEPTH + 1) + "]".repeat(JsonCodec.MAX_DEPTH + 1);
        assertThatThrownBy(() -> JsonCodec.parse(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("malformed JSON at line 1, column 1002: nesting deeper than 1000 levels");
        String deep = "{\"a\":".repeat(100_000);
        assertThatThrownBy(() -> JsonCodec.parse(deep))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageEndingWith("nesting deeper than 1000 levels");
    }

    @ParameterizedTest(name = "[{index}] {0}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '`',
            value = {
                "``|malformed JSON: no value in input",
                "`   `|malformed JSON: no value in input",
                "garbage|malformed JSON at line 1, column 1: Unrecognized token 'garbage': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
                "{} x|malformed JSON at line 1, column 4: Unrecognized token 'x': was expecting (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
                "1 2|malformed JSON at line 1, column 4: unexpected content after the value",
                "{}{}|malformed JSON at line 1, column 4: unexpected content after the value",
                "{\"a\":1,}|malformed JSON at line 1, column 8: Unexpected character ('}' (code 125)): was expecting double-quote to start property name",
                "[1,]|malformed JSON at line 1, column 4: Unexpected character (']' (code 93)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
                "NaN|malformed JSON at line 1, column 4: Non-standard token 'NaN': enable `JsonReadFeature.ALLOW_NON_NUMERIC_NUMBERS` to allow",
                "1e400|malformed JSON at line 1, column 6: number out of range for a double",
                "{\"a\"|malformed JSON at line 1, column 5: Unexpected end-of-input within/between Object entries",
                "'a'|malformed JSON at line 1, column 1: Unexpected character (''' (code 39)): expected a valid value (JSON String, Number, Array, Object or token 'null', 'true' or 'false')",
                "01|malformed JSON at line 1, column 2: Invalid numeric value: Leading zeroes not allowed",
            })
    void parse_malformed_throwsWithPositionAndReason(String json, String message) {
        assertThatThrownBy(() -> JsonCodec.parse(json))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(message);
    }

    /**
     * A known difference from JSON.parse: an object key with a lone surrogate is refused (Jackson refuses
     * some); values are fine. No tldraw record id or property name contains one.
     */
    @Test
    void parse_loneSurrogateEscapeInKey_isRejected() {
        assertThatThrownBy(() -> JsonCodec.parse("{\"\\ud800\":1}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("Broken surrogate pair in property name");
        assertThatThrownBy(() -> JsonCodec.parse("{\"a\":{\"x\uDC00\":1}}"))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("malformed JSON at line 1, column 13: object key with a lone surrogate is not supported");
        assertThat(JsonCodec.parse("{\"\\ud83d\\ude00\":\"\\ud800\"}")).isEqualTo(Map.of("\ud83d\ude00", "\ud800"));
    }

    @Test
    void parse_controlCharacterInString_isRejected() {
        assertThatThrownBy(() -> JsonCodec.parse("\"a\nb\""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageStartingWith(
                        "malformed JSON at line 1, column 3: Illegal unquoted character ((CTRL-CHAR, code 10))");
    }

    // ---- stringify

    @Test
    void stringify_values_matchJsonStringify() {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("s", "a\"b\\c\n");
        m.put("n", 1.5);
        m.put("i", 42);
        m.put("z", null);
        m.put("l", List.of(true, false, 1e21, -0.0));
        m.put("o", Map.of());
        assertThat(JsonCodec.stringify(m))
                .isEqualTo(
                        "{\"s\":\"a\\\"b\\\\c\\n\",\"n\":1.5,\"i\":42,\"z\":null,\"l\":[true,false,1e+21,0],\"o\":{}}");
        assertThat(JsonCodec.stringify(null)).isEqualTo("null");
        assertThat(JsonCodec.stringify(List.of())).isEqualTo("[]");
    }

    @Test
    void stringify_anyJavaNumber_isWrittenAsItsJavaScriptValue() {
        assertThat(JsonCodec.stringify(
                        List.of(1, (short) 2, (byte) 3, 4L, 0.5f, new BigInteger("123"), new BigDecimal("0.25"))))
                .isEqualTo("[1,2,3,4,0.5,123,0.25]");
        assertThat(JsonCodec.stringify(Long.MAX_VALUE)).isEqualTo("9223372036854776000");
        assertThat(JsonCodec.stringify(9007199254740993L)).isEqualTo("9007199254740992");
        assertThat(JsonCodec.stringify(Double.NaN)).isEqualTo("null");
        assertThat(JsonCodec.stringify('x')).isEqualTo("\"x\"");
    }

    @Test
    void stringify_notJson_throws() {
        assertThatThrownBy(() -> JsonCodec.stringify(new Object()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("not a JSON value: java.lang.Object");
        Map<Object, Object> m = new HashMap<>();
        m.put(1, 2);
        assertThatThrownBy(() -> JsonCodec.stringify(m))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("JSON object keys must be strings but was 1");
    }

    @Test
    void stringify_lineSeparatorsAndSlash_areNotEscaped() {
        assertThat(JsonCodec.stringify("\u2028\u2029/\u007f\u00e9")).isEqualTo("\"\u2028\u2029/\u007f\u00e9\"");
    }

    @Test
    void stringify_surrogates_pairsKeptLoneHalvesEscaped() {
        assertThat(JsonCodec.stringify("\uD83D\uDE00")).isEqualTo("\"\uD83D\uDE00\"");
        assertThat(JsonCodec.stringify("a\uD83Db")).isEqualTo("\"a\\ud83db\"");
        assertThat(JsonCodec.stringify("\uDE00\uD83D")).isEqualTo("\"\\ude00\\ud83d\"");
        assertThat(JsonCodec.stringify("\uD83D")).isEqualTo("\"\\ud83d\"");
        assertThat(JsonCodec.stringify("\uD83D\uD83D\uDE00")).isEqualTo("\"\\ud83d\uD83D\uDE00\"");
    }

    /** Every UTF-16 unit, alone in a string, against Node's JSON.stringify (see js-fixtures.gen.js). */
    @Test
    void stringify_everyCodeUnit_matchesNode() throws IOException {
        Map<Character, String> escaped = new HashMap<>();
        for (String line : JsNumbersTest.resourceLines("js-string-escapes.txt")) {
            escaped.put((char) Integer.parseInt(line.substring(0, 4), 16), line.substring(5));
        }
        assertThat(escaped).hasSize(0x20 + 2 + 0x800);
        for (int c = 0; c <= 0xFFFF; c++) {
            String s = String.valueOf((char) c);
            String expected = escaped.getOrDefault((char) c, "\"" + s + "\"");
            assertThat(JsonCodec.stringify(s)).as("U+%04X", c).isEqualTo(expected);
        }
    }

    /** Loosely written JSON documents (whitespace, exponents, escapes) against Node's parse-then-stringify. */
    @Test
    void parseThenStringify_nodeDocuments_matchNode() throws IOException {
        List<String> lines = JsNumbersTest.resourceLines("js-stringify-docs.txt");
        assertThat(lines).hasSize(800);
        for (int i = 0; i < lines.size(); i += 2) {
            String input = (String) JsonCodec.parse(lines.get(i));
            String expected = (String) JsonCodec.parse(lines.get(i + 1));
            assertThat(JsonCodec.stringify(JsonCodec.parse(input)))
                    .as("document %d: %s", i / 2, input)
                    .isEqualTo(expected);
        }
    }

    @Test
    void stringify_appendsToCallersBuffer() {
        StringBuilder sb = new StringBuilder("x=");
        JsonCodec.stringify(List.of(1, "a"), sb);
        assertThat(sb).hasToString("x=[1,\"a\"]");
    }

    @Test
    void write_largeOutput_isReturnedWhole() {
        List<Object> big = new ArrayList<>();
        for (int i = 0; i < 50_000; i++) {
            big.add("item" + i);
        }
        String json = JsonCodec.stringify(big);
        assertThat(JsonCodec.parse(json)).isEqualTo(big);
        assertThat(JsonCodec.stringify(List.of(1))).isEqualTo("[1]");
    }

    @Test
    void write_nestedOnOneThread_keepsBothOutputs() {
        String outer = JsonCodec.write(w -> {
            w.beginArray().value("a");
            String inner = JsonCodec.write(w2 -> w2.value(List.of(1, 2)));
            w.value(inner).endArray();
        });
        assertThat(outer).isEqualTo("[\"a\",\"[1,2]\"]");
    }

    // ---- properties

    @Test
    void stringifyThenParse_randomValues_roundTripExactly() {
        Property.forAll(5_000, r -> RandomJson.value(r, 5), v -> {
            String json = JsonCodec.stringify(v);
            assertThat(JsonCodec.parse(json)).isEqualTo(v);
            assertThat(JsonCodec.stringify(JsonCodec.parse(json))).isEqualTo(json);
        });
    }

    @Test
    void freeze_unsafeLong_becomesDouble() {
        assertThat(Frozen.freeze(9007199254740993L)).isEqualTo(9007199254740992.0);
        assertThat(Frozen.freeze(9007199254740991L)).isEqualTo(9007199254740991L);
        assertThat(Frozen.number(Long.MIN_VALUE)).isEqualTo(-9.223372036854775808E18);
    }
}
