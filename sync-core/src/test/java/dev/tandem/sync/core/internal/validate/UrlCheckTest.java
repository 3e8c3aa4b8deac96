package dev.tandem.sync.core.internal.validate;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.ValidationException;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Verdicts of tldraw's {@code T.linkUrl} (WHATWG URL parsing in Node), as the corpus recorded them. */
class UrlCheckTest {

    private static boolean linkAccepts(String url) {
        try {
            UrlCheck.LINK.validate(url);
            return true;
        } catch (ValidationException e) {
            return false;
        }
    }

    @ParameterizedTest(name = "{0} -> {1}")
    @CsvSource(
            delimiter = '|',
            quoteCharacter = '\'',
            value = {
                "https://tldraw.com|true",
                "http://example.com/a b|true",
                "HTTPS://EXAMPLE.COM/X|true",
                "https://例え.jp/パス|true",
                "http:example.com|true",
                "http:/example.com|true",
                "https://user:pw@example.com|true",
                "https://@example.com|true",
                "http://[::1]:3000/|true",
                "http://1.2.3.4|true",
                "http://0x7f.1|true",
                "//cdn.example.com/x.png|true",
                "///triple|true",
                "' https://padded.example.com '|true",
                "http://|false",
                "https://example.com:65536|false",
                "http://exa mple.com|false",
                "http://exa%20mple.com|false",
                "http://[::1|false",
                "http://1.2.3.256|false",
                "http://example.123|false",
                "http://999999999999|false",
                "../up|false",
                "www.example.com|false",
                "ht tp://x|false",
                "1http://x|false",
            })
    void linkUrl_tldrawsVerdicts_areMatched(String url, boolean valid) {
        assertThat(linkAccepts(url)).isEqualTo(valid);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({"data:image/png;base64,AAAA", "asset:abc", "ftp://example.com/f", "about:blank", "a+b.c-d:opaque"})
    void linkUrl_parsableWithOtherProtocol_isRefusedAsInvalidProtocol(String url) {
        assertThat(linkAccepts(url)).isFalse();
        try {
            UrlCheck.LINK.validate(url);
        } catch (ValidationException e) {
            assertThat(e.getMessage()).endsWith("(invalid protocol)");
        }
    }
}
