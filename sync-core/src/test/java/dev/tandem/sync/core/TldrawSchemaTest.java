package dev.tandem.sync.core;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.sync.core.internal.tldraw.TldrawMigrations;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

class TldrawSchemaTest {
    private static final String GEO = "{\"id\":\"shape:g\",\"typeName\":\"shape\",\"type\":\"geo\",\"x\":0,\"y\":0,"
            + "\"rotation\":0,\"index\":\"a1\",\"parentId\":\"page:page\",\"isLocked\":false,\"opacity\":1,\"meta\":{},"
            + "\"props\":{\"geo\":\"rectangle\",\"dash\":\"draw\",\"url\":\"\",\"w\":100,\"h\":100,\"growY\":0,"
            + "\"scale\":1,\"flipX\":false,\"flipY\":false,\"labelColor\":\"black\",\"color\":\"black\",\"fill\":\"none\","
            + "\"size\":\"m\",\"font\":\"draw\",\"align\":\"middle\",\"verticalAlign\":\"middle\","
            + "\"richText\":{\"type\":\"doc\",\"content\":[]}}}";

    @SuppressWarnings("unchecked")
    private static Map<String, Object> record(String json) {
        return (Map<String, Object>) Json.parse(json);
    }

    private static void validate(RoomSchema schema, String json) {
        Map<String, Object> r = record(json);
        String type = (String) r.get("typeName");
        RecordValidator v = type.equals(schema.presenceType())
                ? schema.presenceValidator()
                : schema.documentTypes().get(type);
        assertThat(v).as("validator for %s", type).isNotNull();
        v.validate(r);
    }

    @Test
    void defaults_haveTldrawsRoomTypesAndSequences() {
        RoomSchema schema = TldrawSchema.defaults();
        assertThat(schema.documentTypes()).containsOnlyKeys("asset", "binding", "document", "page", "shape", "user");
        assertThat(schema.presenceType()).isEqualTo("instance_presence");
        assertThat(schema.sequences()).isEqualTo(TldrawMigrations.sequences());
        assertThat(schema.isPinned()).isFalse();
    }

    @Test
    void defaults_validGeoShape_isAccepted() {
        assertThatCode(() -> validate(TldrawSchema.defaults(), GEO)).doesNotThrowAnyException();
    }

    @Test
    void defaults_negativeWidth_isRefusedWithTldrawsMessage() {
        assertThatThrownBy(() -> validate(TldrawSchema.defaults(), GEO.replace("\"w\":100", "\"w\":-5")))
                .isInstanceOf(ValidationException.class)
                .hasMessage("At shape(type = geo).props.w: Expected a non-zero positive number, got -5");
    }

    @Test
    void defaults_badParentId_isRefused() {
        assertThatThrownBy(() -> validate(TldrawSchema.defaults(), GEO.replace("page:page", "document:document")))
                .hasMessage("At shape(type = geo).parentId: Error: Parent ID must start with \"page:\" or \"shape:\"");
    }

    @Test
    void defaults_unknownShapeType_isRefused() {
        assertThatThrownBy(
                        () -> validate(TldrawSchema.defaults(), GEO.replace("\"type\":\"geo\"", "\"type\":\"card\"")))
                .hasMessageStartingWith("At shape.type: Expected one of \"arrow\" or \"bookmark\"");
    }

    @Test
    void builder_customShape_isValidatedByItsProps() {
        RoomSchema schema = TldrawSchema.builder()
                .shapeType("card", Map.of("w", Validators.nonZeroNumber(), "title", Validators.string()))
                .build();
        String card = "{\"id\":\"shape:c\",\"typeName\":\"shape\",\"type\":\"card\",\"x\":0,\"y\":0,\"rotation\":0,"
                + "\"index\":\"a1\",\"parentId\":\"page:page\",\"isLocked\":false,\"opacity\":1,\"meta\":{},"
                + "\"props\":{\"w\":10,\"title\":\"hi\"}}";
        assertThatCode(() -> validate(schema, card)).doesNotThrowAnyException();
        assertThatThrownBy(() -> validate(schema, card.replace("\"title\":\"hi\"", "\"title\":1")))
                .hasMessage("At shape(type = card).props.title: Expected string, got a number");
        assertThat(schema.sequences()).containsEntry("com.tldraw.shape.card", 0);
        assertThatCode(() -> validate(schema, GEO)).doesNotThrowAnyException();
    }

