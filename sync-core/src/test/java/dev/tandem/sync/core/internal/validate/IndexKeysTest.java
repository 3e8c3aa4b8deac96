package dev.tandem.sync.core.internal.validate;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Verdicts of tldraw's {@code validateIndexKey} ({@code @tldraw/utils} 5.4.2) on these keys. */
class IndexKeysTest {

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "a1|true",
                "a0|true",
                "a1V|true",
                "Zz|true",
                "b12|true",
                "b0z|true",
                "zzzzzzzzzzzzzzzzzzzzzzzzzzz|true",
                "aJWME|true",
                "b00|true",
                "a10|false",
                "a|false",
                "''|false",
                "A00000000000000000000000000|false",
                "!a|false",
                "1a|false",
            })
    void isValid_keysTldrawJudged_matchTldraw(String key, boolean valid) {
        assertThat(IndexKeys.isValid(key)).isEqualTo(valid);
    }
}
