package dev.tandem.sync.server.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.sync.core.RoomSchema;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class SchemaFileTest {

    @Test
    void parse_documentAndPresenceTypes_buildsTheSchema() {
        RoomSchema schema = SchemaFile.parse("{\"schemaVersion\":2,\"sequences\":{\"com.tldraw.page\":1,"
                + "\"com.tldraw.instance_presence\":6},\"recordTypes\":{\"page\":\"document\","
                + "\"instance_presence\":\"presence\"}}");
        assertThat(schema.isPinned()).isFalse();
        assertThat(schema.sequences())
                .containsEntry("com.tldraw.page", 1)
                .containsEntry("com.tldraw.instance_presence", 6);
        assertThat(schema.documentTypes()).containsOnlyKeys("page");
        assertThat(schema.presenceType()).isEqualTo("instance_presence");
    }

    @Test
    void parse_badInput_namesTheField() {
        assertThatThrownBy(() -> SchemaFile.parse("{\"schemaVersion\":1,\"sequences\":{}}"))
                .hasMessage("schemaVersion must be 2 but was 1");
        assertThatThrownBy(() -> SchemaFile.parse("{\"schemaVersion\":2,\"sequences\":{\"a\":-1}}"))
                .hasMessage("sequences.a must be an integer >= 0 but was -1");
        assertThatThrownBy(() -> SchemaFile.parse("{\"schemaVersion\":2,\"sequences\":{}}"))
                .hasMessageStartingWith("recordTypes must be a non-empty object");
        assertThatThrownBy(() -> SchemaFile.parse("{\"schemaVersion\":2,\"sequences\":{},"
                        + "\"recordTypes\":{\"a\":\"presence\",\"b\":\"presence\"}}"))
                .hasMessage("a room has at most one presence type but got a and b");
        assertThatThrownBy(() -> SchemaFile.parse("[1")).hasMessageStartingWith("malformed JSON");
    }

    @Test
    void units_parseDurationsAndSizes() {
        assertThat(Units.duration("500ms")).isEqualTo(Duration.ofMillis(500));
        assertThat(Units.duration("20s")).isEqualTo(Duration.ofSeconds(20));
        assertThat(Units.duration("5m")).isEqualTo(Duration.ofMinutes(5));
        assertThat(Units.duration("PT1.5S")).isEqualTo(Duration.ofMillis(1500));
        assertThat(Units.duration("0")).isZero();
        assertThat(Units.bytes("1048576")).isEqualTo(1 << 20);
        assertThat(Units.bytes("16MiB")).isEqualTo(16L << 20);
        assertThat(Units.bytes("64KiB")).isEqualTo(64L << 10);
        assertThatThrownBy(() -> Units.bytes("lots"))
                .hasMessage("'lots' is not a size (use e.g. 1048576, 64KiB or 16MiB)");
    }
}
