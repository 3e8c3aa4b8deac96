package dev.tandem.sync.server.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.sync.core.Migration;
import dev.tandem.sync.core.RecordValidator;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.TldrawSchema;
import java.time.Duration;
import java.util.Map;
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

    private static final String NOTES = "{\"schemaVersion\":2,\"sequences\":{\"com.example.note\":2},"
            + "\"recordTypes\":{\"note\":{\"scope\":\"document\",\"validator\":{\"object\":{\"id\":\"string\","
            + "\"typeName\":{\"literal\":\"note\"},\"text\":\"string\",\"color\":{\"enum\":[\"red\",\"blue\"]},"
            + "\"tags\":{\"optional\":{\"arrayOf\":\"string\"}}}}},\"cursor\":\"presence\"},"
            + "\"migrations\":[{\"sequence\":\"com.example.note\",\"version\":2,\"recordType\":\"note\","
            + "\"up\":[{\"rename\":\"body\",\"to\":\"text\"},{\"set\":\"color\",\"value\":\"red\"}],"
            + "\"down\":[{\"remove\":\"color\"},{\"rename\":\"text\",\"to\":\"body\"}]}]}";

    @Test
    void parse_appSchemaWithValidatorsAndMigrations_validatesAndMigrates() {
        RoomSchema schema = SchemaFile.parse(NOTES);
        RecordValidator note = schema.documentTypes().get("note");
        note.validate(Map.of("id", "note:1", "typeName", "note", "text", "hi", "color", "blue"));
        assertThatThrownBy(() -> note.validate(Map.of("id", "note:1", "typeName", "note", "text", 5, "color", "red")))
                .hasMessageContaining("text");
        assertThatThrownBy(() -> note.validate(Map.of("id", "note:1", "typeName", "note", "text", "a", "color", "x")))
                .hasMessageContaining("color");
        assertThatThrownBy(() -> note.validate(
                        Map.of("id", "note:1", "typeName", "note", "text", "a", "color", "red", "extra", 1)))
                .hasMessageContaining("extra");
        assertThat(schema.presenceType()).isEqualTo("cursor");
        assertThat(schema.sequences()).containsEntry("com.example.note", 2);

        Migration step = schema.migrations().get(0);
        Map<String, Object> v1 = Map.of("id", "note:1", "typeName", "note", "body", "hi");
        Map<String, Object> v2 = step.up().apply(v1);
        assertThat(v2).isEqualTo(Map.of("id", "note:1", "typeName", "note", "text", "hi", "color", "red"));
        assertThat(step.down().apply(v2)).isEqualTo(v1);
        assertThat(v1).containsKey("body"); // the input is never changed
    }

    @Test
    void parse_tldrawWithCustomShape_acceptsItsPropsAndKeepsTldrawsTypes() {
        RoomSchema schema = SchemaFile.parse("{\"schemaVersion\":2,\"tldraw\":{\"shapes\":{\"card\":{"
                + "\"props\":{\"w\":\"nonZeroNumber\",\"h\":\"nonZeroNumber\",\"title\":\"string\"},"
                + "\"migrations\":[{\"version\":1,\"up\":[{\"set\":\"props.title\",\"value\":\"\"}],"
                + "\"down\":[{\"remove\":\"props.title\"}]}]}}}}");
        assertThat(schema.sequences())
                .containsEntry("com.tldraw.shape.card", 1)
                .containsEntry(
                        "com.tldraw.shape.geo",
                        TldrawSchema.defaults().sequences().get("com.tldraw.shape.geo"));
        assertThat(schema.documentTypes()).containsKeys("shape", "page", "document", "asset", "binding");
        assertThat(schema.presenceType()).isEqualTo("instance_presence");
        Migration card = schema.migrations().stream()
                .filter(m -> m.sequenceId().equals("com.tldraw.shape.card"))
                .findFirst()
                .orElseThrow();
        Map<String, Object> shape = Map.of("typeName", "shape", "type", "card", "props", Map.of("w", 1));
        assertThat(card.up().apply(shape).get("props")).isEqualTo(Map.of("w", 1, "title", ""));
        assertThat(card.appliesTo(shape)).isTrue();
        assertThat(card.appliesTo(Map.of("typeName", "shape", "type", "geo", "props", Map.of("w", 1))))
                .isFalse();
    }

    @Test
    void parse_badValidatorsAndMigrations_nameThePlace() {
        assertThatThrownBy(() -> SchemaFile.parse("{\"schemaVersion\":2,\"sequences\":{},\"recordTypes\":{"
                        + "\"note\":{\"scope\":\"document\",\"validator\":\"strnig\"}}}"))
                .hasMessageStartingWith("recordTypes.note.validator names no validator: \"strnig\"");
        assertThatThrownBy(() -> SchemaFile.parse("{\"schemaVersion\":2,\"sequences\":{},\"recordTypes\":{"
                        + "\"note\":\"document\"},\"migrations\":[{\"sequence\":\"s\",\"version\":0,\"up\":[]}]}"))
                .hasMessage("migrations[0].version must be an integer >= 1 but was 0");
        assertThatThrownBy(() -> SchemaFile.parse("{\"schemaVersion\":2,\"sequences\":{},\"recordTypes\":{"
                        + "\"note\":\"document\"},\"migrations\":[{\"sequence\":\"s\",\"version\":1,"
                        + "\"up\":[{\"move\":\"a\"}]}]}"))
                .hasMessageStartingWith("migrations[0].up[0] must be");
        assertThatThrownBy(() ->
                        SchemaFile.parse("{\"schemaVersion\":2,\"tldraw\":{\"shapes\":{\"geo\":{\"props\":{}}}}}"))
                .hasMessage("shape type 'geo' is one of tldraw's default shapes");
        assertThatThrownBy(() -> SchemaFile.parse("{\"schemaVersion\":2,\"tldraw\":{\"shape\":{}}}"))
                .hasMessage("tldraw.shape is not shapes, bindings or records");
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
