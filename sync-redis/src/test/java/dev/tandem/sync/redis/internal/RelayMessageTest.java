package dev.tandem.sync.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.SessionOptions;
import java.util.Map;
import org.junit.jupiter.api.Test;

class RelayMessageTest {

    @Test
    void frame_withNewlines_keepsTheWholeFrame() {
        RelayMessage m = RelayMessage.parse(RelayMessage.frame("cid-1", "{\"a\":\n\"b\"}\n"));
        assertThat(m).isEqualTo(new RelayMessage('F', "cid-1", "{\"a\":\n\"b\"}\n"));
    }

    @Test
    void open_sessionOptions_roundTrip() {
        SessionOptions options = new SessionOptions(
                "s1", true, Map.of("storeId", "x\ny"), new Principal("user-1", Map.of("role", "editor")));
        RelayMessage m = RelayMessage.parse(
                RelayMessage.open("c", "node-a", RelayMessage.SessionOptionsJson.of(options), "room-1"));
        assertThat(m.type()).isEqualTo('O');
        String[] f = m.fields(5);
        assertThat(f).startsWith("node-a", "room-1", "s1", "1");
        assertThat(new RelayMessage.SessionOptionsJson(f[2], "1".equals(f[3]), f[4]).toOptions())
                .isEqualTo(options);
    }

    @Test
    void ownerClosed_reasonWithNewline_isTheLastField() {
        RelayMessage m = RelayMessage.parse(RelayMessage.ownerClosed("c", 4099, "FORBIDDEN\nx"));
        assertThat(m.fields(2)).containsExactly("4099", "FORBIDDEN\nx");
    }

    @Test
    void parse_malformed_isNull() {
        assertThat(RelayMessage.parse("")).isNull();
        assertThat(RelayMessage.parse("F")).isNull();
        assertThat(RelayMessage.parse("\n")).isNull();
    }
}