    @Test
    void builder_customShapeMigrations_raiseItsSequenceAndTouchOnlyItsShapes() {
        Migration addTitle = new Migration(
                "com.tldraw.shape.card",
                1,
                null,
                r -> {
                    Map<String, Object> copy = new LinkedHashMap<>(r);
                    copy.put("migrated", true);
                    return copy;
                },
                null);
        RoomSchema schema = TldrawSchema.builder()
                .shapeType("card", Map.of("w", Validators.number()), addTitle)
                .build();
        assertThat(schema.sequences()).containsEntry("com.tldraw.shape.card", 1);
        Migration step = schema.migrations().stream()
                .filter(m -> m.sequenceId().equals("com.tldraw.shape.card"))
                .findFirst()
                .orElseThrow();
        assertThat(step.recordType()).isEqualTo("shape");
        assertThat(step.up().apply(record("{\"typeName\":\"shape\",\"type\":\"card\"}")))
                .containsEntry("migrated", true);
        assertThat(step.subType()).isEqualTo("card");
        assertThat(step.appliesTo(record("{\"typeName\":\"shape\",\"type\":\"card\"}")))
                .isTrue();
        assertThat(step.appliesTo(record("{\"typeName\":\"shape\",\"type\":\"geo\"}")))
                .isFalse();
    }

    @Test
    void builder_shapeNamedLikeADefault_isRefused() {
        assertThatThrownBy(() -> TldrawSchema.builder().shapeType("geo", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shape type 'geo' is one of tldraw's default shapes");
    }

    @Test
    void builder_sameCustomShapeTwice_isRefused() {
        TldrawSchema.Builder b = TldrawSchema.builder().shapeType("card", Map.of());
        assertThatThrownBy(() -> b.shapeType("card", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("shape type 'card' is already declared");
    }

    @Test
    void builder_migrationOfAnotherSequence_isRefused() {
        Migration wrong = new Migration("com.example.card", 1, null, r -> r, null);
        assertThatThrownBy(() -> TldrawSchema.builder().shapeType("card", Map.of(), wrong))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("migration com.example.card/1 must belong to sequence com.tldraw.shape.card");
    }

    @Test
    void builder_bindingNamedLikeTheDefault_isRefused() {
        assertThatThrownBy(() -> TldrawSchema.builder().bindingType("arrow", Map.of()))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("binding type 'arrow' is one of tldraw's default bindings");
    }

    @Test
    void builder_customBinding_isValidated() {
        RoomSchema schema = TldrawSchema.builder()
                .bindingType("sticky", Map.of("offset", Validators.number()))
                .build();
        String binding = "{\"id\":\"binding:b\",\"typeName\":\"binding\",\"type\":\"sticky\",\"fromId\":\"shape:a\","
                + "\"toId\":\"shape:b\",\"meta\":{},\"props\":{\"offset\":2}}";
        assertThatCode(() -> validate(schema, binding)).doesNotThrowAnyException();
        assertThatThrownBy(() -> validate(schema, binding.replace("\"toId\":\"shape:b\"", "\"toId\":\"page:b\"")))
                .hasMessage("At binding(type = sticky).toId: Error: shape ID must start with \"shape:\"");
    }

    @Test
    void builder_customRecordType_isADocumentType() {
        Validator comment = Validators.object(Map.of(
                "id", Validators.string(), "typeName", Validators.literal("comment"), "text", Validators.string()));
        RoomSchema schema = TldrawSchema.builder()
                .recordType("comment", TldrawSchema.Scope.DOCUMENT, comment)
                .build();
        assertThat(schema.documentTypes()).containsKey("comment");
        assertThat(schema.sequences()).containsEntry("com.tldraw.comment", 0);
        assertThatThrownBy(() -> validate(schema, "{\"id\":\"comment:1\",\"typeName\":\"comment\",\"text\":5}"))
                .hasMessage("At text: Expected string, got a number");
    }

    @Test
    void builder_recordTypeNamedLikeABuiltIn_isRefused() {
        assertThatThrownBy(() -> TldrawSchema.builder().recordType("camera", TldrawSchema.Scope.DOCUMENT, v -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage(
                        "custom record type name 'camera' conflicts with tldraw's built-in record type of that name");
    }

    @Test
    void builder_presenceScopedRecordType_isRefused() {
        assertThatThrownBy(() -> TldrawSchema.builder().recordType("cursor", TldrawSchema.Scope.PRESENCE, v -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("custom record type 'cursor' has scope PRESENCE but a tldraw room has exactly one "
                        + "presence type, instance_presence");
    }
}
