package dev.tandem.sync.server.internal.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.sync.core.PullPage;
import java.nio.charset.StandardCharsets;
import java.util.Base64;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

class PullCursorTest {
    private static String b64(String json) {
        return Base64.getUrlEncoder().withoutPadding().encodeToString(json.getBytes(StandardCharsets.UTF_8));
    }

    @Test
    void encode_thenDecode_roundTripsEveryPosition() {
        PullCursor c = PullCursor.EMPTY
                .with("a", new PullPage.Position(7, "", -1))
                .with("b", new PullPage.Position(3, "shape:\"x\"", 12))
                .with("c", PullPage.Position.START);

        PullCursor back = PullCursor.decode(c.encode());

        assertThat(back).isEqualTo(c);
        assertThat(back.position("unknown")).isEqualTo(PullPage.Position.START);
        assertThat(c.encode()).doesNotContain("=", "+", "/");
    }

    @Test
    void decode_null_isEmpty() {
        assertThat(PullCursor.decode(null)).isEqualTo(PullCursor.EMPTY);
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "not base64!",
                "",
                "e30", // {}
                "eyJ2IjoyLCJyIjp7fX0", // {"v":2,"r":{}}
            })
    void decode_notOurs_isRefused(String text) {
        assertThatThrownBy(() -> PullCursor.decode(text))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cursor is not a cursor this server returned");
    }

    @Test
    void decode_badPositions_areRefused() {
        for (String json : new String[] {
            "{\"v\":1,\"r\":{\"a\":[1,\"\"]}}",
            "{\"v\":1,\"r\":{\"a\":[-5,\"\",-1]}}",
            "{\"v\":1,\"r\":{\"a\":[1,2,-1]}}",
            "{\"v\":1,\"r\":{\"bad room\":[1,\"\",-1]}}",
            "{\"v\":1,\"r\":[]}",
        }) {
            assertThatThrownBy(() -> PullCursor.decode(b64(json)))
                    .as(json)
                    .hasMessage("cursor is not a cursor this server returned");
        }
        assertThat(PullCursor.decode(b64("{\"v\":1,\"r\":{\"a\":[1,\"x\",-1]}}"))
                        .positions())
                .isEqualTo(Map.of("a", new PullPage.Position(1, "x", -1)));
    }
}
