package dev.tandem.examples;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import org.junit.jupiter.api.Test;

class EmbeddedCoreTest {
    @Test
    void run_aliceAddsANote_bobReceivesItAsAPatch() throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        String patch = EmbeddedCore.run(new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(patch).contains("\"type\":\"patch\"", "note:1", "hello from alice");
        String printed = bytes.toString(StandardCharsets.UTF_8);
        assertThat(printed).contains("alice got:", "push_result", "the room holds", "hello from alice");
    }
}
