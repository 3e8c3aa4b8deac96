package dev.tandem.sync.core.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class LogTextTest {
    @Test
    void of_controlAndLineSeparators_areEscaped() {
        assertThat(LogText.of("a\nb\rc\td\\e\u0000f\u2028g\u001b[31m"))
                .isEqualTo("a\\nb\\rc\\td\\\\e\\u0000f\\u2028g\\u001b[31m");
    }

    @Test
    void of_longString_isCutWithItsLength() {
        assertThat(LogText.of("x".repeat(1000))).isEqualTo("x".repeat(80) + "…(1000 chars)");
        assertThat(LogText.of("shape:1")).isEqualTo("shape:1");
    }
}
