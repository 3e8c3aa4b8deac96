package dev.tandem.sync.core.internal.tldraw;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.Migration;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.schema.SchemaNegotiation;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import java.util.function.Predicate;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Replays before/after pairs computed by tldraw 5.4.2's own migrations ({@code
 * tldraw-5.4.2-migration-steps.json}, written by {@code sync-server-jetty/src/test/node-migrations/
 * step-fixtures.mjs} from records of tldraw 2.2.0, 3.0.0, 4.5.12, 5.0.0 and 5.4.2) against the Java steps.
 */
class TldrawMigrationsTest {
    /** tldraw 5.4.2's rule: every default sequence is retroactive but two. */
    private static final Predicate<String> RETROACTIVE =
            seq -> !TldrawMigrations.nonRetroactiveSequences().contains(seq);

    private static final Map<String, Object> FIXTURES = load();
    private static final Map<String, Migration> BY_ID = TldrawMigrations.migrations().stream()
            .collect(Collectors.toMap(m -> m.sequenceId() + "/" + m.version(), m -> m));

    @SuppressWarnings("unchecked")
    private static Map<String, Object> load() {
        try (InputStream in = TldrawMigrationsTest.class.getResourceAsStream("tldraw-5.4.2-migration-steps.json")) {
            return (Map<String, Object>) Json.parse(new String(in.readAllBytes(), StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new IllegalStateException(e);
        }
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(String key) {
        return (List<Map<String, Object>>) FIXTURES.get(key);
    }

    static Stream<Map<String, Object>> steps() {
        return list("steps").stream();
    }

    @ParameterizedTest(name = "{index}: {0}")
    @MethodSource("steps")
    @SuppressWarnings("unchecked")
    void step_onTldrawsInput_givesTldrawsOutput(Map<String, Object> step) {
        Migration m = BY_ID.get((String) step.get("id"));
        assertThat(m).as("Java step %s", step.get("id")).isNotNull();
        FrozenMap before = Frozen.freezeMap((Map<String, Object>) step.get("before"));
        assertThat(m.appliesTo(before)).as("applies to its record").isTrue();
        boolean up = step.get("direction").equals("up");
        var fn = up ? m.up() : m.down();
        assertThat(fn).as("%s has a %s", step.get("id"), step.get("direction")).isNotNull();
        Map<String, Object> after = new LinkedHashMap<>(Frozen.freezeMap(fn.apply(before)));
        Map<String, Object> expected = new LinkedHashMap<>((Map<String, Object>) step.get("after"));
        if (Boolean.TRUE.equals(step.get("randomIndex"))) {
            // FixIndexKeys: the trailing 0 becomes three random base-62 digits, in tldraw and here
            String index = (String) before.get("index");
            String pattern = java.util.regex.Pattern.quote(index.substring(0, index.length() - 1)) + "[1-9A-Za-z]{3}";
            assertThat((String) expected.remove("index")).matches(pattern);
            assertThat((String) after.remove("index")).matches(pattern);
        }
        assertThat(Frozen.freezeMap(after)).isEqualTo(Frozen.freezeMap(expected));
    }

    @Test
    void fixtures_coverStepsFrom2_2To5_4_2InBothDirections() {
        Set<String> covered =
                steps().map(s -> s.get("id") + " " + s.get("direction")).collect(Collectors.toSet());
        // samples of the up steps a 2.2.0 room needs, and of the downs tldraw has among them
        assertThat(covered)
                .contains(
                        "com.tldraw.shape.arrow/5 up",
                        "com.tldraw.shape.arrow/5 down",
                        "com.tldraw.asset.image/4 up",
                        "com.tldraw.asset.video/5 up",
                        "com.tldraw.asset.video/5 down",
                        "com.tldraw.shape.draw/2 up",
                        "com.tldraw.shape.highlight/1 up",
                        "com.tldraw.shape.line/5 up",
                        "com.tldraw.shape.note/7 up",
                        "com.tldraw.shape.image/4 down",
                        "com.tldraw.shape.arrow/6 up",
                        "com.tldraw.shape.arrow/7 up",
                        "com.tldraw.shape.arrow/8 down",
                        "com.tldraw.shape.draw/3 up",
                        "com.tldraw.shape.draw/5 down",
                        "com.tldraw.shape.geo/10 up",
                        "com.tldraw.shape.highlight/4 down",
                        "com.tldraw.shape.note/13 down",
                        "com.tldraw.asset.image/6 down",
                        "com.tldraw.binding.arrow/1 up");
    }

    @Test
    void migrations_matchTldrawsStepsScopesDownsAndRetroactivity() {
        List<Map<String, Object>> theirs = list("migrations");
        assertThat(BY_ID.keySet())
                .containsExactlyInAnyOrderElementsOf(
                        theirs.stream().map(t -> (String) t.get("id")).toList());
        List<String> mismatches = new ArrayList<>();
        for (Map<String, Object> t : theirs) {
            Migration m = BY_ID.get((String) t.get("id"));
            if (RETROACTIVE.test(m.sequenceId()) != (Boolean) t.get("retroactive")) {
                mismatches.add(t.get("id") + " retroactive");
            }
            if (TldrawMigrations.isUnsupported(m)) {
                assertThat(m.down())
                        .as("unsupported %s has no down", t.get("id"))
                        .isNull();
                continue;
            }
            assertThat(t.get("scope")).as("%s scope", t.get("id")).isEqualTo("record");
            if ((m.down() != null) != (Boolean) t.get("down")) {
                mismatches.add(t.get("id") + " down");
            }
        }
        assertThat(mismatches).isEmpty();
    }

    @Test
    @SuppressWarnings("unchecked")
    void sequences_equalTldrawsSerializedSchema_andEachHasAFullChain() {
        Map<String, Object> schema = (Map<String, Object>) FIXTURES.get("schema");
        Map<String, Object> seqs = (Map<String, Object>) schema.get("sequences");
        Map<String, Integer> ours = TldrawMigrations.sequences();
        assertThat(ours.keySet()).isEqualTo(new TreeSet<>(seqs.keySet()));
        seqs.forEach((id, v) -> {
            assertThat(ours.get(id)).as(id).isEqualTo(((Number) v).intValue());
            List<Integer> versions = TldrawMigrations.migrations().stream()
                    .filter(m -> m.sequenceId().equals(id))
                    .map(Migration::version)
                    .toList();
            List<Integer> expected = new ArrayList<>();
            for (int i = 1; i <= ((Number) v).intValue(); i++) {
                expected.add(i);
            }
            assertThat(versions).as(id).isEqualTo(expected);
        });
    }

    @Test
    void subtypeStep_onOtherSubtypeOrRecordType_doesNotApply() {
        Migration arrow = BY_ID.get("com.tldraw.shape.arrow/7");
        assertThat(arrow.appliesTo(record("shape", "arrow"))).isTrue();
        assertThat(arrow.appliesTo(record("shape", "geo"))).isFalse();
        assertThat(arrow.appliesTo(record("binding", "arrow"))).isFalse();
        Migration image = BY_ID.get("com.tldraw.asset.image/6");
        assertThat(image.appliesTo(record("asset", "image"))).isTrue();
        assertThat(image.appliesTo(record("asset", "video"))).isFalse();
        assertThat(image.appliesTo(record("shape", "image"))).isFalse();
    }

    @Test
    @SuppressWarnings("unchecked")
    void fixIndexKeys_onIndexEndingInZero_replacesTheZeroWithThreeBase62Digits() {
        Migration fix = BY_ID.get("com.tldraw.store/5");
        Map<String, Object> line = new LinkedHashMap<>(record("shape", "line"));
        line.put("index", "a10");
        line.put("props", Map.of("points", Map.of("a0", point("a0"), "b", point("a20"), "c", point("a1V"))));
        Map<String, Object> out = fix.up().apply(Frozen.freezeMap(line));
        assertThat((String) out.get("index")).matches("a1[1-9A-Za-z]{3}");
        Map<String, Map<String, Object>> points =
                (Map<String, Map<String, Object>>) ((Map<String, Object>) out.get("props")).get("points");
        assertThat(points.get("a0").get("index")).isEqualTo("a0");
        assertThat((String) points.get("b").get("index")).matches("a2[1-9A-Za-z]{3}");
        assertThat(points.get("c").get("index")).isEqualTo("a1V");

        Map<String, Object> page = new LinkedHashMap<>(record("page", null));
        page.put("index", "a0");
        assertThat(fix.up().apply(Frozen.freezeMap(page)).get("index")).isEqualTo("a0");
        page.put("index", "b0");
        assertThat((String) fix.up().apply(Frozen.freezeMap(page)).get("index")).matches("b[1-9A-Za-z]{3}");
    }

    @Test
    void unsupportedStep_onARecordItAppliesTo_failsNamingTheStep() {
        Migration extract = BY_ID.get("com.tldraw.shape.arrow/4");
        assertThat(TldrawMigrations.isUnsupported(extract)).isTrue();
        assertThat(extract.appliesTo(record("shape", "geo"))).isFalse();
        assertThatThrownBy(() -> extract.up().apply(record("shape", "arrow")))
                .isInstanceOf(UnsupportedOperationException.class)
                .hasMessage("tldraw migration com.tldraw.shape.arrow/4 is not supported by Tandem (it predates"
                        + " tldraw 2.2.0)");
    }

    @Test
    void negotiate_olderClients_likeTldraw() {
        List<Migration> all = TldrawMigrations.migrations();
        Map<String, Integer> seqs = TldrawMigrations.sequences();
        // 5.0.0: every step since has a down
        Map<String, Object> v500 = schemaWith(Map.of(
                "com.tldraw.shape.draw", 4L,
                "com.tldraw.shape.geo", 11L,
                "com.tldraw.shape.highlight", 3L,
                "com.tldraw.shape.note", 12L));
        SchemaNegotiation.Outcome ok = SchemaNegotiation.negotiate(seqs, all, RETROACTIVE, v500);
        assertThat(ok.rejection()).isNull();
        assertThat(ok.migrations().isEmpty()).isFalse();
        // a schema without com.tldraw.user (retroactive, and its only step has no down)
        Map<String, Object> noUser = schemaWith(Map.of());
        ((Map<?, ?>) noUser.get("sequences")).remove("com.tldraw.user");
        assertThat(SchemaNegotiation.negotiate(seqs, all, RETROACTIVE, noUser).rejection())
                .isEqualTo(CloseReason.CLIENT_TOO_OLD);
        assertThat(SchemaNegotiation.negotiateUp(seqs, all, RETROACTIVE, noUser).rejection())
                .isNull();
        // a schema without com.tldraw.store (not retroactive) needs nothing from it
        Map<String, Object> noStore = schemaWith(Map.of());
        ((Map<?, ?>) noStore.get("sequences")).remove("com.tldraw.store");
        assertThat(SchemaNegotiation.negotiate(seqs, all, RETROACTIVE, noStore).rejection())
                .isNull();
        // arrow 6: AddRichText has no down
        assertThat(SchemaNegotiation.negotiate(seqs, all, RETROACTIVE, schemaWith(Map.of("com.tldraw.shape.arrow", 6L)))
                        .rejection())
                .isEqualTo(CloseReason.CLIENT_TOO_OLD);
        // ahead of the room
        assertThat(SchemaNegotiation.negotiate(seqs, all, RETROACTIVE, schemaWith(Map.of("com.tldraw.shape.arrow", 9L)))
                        .rejection())
                .isEqualTo(CloseReason.SERVER_TOO_OLD);
    }

    @Test
    @SuppressWarnings("unchecked")
    void loadingPre2_2Arrows_failsWithAClearMessage() {
        Map<String, Object> v210 = schemaWith(Map.of("com.tldraw.shape.arrow", 3L, "com.tldraw.store", 4L));
        SchemaNegotiation.Outcome outcome = SchemaNegotiation.negotiateUp(
                TldrawMigrations.sequences(), TldrawMigrations.migrations(), RETROACTIVE, v210);
        assertThat(outcome.rejection()).isNull();
        Map<String, Object> arrow = new LinkedHashMap<>(record("shape", "arrow"));
        arrow.put("props", Map.of("start", Map.of("x", 0L, "y", 0L), "end", Map.of("x", 1L, "y", 1L)));
        assertThatThrownBy(() -> outcome.migrations().up(Frozen.freezeMap(arrow)))
                .isInstanceOf(SyncException.class)
                .hasMessageContaining("up migration com.tldraw.shape.arrow/4 failed: tldraw migration"
                        + " com.tldraw.shape.arrow/4 is not supported by Tandem");
        // a page needs no unsupported step and migrates
        Map<String, Object> page = new LinkedHashMap<>(record("page", null));
        page.put("index", "a1");
        assertThat(outcome.migrations().up(Frozen.freezeMap(page))).isEqualTo(Frozen.freezeMap(page));
    }

    private static Map<String, Object> schemaWith(Map<String, Long> overrides) {
        Map<String, Object> seqs = new LinkedHashMap<>();
        TldrawMigrations.sequences().forEach((k, v) -> seqs.put(k, (long) v));
        seqs.putAll(overrides);
        Map<String, Object> schema = new LinkedHashMap<>();
        schema.put("schemaVersion", 2L);
        schema.put("sequences", seqs);
        return schema;
    }

    private static FrozenMap record(String typeName, String type) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", typeName + ":x");
        r.put("typeName", typeName);
        if (type != null) {
            r.put("type", type);
        }
        r.put("props", Map.of());
        return Frozen.freezeMap(r);
    }

    private static Map<String, Object> point(String index) {
        return Map.of("id", index, "index", index, "x", 1L, "y", 2L);
    }
}
