package dev.tandem.sync.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ValidatorsTest {

    private static void accepts(Validator v, @Nullable Object json) {
        assertThatCode(() -> v.validate(json)).doesNotThrowAnyException();
    }

    private static void refuses(Validator v, @Nullable Object json, String message) {
        assertThatThrownBy(() -> v.validate(json))
                .isInstanceOf(ValidationException.class)
                .hasMessage(message);
    }

    private static Object parse(String json) {
        return Json.parse(json);
    }

    @Test
    void number_finiteValues_areAccepted() {
        accepts(Validators.number(), 0L);
        accepts(Validators.number(), -1.5);
        accepts(Validators.number(), 1e300);
    }

    @Test
    void number_nonNumbersAndNonFinite_areRefusedWithTldrawsMessages() {
        refuses(Validators.number(), "1", "Expected number, got a string");
        refuses(Validators.number(), null, "Expected number, got null");
        refuses(Validators.number(), List.of(), "Expected number, got an array");
        refuses(Validators.number(), Double.NaN, "Expected a number, got NaN");
        refuses(Validators.number(), Double.POSITIVE_INFINITY, "Expected a finite number, got Infinity");
        refuses(Validators.number(), Double.NEGATIVE_INFINITY, "Expected a finite number, got -Infinity");
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "positiveNumber|-5|Expected a positive number, got -5",
                "positiveNumber|-0.5|Expected a positive number, got -0.5",
                "nonZeroNumber|0|Expected a non-zero positive number, got 0",
                "nonZeroNumber|-1e21|Expected a non-zero positive number, got -1e+21",
                "nonZeroFiniteNumber|0|Expected a non-zero number, got 0",
                "unitInterval|1.01|Expected a number between 0 and 1, got 1.01",
                "unitInterval|-1|Expected a number between 0 and 1, got -1",
                "integer|1.5|Expected an integer, got 1.5",
                "positiveInteger|-2|Expected a positive integer, got -2",
                "positiveInteger|2.5|Expected an integer, got 2.5",
                "nonZeroInteger|0|Expected a non-zero positive integer, got 0",
            })
    void numberValidators_outOfRange_areRefusedWithTldrawsMessages(String name, String json, String message)
            throws Exception {
        Validator v = (Validator) Validators.class.getMethod(name).invoke(null);
        refuses(v, parse(json), message);
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "positiveNumber|0",
                "nonZeroNumber|0.001",
                "nonZeroFiniteNumber|-3",
                "unitInterval|1",
                "integer|1e20",
                "positiveInteger|0",
                "nonZeroInteger|7",
            })
    void numberValidators_inRange_areAccepted(String name, String json) throws Exception {
        Validator v = (Validator) Validators.class.getMethod(name).invoke(null);
        accepts(v, parse(json));
    }

    @Test
    void literalEnum_otherValue_isRefusedListingTheValues() {
        Validator v = Validators.literalEnum("s", "m", 2);
        accepts(v, "m");
        accepts(v, 2L);
        refuses(v, "xl", "Expected \"s\" or \"m\" or 2, got xl");
        refuses(v, null, "Expected \"s\" or \"m\" or 2, got null");
    }

    @Test
    void literalEnum_numbersOfAnyJavaType_compareByValue() {
        Validator v = Validators.literalEnum(2, 3);
        accepts(v, 2);
        accepts(v, 3.0);
        refuses(v, 2.5, "Expected 2 or 3, got 2.5");
        accepts(Validators.literal(1), (short) 1);
    }

    @Test
    void literal_otherValue_isRefusedWithTheValueAsJson() {
        refuses(Validators.literal("shape"), "page", "Expected shape, got \"page\"");
        refuses(Validators.literal(3), 4L, "Expected 3, got 4");
    }

    @Test
    void object_unknownProperty_isRefusedWithItsPath() {
        Validator v = Validators.object(Map.of("x", Validators.number()));
        accepts(v, parse("{\"x\":1}"));
        refuses(v, parse("{\"x\":1,\"y\":2}"), "At y: Unexpected property");
    }

    @Test
    void object_missingProperty_isUndefinedNotNull() {
        Validator v = Validators.object(Map.of("x", Validators.number()));
        refuses(v, parse("{}"), "At x: Expected number, got undefined");
        refuses(v, parse("{\"x\":null}"), "At x: Expected number, got null");
    }

    @Test
    void optional_acceptsMissingButNotNull() {
        Validator v = Validators.object(Map.of("z", Validators.optional(Validators.number())));
        accepts(v, parse("{}"));
        refuses(v, parse("{\"z\":null}"), "At z: Expected number, got null");
    }

    @Test
    void nullable_acceptsNullButNotMissing() {
        Validator v = Validators.object(Map.of("z", Validators.number().nullable()));
        accepts(v, parse("{\"z\":null}"));
        refuses(v, parse("{}"), "At z: Expected number, got undefined");
    }

    @Test
    void jsonValue_anyPresentValue_isAcceptedAndMissingRefused() {
        Validator v = Validators.object(Map.of("meta", Validators.jsonValue()));
        accepts(v, parse("{\"meta\":null}"));
        accepts(v, parse("{\"meta\":[1,{\"a\":\"b\"}]}"));
        accepts(v, parse("{\"meta\":\"text\"}"));
        refuses(v, parse("{}"), "At meta: Expected json serializable value, got undefined");
    }

    @Test
    void arrayOf_badItem_isRefusedWithItsIndex() {
        Validator v = Validators.arrayOf(Validators.string());
        accepts(v, parse("[\"a\",\"b\"]"));
        refuses(v, parse("[\"a\",3]"), "At 1: Expected string, got a number");
        refuses(v, parse("{}"), "Expected an array, got an object");
    }

    @Test
    void dict_badValue_isRefusedWithItsKey() {
        Validator v = Validators.dict(Validators.string(), Validators.bool());
        accepts(v, parse("{\"a\":true}"));
        refuses(v, parse("{\"a\":true,\"b\":1}"), "At b: Expected boolean, got a number");
    }

    @Test
    void union_picksTheVariantAndNamesItInThePath() {
        Map<String, Validator> variants = new LinkedHashMap<>();
        variants.put(
                "circle",
                Validators.object(Map.of("kind", Validators.literal("circle"), "r", Validators.positiveNumber())));
        variants.put(
                "square", Validators.object(Map.of("kind", Validators.literal("square"), "w", Validators.number())));
        Validator v = Validators.model("shape", Validators.union("kind", variants));
        accepts(v, parse("{\"kind\":\"circle\",\"r\":2}"));
        refuses(
                v,
                parse("{\"kind\":\"circle\",\"r\":-5}"),
                "At shape(kind = circle).r: Expected a positive number, got -5");
        refuses(
                v,
                parse("{\"kind\":\"oval\"}"),
                "At shape.kind: Expected one of \"circle\" or \"square\", got \"oval\"");
        refuses(v, parse("{\"kind\":3}"), "At shape: Expected a string for key \"kind\", got a number");
        refuses(v, "x", "At shape: Expected an object, got a string");
    }

    @Test
    void indexKey_validatesFractionalIndexKeys() {
        Validator v = Validators.indexKey();
        accepts(v, "a1");
        accepts(v, "a0V");
        accepts(v, "Zz");
        refuses(v, "a10", "Expected an index key, got \"a10\"");
        refuses(v, "b1", "Expected an index key, got \"b1\"");
        refuses(v, "", "Expected an index key, got \"\"");
        refuses(v, "A" + "0".repeat(26), "Expected an index key, got \"A00000000000000000000000000\"");
        refuses(v, 1L, "Expected string, got a number");
    }

    @Test
    void linkUrl_allowsHttpHttpsMailtoAndEmpty() {
        Validator v = Validators.linkUrl();
        accepts(v, "");
        accepts(v, "https://tldraw.com/r/abc?x=1#y");
        accepts(v, "mailto:a@b.c");
        accepts(v, "/relative/path");
        refuses(v, "javascript:alert(1)", "Expected a valid url, got \"javascript:alert(1)\" (invalid protocol)");
        refuses(v, "not a url", "Expected a valid url, got \"not a url\"");
        refuses(v, "http://", "Expected a valid url, got \"http://\"");
        refuses(v, "https://example.com:99999", "Expected a valid url, got \"https://example.com:99999\"");
    }

    @Test
    void srcUrl_allowsDataAndAssetButNotMailto() {
        Validator v = Validators.srcUrl();
        accepts(v, "data:image/png;base64,AAAA");
        accepts(v, "asset:abc");
        refuses(v, "mailto:a@b.c", "Expected a valid url, got \"mailto:a@b.c\" (invalid protocol)");
    }

    @Test
    void setEnum_withoutValues_isMisuse() {
        assertThatThrownBy(() -> Validators.setEnum(List.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("an enum needs at least one value but got none");
    }

    @Test
    void validationException_path_isKeptAndFormatted() {
        ValidationException e = new ValidationException("bad", List.of("props", 0, "w"))
                .prefixed("(type = geo)")
                .prefixed("shape");
        assertThat(e.path()).containsExactly("shape", "(type = geo)", "props", 0, "w");
        assertThat(e.rawMessage()).isEqualTo("bad");
        assertThat(e).hasMessage("At shape(type = geo).props.0.w: bad");
        assertThat(e.reason()).isEqualTo(CloseReason.INVALID_RECORD);
    }
}
