package dev.tandem.sync.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RelayMessageTest {

    @Test
    void frame_withNewlines_keepsTheWholeFrame() {
        RelayMessage m = RelayMessage.parse(RelayMessage.frame("cid-1", "{\"a\":\n\"b\"}\n"));
        assertThat(m).isEqualTo(new RelayMessage('F', "cid-1", "{\"a\":\n\"b\"}\n"));
    }

    @Test
    void open_fields_roundTrip() {
        RelayMessage m = RelayMessage.parse(RelayMessage.open("c", "node-a", "room-1", "s1", true, ""));
        assertThat(m.type()).isEqualTo('O');
        assertThat(m.fields(5)).containsExactly("node-a", "room-1", "s1", "1", "");
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
