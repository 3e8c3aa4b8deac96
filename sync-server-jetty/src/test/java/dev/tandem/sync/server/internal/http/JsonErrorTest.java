package dev.tandem.sync.server.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class JsonErrorTest {

    @Test
    void body_escapesQuotesBackslashesAndControls() {
        assertThat(JsonError.body("BAD", "a \"b\" \\ c\n\u0001\u2028"))
                .isEqualTo("{\"error\":\"BAD\",\"message\":\"a \\\"b\\\" \\\\ c\\n\\u0001\\u2028\"}");
    }
}
