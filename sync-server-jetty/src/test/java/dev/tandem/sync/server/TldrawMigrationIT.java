package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.RoomManager;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.TldrawSchema;
import dev.tandem.sync.core.internal.tldraw.TldrawMigrations;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.regex.Pattern;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * Rooms written by older tldraw releases (npm {@code @tldraw/tlschema} 2.2.0, 3.0.0, 4.5.12 and 5.0.0, built by
 * {@code src/test/node-migrations/tldraw-migrations.mjs} with each release's own record shapes and validators)
 * load into Tandem rooms with {@link TldrawSchema#defaults()} (migrations from {@link TldrawMigrations}, and its
 * validators for every push), and a tldraw 5.4.2 client connecting to them
 * receives exactly the records tldraw 5.4.2's own {@code TLSocketRoom} makes of the same snapshot. Older clients
 * connecting to a 5.4.2 room get from Tandem what they get from tldraw's server: the same down-migrated records,
 * or the same {@code CLIENT_TOO_OLD} close; an accepted older client's push (a shape in its own form, a patch to a
 * stored note) gets the same {@code push_result} and leaves the same records as in tldraw's room. The npm packages are installed by the {@code it} profile.
 */
class TldrawMigrationIT {
    private static final Path NODE_DIR = Path.of("src", "test", "node-migrations");
    private static final Duration TIMEOUT = Duration.ofSeconds(120);

    private static Map<String, Object> tldraw;
    private static TandemServer server;

    @BeforeAll
    static void runTldrawAndStartTandem() throws Exception {
        assertThat(NODE_DIR.resolve("node_modules/@tldraw/sync-core"))
                .as("npm packages (run with -Pit, which runs npm ci in %s)", NODE_DIR)
                .isDirectory();
        Path out = Path.of("target", "tldraw-migrations.json").toAbsolutePath();
        Files.createDirectories(out.getParent());
        Files.deleteIfExists(out);
        runNode(out);
        tldraw = map(Json.parse(Files.readString(out, StandardCharsets.UTF_8)));

        Map<String, RoomOptions> rooms = new LinkedHashMap<>();
        for (Map<String, Object> room : list(tldraw.get("rooms"))) {
            rooms.put("from-" + room.get("release"), options(room.get("snapshot")));
        }
        for (Map<String, Object> client : list(tldraw.get("clients"))) {
            rooms.put("current-" + client.get("release"), options(tldraw.get("current")));
        }
        server = TandemServer.builder()
                .port(0)
                .rooms(RoomManager.create(id -> {
                    RoomOptions o = rooms.get(id);
                    if (o == null) {
                        throw new IllegalArgumentException("no room " + id);
                    }
                    return o;
                }))
                .build()
                .start();
    }

    @AfterAll
    static void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static RoomOptions options(Object snapshot) {
        return RoomOptions.builder()
                .schema(TldrawSchema.defaults())
                .initialSnapshot(RoomSnapshot.fromJson(Json.stringify(snapshot)))
                .build();
    }

    static Stream<Arguments> olderRooms() {
        return list(tldraw.get("rooms")).stream().map(r -> Arguments.of(r.get("release"), r));
    }

    static Stream<Arguments> olderClients() {
        return list(tldraw.get("clients")).stream().map(c -> Arguments.of(c.get("release"), c));
    }

    @ParameterizedTest(name = "room from tldraw {0}")
    @MethodSource("olderRooms")
    void roomFromOlderRelease_reaches5_4_2Client_asTldrawMigratesIt(String release, Map<String, Object> room) {
        Map<String, Object> expected = new TreeMap<>();
        for (Map<String, Object> r : list(room.get("migrated"))) {
            expected.put((String) r.get("id"), r);
        }
        assertThat(expected).as("tldraw's migrated records").hasSizeGreaterThan(20);
        Map<String, Object> currentSchema = map(map(tldraw.get("current")).get("schema"));

        WebSocketRecorder client = WebSocketRecorder.connect(ws("from-" + release, "fresh-" + release));
        client.send(connectMessage(currentSchema));
        Map<String, Object> reply = nextMatching(client, "connect");
        client.close();

        assertThat(reply.get("hydrationType")).isEqualTo("wipe_all");
        assertThat(Json.deepEquals(Json.parse(TestJson.stringify(reply.get("schema"))), currentSchema))
                .as("server schema is tldraw 5.4.2's")
                .isTrue();
        Map<String, Object> received = puts(reply);
        // FixIndexKeys (store 5) replaces an index's trailing 0 with three random base-62 digits in both servers
        for (Map<String, Object> doc : list(map(room.get("snapshot")).get("documents"))) {
            Map<String, Object> state = map(doc.get("state"));
            String index = state.get("index") instanceof String s ? s : "";
            if (index.endsWith("0") && !index.equals("a0")) {
                String id = (String) state.get("id");
                String pattern = Pattern.quote(index.substring(0, index.length() - 1)) + "[1-9A-Za-z]{3}";
                expected.put(id, withoutIndex(map(expected.get(id)), pattern, "tldraw's " + id));
                received.put(id, withoutIndex(map(received.get(id)), pattern, "Tandem's " + id));
            }
        }
        assertSameRecords(received, expected, "room from tldraw " + release);
    }

    private static Map<String, Object> withoutIndex(Map<String, Object> record, String pattern, String what) {
        assertThat(record).as(what).isNotNull();
        Map<String, Object> out = new LinkedHashMap<>(record);
        assertThat((String) out.remove("index")).as("index of %s", what).matches(pattern);
        return out;
    }

