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
    void truncateReason_keepsAtMost123BytesWithoutSplittingCharacters() {
        assertThat(WebSocketConnection.truncateReason("INVALID_RECORD")).isEqualTo("INVALID_RECORD");
        String truncated = WebSocketConnection.truncateReason("€".repeat(100));
        assertThat(truncated).isEqualTo("€".repeat(41));
        String pairs = WebSocketConnection.truncateReason("😀".repeat(40));
        assertThat(pairs).isEqualTo("😀".repeat(30));
    }
}
