package dev.tandem.sync.server.internal.ws;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.charset.StandardCharsets;
import java.util.Random;
import org.junit.jupiter.api.Test;

class WebSocketConnectionTest {

    @Test
    void utf8Length_matchesTheEncoder_onRandomWellFormedStrings() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 2000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = random.nextInt(20);
            for (int j = 0; j < n; j++) {
                int cp = switch (random.nextInt(4)) {
                    case 0 -> random.nextInt(0x80);
                    case 1 -> 0x80 + random.nextInt(0x800 - 0x80);
                    case 2 -> 0xE000 + random.nextInt(0x2000);
                    default -> 0x10000 + random.nextInt(0x10FFFF - 0x10000);
                };
                sb.appendCodePoint(cp);
            }
            String s = sb.toString();
            assertThat(WebSocketConnection.utf8Length(s))
                    .as("seed %d, string %s", seed, s)
                    .isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void utf8Length_ofAnUnpairedSurrogate_isAnUpperBound() {
        assertThat(WebSocketConnection.utf8Length("\uD800")).isEqualTo(3);
    }

    @Test
    void truncateReason_upTo123Bytes_isUnchanged() {
        assertThat(WebSocketConnection.truncateReason("INVALID_RECORD")).isEqualTo("INVALID_RECORD");
        assertThat(WebSocketConnection.truncateReason("x".repeat(123))).isEqualTo("x".repeat(123));
        assertThat(WebSocketConnection.truncateReason("é".repeat(61) + "x")).isEqualTo("é".repeat(61) + "x");
    }

    /** The expected reasons are what tldraw 5.5's closeSession sends for the same input. */
    @Test
    void truncateReason_over123Bytes_isCutWholeCharactersAndSaysHowManyBytesWentAsTldraw55() {
        assertThat(WebSocketConnection.truncateReason("x".repeat(124))).isEqualTo("x".repeat(107) + "... (+17 bytes)");
        assertThat(WebSocketConnection.truncateReason("é".repeat(100))).isEqualTo("é".repeat(53) + "... (+94 bytes)");
        assertThat(WebSocketConnection.truncateReason("€".repeat(100))).isEqualTo("€".repeat(35) + "... (+195 bytes)");
        assertThat(WebSocketConnection.truncateReason("😀".repeat(40))).isEqualTo("😀".repeat(26) + "... (+56 bytes)");
        for (int n = 124; n < 2000; n += 7) {
            String cut = WebSocketConnection.truncateReason("ab€😀".repeat(n / 10 + 1));
            assertThat(cut.getBytes(StandardCharsets.UTF_8).length)
                    .as("n %d", n)
                    .isLessThanOrEqualTo(123);
        }
    }
}