    @ParameterizedTest(name = "client of tldraw {0}")
    @MethodSource("olderClients")
    void olderClient_on5_4_2Room_getsWhatTldrawGivesIt(String release, Map<String, Object> tl) {
        Map<String, Object> tlClose = tl.get("close") == null ? null : map(tl.get("close"));
        String room = "current-" + release;
        WebSocketRecorder client = WebSocketRecorder.connect(ws(room, "client-" + release));
        client.send(connectMessage(map(tl.get("schema"))));
        if (tlClose != null) {
            WebSocketRecorder.Closed closed = client.awaitClose();
            assertThat(closed)
                    .as("tldraw closed the %s client with %s", release, tlClose)
                    .isEqualTo(new WebSocketRecorder.Closed(
                            ((Number) tlClose.get("code")).intValue(), (String) tlClose.get("reason")));
            return;
        }
        Map<String, Object> reply = nextMatching(client, "connect");
        Map<String, Object> tlConnect = tlMessage(tl, "connect");
        assertThat(reply.get("hydrationType")).isEqualTo(tlConnect.get("hydrationType"));
        assertSameRecords(puts(reply), puts(tlConnect), "connect for a tldraw " + release + " client");

        // the client pushes a shape in its own form and patches a stored note
        client.send(map(tl.get("push")));
        Map<String, Object> result = nextMatching(client, "push_result");
        client.close();
        Map<String, Object> tlResult = tlMessage(tl, "push_result");
        assertThat(canonical(result.get("action")))
                .as("push_result action for a tldraw %s client", release)
                .isEqualTo(canonical(tlResult.get("action")));
        assertThat(canonical(result.get("clientClock"))).isEqualTo(canonical(tlResult.get("clientClock")));
        assertThat(canonical(result.get("serverClock"))).isEqualTo(canonical(tlResult.get("serverClock")));

        // what the room holds afterwards, as a 5.4.2 client sees it
        WebSocketRecorder reader = WebSocketRecorder.connect(ws(room, "reader-" + release));
        reader.send(connectMessage(map(map(tldraw.get("current")).get("schema"))));
        Map<String, Object> after = nextMatching(reader, "connect");
        reader.close();
        Map<String, Object> tlAfter = new TreeMap<>();
        for (Map<String, Object> r : list(tl.get("records"))) {
            tlAfter.put((String) r.get("id"), r);
        }
        assertThat(tlAfter).containsKey("shape:pushed");
        assertSameRecords(puts(after), tlAfter, "room after a tldraw " + release + " client's push");
    }

    private static void assertSameRecords(Map<String, Object> received, Map<String, Object> expected, String what) {
        assertThat(received.keySet()).as(what).isEqualTo(expected.keySet());
        for (Map.Entry<String, Object> e : expected.entrySet()) {
            assertThat(received.get(e.getKey()))
                    .as("record %s in %s", e.getKey(), what)
                    .isEqualTo(e.getValue());
        }
    }

    /** The next message of a type, looking inside {@code data} batches. */
    private static Map<String, Object> nextMatching(WebSocketRecorder client, String type) {
        for (int i = 0; i < 100; i++) {
            Map<String, Object> m = client.nextMessage();
            for (Map<String, Object> inner : "data".equals(m.get("type")) ? list(m.get("data")) : List.of(m)) {
                if (type.equals(inner.get("type"))) {
                    return inner;
                }
            }
        }
        throw new AssertionError("no " + type + " message");
    }

    private static Map<String, Object> tlMessage(Map<String, Object> tl, String type) {
        return list(tl.get("messages")).stream()
                .filter(m -> type.equals(m.get("type")))
                .findFirst()
                .orElseThrow(() -> new AssertionError("tldraw sent no " + type));
    }

    private static Object canonical(Object json) {
        return Json.parse(TestJson.stringify(json));
    }

    /** The connect reply's puts, id to record, as canonical JSON values. */
    private static Map<String, Object> puts(Map<String, Object> connect) {
        Map<String, Object> out = new TreeMap<>();
        map(Json.parse(TestJson.stringify(connect.get("diff")))).forEach((id, op) -> {
            List<?> o = (List<?>) op;
            assertThat(o.get(0)).as("op for %s", id).isEqualTo("put");
            out.put(id, o.get(1));
        });
        return out;
    }

    private static Map<String, Object> connectMessage(Map<String, Object> schema) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("type", "connect");
        m.put("connectRequestId", "connect-1");
        m.put("lastServerClock", -1);
        m.put("protocolVersion", 8);
        m.put("schema", schema);
        return m;
    }

    private static URI ws(String room, String sessionId) {
        return URI.create("ws://127.0.0.1:" + server.port() + "/connect/" + room + "?sessionId=" + sessionId);
    }

    private static void runNode(Path out) throws Exception {
        NodeScript.Result node = NodeScript.run(NODE_DIR, TIMEOUT, Map.of(), "tldraw-migrations.mjs", out.toString());
        assertThat(node.finished()).as("node finished within %s", TIMEOUT).isTrue();
        assertThat(node.exitCode())
                .as("node exit code; output: %s", node.lines())
                .isZero();
        assertThat(Files.isRegularFile(out)).as("node wrote %s", out).isTrue();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> map(Object o) {
        return (Map<String, Object>) o;
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> list(Object o) {
        return (List<Map<String, Object>>) o;
    }
}
