package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.RecordValidator;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.TldrawSchema;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Tandem's tldraw validators against tldraw's own, record by record. {@code src/test/node-schema/corpus.mjs}
 * takes records made by tldraw's editor ({@code editor-records.json}), mutates them with a seeded generator
 * into valid and invalid records, and has {@code @tldraw/tlschema} 5.4.2's {@code createTLSchema()} judge
 * each as {@code TLSocketRoom} does. Each record's JSON text then goes the way a pushed record goes in
 * Tandem: {@link Json#parse}, the record type's validator in {@link TldrawSchema#defaults()}. The verdicts
 * must agree. Runs under {@code -Pit}, whose {@code npm ci} installs the packages into {@code src/test/node}.
 */
class TldrawValidatorCorpusIT {
    private static final Logger LOG = LoggerFactory.getLogger(TldrawValidatorCorpusIT.class);
    private static final Path SCRIPT_DIR = Path.of("src", "test", "node-schema");
    private static final Path MODULES = Path.of("src", "test", "node", "node_modules");
    private static final long SEED = Long.getLong("corpus.seed", 20261204L);

    record Verdict(boolean valid, @Nullable String message) {}

    @Test
    void everyCorpusRecord_tandemAndTldraw_giveTheSameVerdict() throws Exception {
        assertThat(MODULES.resolve("@tldraw/tlschema"))
                .as("npm packages (run with -Pit, which runs npm ci in src/test/node)")
                .isDirectory();
        Path out = Files.createTempFile("tldraw-corpus", ".jsonl");
        try {
            runNode(out);
            List<Map<String, Object>> cases = new ArrayList<>();
            for (String line : Files.readAllLines(out, StandardCharsets.UTF_8)) {
                if (!line.isBlank()) {
                    cases.add(castMap(Json.parse(line)));
                }
            }
            assertThat(cases).as("corpus lines").isNotEmpty();
            checkSchema(cases.remove(0));
            check(cases);
        } finally {
            Files.deleteIfExists(out);
        }
    }

    /** Tandem's tldraw schema has tldraw's sequences, and its room types are tldraw's non-session types. */
    private static void checkSchema(Map<String, Object> header) {
        RoomSchema schema = TldrawSchema.defaults();
        assertThat(schema.serialize()).as("serialized schema").isEqualTo(header.get("schema"));
        Map<String, Object> scopes = castMap(header.get("scopes"));
        Map<String, Object> documentTypes = new TreeMap<>();
        scopes.forEach((type, scope) -> {
            if (scope.equals("document")) {
                documentTypes.put(type, scope);
            }
        });
        assertThat(schema.documentTypes().keySet()).as("document types").isEqualTo(documentTypes.keySet());
        assertThat(scopes).as("tldraw's presence type").containsEntry(schema.presenceType(), "presence");
        assertThat(scopes.values()).as("presence types").containsOnlyOnce("presence");
    }

    private static void check(List<Map<String, Object>> cases) {
        RoomSchema schema = TldrawSchema.defaults();
        List<String> disagreements = new ArrayList<>();
        List<String> messageDifferences = new ArrayList<>();
        Map<String, Integer> validByKind = new TreeMap<>();
        int valid = 0;
        int nonFiniteInJsonValue = 0;
        for (Map<String, Object> c : cases) {
            String json = (String) c.get("json");
            boolean tldrawValid = (Boolean) c.get("valid");
            String tldrawMessage = (String) c.get("message");
            Verdict tandem = tandemVerdict(schema, json);
            if (tldrawValid) {
                valid++;
            }
            if (tldrawValid && !tandem.valid() && isNonFiniteNumber(json, tandem)) {
                // tldraw's T.jsonValue takes JSON.parse's Infinity (from 1e400) in meta and rich text; Tandem's
                // parser refuses such a number before any validator runs (see the report below).
                nonFiniteInJsonValue++;
                continue;
            }
            if (tandem.valid() != tldrawValid) {
                disagreements.add(String.format(
                        "%s%n  record: %s%n  tldraw: %s%n  tandem: %s",
                        c.get("name"),
                        json,
                        tldrawValid ? "valid" : tldrawMessage,
                        tandem.valid() ? "valid" : tandem.message()));
            } else if (!tldrawValid
                    && !java.util.Objects.equals(tldrawMessage, tandem.message())
                    && !isNonFiniteNumber(json, tandem)) {
                messageDifferences.add(String.format(
                        "%s%n  tldraw: %s%n  tandem: %s", c.get("name"), tldrawMessage, tandem.message()));
            }
            if (tandem.valid() && tldrawValid) {
                validByKind.merge(kind(json), 1, Integer::sum);
            }
        }
        LOG.info(
                "corpus: {} records, {} valid and {} invalid by tldraw; {} disagreements; {} invalid records "
                        + "with a different message (besides non-finite numbers, refused by the parser); {} records tldraw takes with a non-finite number in a "
                        + "JSON-value position, which Tandem's parser refuses",
                cases.size(),
                valid,
                cases.size() - valid,
                disagreements.size(),
                messageDifferences.size(),
                nonFiniteInJsonValue);
        LOG.info("valid records by kind: {}", validByKind);
        disagreements.forEach(d -> LOG.error("disagreement: {}", d));
        messageDifferences.forEach(d -> LOG.info("message differs: {}", d));

        assertThat(cases).as("corpus size").hasSizeGreaterThanOrEqualTo(500);
        assertThat(validByKind.keySet())
                .as("kinds with valid records")
                .contains(
                        "asset:bookmark",
                        "asset:image",
                        "asset:video",
                        "binding:arrow",
                        "document",
                        "page",
                        "instance_presence",
                        "user",
                        "shape:arrow",
                        "shape:bookmark",
                        "shape:draw",
                        "shape:embed",
                        "shape:frame",
                        "shape:geo",
                        "shape:group",
                        "shape:highlight",
                        "shape:image",
                        "shape:line",
                        "shape:note",
                        "shape:text",
                        "shape:video");
        assertThat(valid).as("valid records").isGreaterThanOrEqualTo(100);
        assertThat(cases.size() - valid).as("invalid records").isGreaterThanOrEqualTo(100);
        assertThat(disagreements)
                .as("records tldraw and Tandem judge differently")
                .isEmpty();
        // beyond the verdict, the message too, except where Tandem's parser refused the text before validation
        assertThat(messageDifferences)
                .as("refusals whose message differs from tldraw's")
                .isEmpty();
    }

    /** The verdict of a record pushed to a Tandem room with tldraw's schema. */
    static Verdict tandemVerdict(RoomSchema schema, String json) {
        Object parsed;
        try {
            parsed = Json.parse(json);
        } catch (IllegalArgumentException e) {
            return new Verdict(false, "unparseable: " + e.getMessage());
        }
        if (!(parsed instanceof Map<?, ?> map)) {
            return new Verdict(false, "not an object");
        }
        Object typeName = map.get("typeName");
        RecordValidator validator = null;
        if (typeName instanceof String t) {
            validator = t.equals(schema.presenceType())
                    ? schema.presenceValidator()
                    : schema.documentTypes().get(t);
        }
        if (validator == null) {
            // tldraw's corpus script words it so, with JavaScript's undefined for a missing typeName
            return new Verdict(
                    false,
                    "unknown record type " + (map.containsKey("typeName") ? Json.stringify(typeName) : "undefined"));
        }
        try {
            validator.validate(castMap(map));
            return new Verdict(true, null);
        } catch (RuntimeException e) {
            return new Verdict(false, e.getMessage());
        }
    }

    private static boolean isNonFiniteNumber(String json, Verdict tandem) {
        return (json.contains("1e400"))
                && tandem.message() != null
                && tandem.message().startsWith("unparseable");
    }

    private static String kind(String json) {
        Map<String, Object> r = castMap(Json.parse(json));
        Object type = r.get("type");
        return r.get("typeName") + (type instanceof String t ? ":" + t : "");
    }

    private static void runNode(Path out) throws IOException, InterruptedException {
        NodeScript.Result node = NodeScript.run(
                SCRIPT_DIR,
                Duration.ofMinutes(2),
                Map.of(),
                "corpus.mjs",
                out.toAbsolutePath().toString(),
                Long.toString(SEED));
        assertThat(node.finished()).as("node finished").isTrue();
        assertThat(node.exitCode())
                .as("node exit code; output: %s", node.lines())
                .isZero();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }
}
