package dev.tandem.sync.core.internal.json;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.testing.Property;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class JsNumbersTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiterString = "->",
            value = {
                "0.1 -> 0.1",
                "-0.0 -> 0",
                "0.0 -> 0",
                "1.0 -> 1",
                "-1.0 -> -1",
                "100.0 -> 100",
                "1.5 -> 1.5",
                "-2.5 -> -2.5",
                "123.456 -> 123.456",
                "0.30000000000000004 -> 0.30000000000000004",
                "0.3333333333333333 -> 0.3333333333333333",
                "1e21 -> 1e+21",
                "1.2e22 -> 1.2e+22",
                "1e20 -> 100000000000000000000",
                "123456789012345680000 -> 123456789012345680000",
                "9007199254740992 -> 9007199254740992",
                "9007199254740994 -> 9007199254740994",
                "18446744073709551616 -> 18446744073709552000",
                "1e16 -> 10000000000000000",
                "1.5e-7 -> 1.5e-7",
                "1e-7 -> 1e-7",
                "1e-6 -> 0.000001",
                "1.5e-6 -> 0.0000015",
                "0.001 -> 0.001",
                "12345678.9 -> 12345678.9",
                "1e300 -> 1e+300",
                "1.7976931348623157e308 -> 1.7976931348623157e+308",
                "2.2250738585072014e-308 -> 2.2250738585072014e-308",
                "4.9e-324 -> 5e-324",
                "1e-323 -> 1e-323",
                "1.5e-323 -> 1.5e-323",
                "-1.5e-7 -> -1.5e-7",
            })
    void toString_matchesJavaScript(double value, String expected) {
        assertThat(JsNumbers.toString(value)).isEqualTo(expected);
    }

    @Test
    void toString_nonFinite_isNullAsInJson() {
        assertThat(JsNumbers.toString(Double.NaN)).isEqualTo("null");
        assertThat(JsNumbers.toString(Double.POSITIVE_INFINITY)).isEqualTo("null");
        assertThat(JsNumbers.toString(Double.NEGATIVE_INFINITY)).isEqualTo("null");
    }

    /** 6000 doubles of many shapes with the text Node's {@code String(d)} gave (see js-fixtures.gen.js). */
    @Test
    void toString_nodeReferenceTable_matchesEveryEntry() throws IOException {
        List<String> lines = resourceLines("js-number-strings.txt");
        assertThat(lines).hasSizeGreaterThan(5000);
        for (String line : lines) {
            int space = line.indexOf(' ');
            double d = Double.longBitsToDouble(Long.parseUnsignedLong(line.substring(0, space), 16));
            assertThat(JsNumbers.toString(d))
                    .as("bits %s", line.substring(0, space))
                    .isEqualTo(line.substring(space + 1));
        }
    }

    @Test
    void toString_randomDoubles_readBackExactly() {
        Property.forAll(20_000, r -> Double.longBitsToDouble(r.nextLong()), d -> {
            if (!Double.isNaN(d) && !Double.isInfinite(d)) {
                assertThat(Double.parseDouble(JsNumbers.toString(d))).isEqualTo(d == 0 ? 0.0 : d);
            }
        });
    }

    static List<String> resourceLines(String name) throws IOException {
        try (InputStream in = JsNumbersTest.class.getResourceAsStream(name)) {
            assertThat(in).as("test resource %s", name).isNotNull();
            return new String(in.readAllBytes(), StandardCharsets.UTF_8).lines().toList();
        }
    }
}
