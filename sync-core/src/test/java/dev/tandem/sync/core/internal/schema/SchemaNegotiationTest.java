package dev.tandem.sync.core.internal.schema;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.Migration;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Predicate;
import java.util.function.UnaryOperator;
import org.junit.jupiter.api.Test;

class SchemaNegotiationTest {
    private static final UnaryOperator<Map<String, Object>> MARK_UP = r -> with(r, "up");
    private static final UnaryOperator<Map<String, Object>> MARK_DOWN = r -> with(r, "down");

    private static final Migration NOTE_1 = new Migration("com.example.note", 1, "note", MARK_UP, MARK_DOWN);
    private static final Migration CARD_1 =
            new Migration("com.example.shape.card", 1, "shape", "card", r -> with(r, "card1"), MARK_DOWN);
    private static final Migration CARD_2 =
            new Migration("com.example.shape.card", 2, "shape", "card", r -> with(r, "card2"), null);
    private static final List<Migration> ALL = List.of(CARD_1, CARD_2, NOTE_1);
    /** The card sequence is retroactive, the note sequence is not. */
    private static final Predicate<String> CARD_IS_RETROACTIVE = "com.example.shape.card"::equals;

    private static final Map<String, Integer> ROOM = Map.of("com.example.note", 1, "com.example.shape.card", 2);

    @Test
    void negotiate_clientLackingARetroactiveSequence_needsAllItsSteps() {
        // card 2 has no down, so a client that lacks the retroactive card sequence is too old
        assertThat(SchemaNegotiation.negotiate(ROOM, ALL, CARD_IS_RETROACTIVE, schema(Map.of("com.example.note", 1L)))
                        .rejection())
                .isEqualTo(CloseReason.CLIENT_TOO_OLD);
        // loading needs only ups: both card steps run, on card shapes alone
        ClientMigrations up = SchemaNegotiation.negotiateUp(
                        ROOM, ALL, CARD_IS_RETROACTIVE, schema(Map.of("com.example.note", 1L)))
                .migrations();
        assertThat(up.up(record("shape", "card")).get("steps")).isEqualTo(List.of("card1", "card2"));
        assertThat(up.up(record("shape", "other")).get("steps")).isNull();
    }

    @Test
    void negotiate_clientLackingANonRetroactiveSequence_ignoresIt() {
        SchemaNegotiation.Outcome outcome = SchemaNegotiation.negotiate(
                ROOM, ALL, CARD_IS_RETROACTIVE, schema(Map.of("com.example.shape.card", 2L)));
        assertThat(outcome.rejection()).isNull();
        assertThat(outcome.migrations().isEmpty()).isTrue();
    }

    @Test
    void negotiate_behindWithDowns_migratesBothWays() {
        SchemaNegotiation.Outcome outcome = SchemaNegotiation.negotiate(
                ROOM, ALL, CARD_IS_RETROACTIVE, schema(Map.of("com.example.note", 0L, "com.example.shape.card", 2L)));
        assertThat(outcome.rejection()).isNull();
        assertThat(outcome.migrations().up(record("note", null)).get("steps")).isEqualTo(List.of("up"));
        assertThat(outcome.migrations().down(record("note", null)).get("steps")).isEqualTo(List.of("down"));
    }

    @Test
    void negotiate_missingDownAndAheadElsewhere_isServerTooOld() {
        // like tldraw: the chain is computed first, so a sequence ahead wins over a missing down
        Map<String, Object> client = schema(Map.of("com.example.shape.card", 1L, "com.example.note", 2L));
        assertThat(SchemaNegotiation.negotiate(ROOM, ALL, CARD_IS_RETROACTIVE, client)
                        .rejection())
                .isEqualTo(CloseReason.SERVER_TOO_OLD);
        assertThat(SchemaNegotiation.negotiateUp(ROOM, ALL, CARD_IS_RETROACTIVE, client)
                        .rejection())
                .isEqualTo(CloseReason.SERVER_TOO_OLD);
    }

    @Test
    void negotiateUp_missingStep_isClientTooOld() {
        Map<String, Integer> room = Map.of("com.example.note", 2);
        assertThat(SchemaNegotiation.negotiateUp(room, ALL, CARD_IS_RETROACTIVE, schema(Map.of("com.example.note", 0L)))
                        .rejection())
                .isEqualTo(CloseReason.CLIENT_TOO_OLD);
    }

    @Test
    void migration_subTypeWithoutRecordType_isRejected() {
        assertThatThrownBy(() -> new Migration("s", 1, null, "card", MARK_UP, null))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("subType card needs a recordType");
        Migration legacy = new Migration("s", 1, "note", MARK_UP, null);
        assertThat(legacy.subType()).isNull();
        assertThat(legacy.appliesTo(record("note", "anything"))).isTrue();
        assertThat(legacy.appliesTo(record("shape", null))).isFalse();
    }

    private static Map<String, Object> schema(Map<String, Long> sequences) {
        Map<String, Object> s = new LinkedHashMap<>();
        s.put("schemaVersion", 2L);
        s.put("sequences", new LinkedHashMap<>(sequences));
        return s;
    }

    private static FrozenMap record(String typeName, String type) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", typeName + ":1");
        r.put("typeName", typeName);
        if (type != null) {
            r.put("type", type);
        }
        return Frozen.freezeMap(r);
    }

    private static Map<String, Object> with(Map<String, Object> r, String step) {
        Map<String, Object> out = new LinkedHashMap<>(r);
        List<Object> steps = new java.util.ArrayList<>();
        if (r.get("steps") instanceof List<?> l) {
            steps.addAll(l);
        }
        steps.add(step);
        out.put("steps", steps);
        return out;
    }
}
