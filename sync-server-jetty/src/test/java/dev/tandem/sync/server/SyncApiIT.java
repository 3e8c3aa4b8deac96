package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.store.jdbc.JdbcRoomStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code POST /sync/push} and {@code POST /sync/pull} on a real {@link TandemServer} over SQLite. */
class SyncApiIT {
    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path data;

    private @Nullable TandemServer server;
    private @Nullable RoomStore store;

    @AfterEach
    void stop() {
        stopServer();
    }

    private void start() {
        store = JdbcRoomStore.builder().sqlite(data).build();
        server = TandemServer.builder()
                .port(0)
                .maxBodyBytes(64 * 1024)
                .roomOptions(RoomOptions.builder()
                        .schema(RoomSchema.pinned())
                        .store(store)
                        .batchInterval(Duration.ZERO)
                        .build())
                .build()
                .start();
    }

    private void stopServer() {
        if (server != null) {
            server.close();
            server = null;
        }
        if (store != null) {
            store.close();
            store = null;
        }
    }

    private HttpResponse<String> post(String path, String body) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private Map<String, Object> ok(String path, Object body) throws Exception {
        HttpResponse<String> r = post(path, TestJson.stringify(body));
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return (Map<String, Object>) TestJson.parse(r.body());
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> push(Object... events) throws Exception {
        return (List<Map<String, Object>>)
                ok("/sync/push", Map.of("events", List.of(events))).get("results");
    }

    private Map<String, Object> pull(@Nullable String cursor, List<String> rooms, int limit) throws Exception {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("cursor", cursor);
        body.put("rooms", rooms);
        body.put("limit", limit);
        return ok("/sync/pull", body);
    }

    private static Map<String, Object> create(String id, String room, String recordId, String text) {
        return event(id, room, recordId, "create", "record", note(recordId, text));
    }

    private static Map<String, Object> append(String id, String room, String recordId, String text, int offset) {
        return event(id, room, recordId, "update", "patch", Map.of("text", List.of("append", text, offset)));
    }

    private static Map<String, Object> event(
            String id, String room, String recordId, String operation, @Nullable String key, @Nullable Object value) {
        Map<String, Object> e = new LinkedHashMap<>();
        e.put("id", id);
        e.put("roomId", room);
        e.put("recordId", recordId);
        e.put("typeName", "note");
        e.put("operation", operation);
        if (key != null) {
            e.put(key, value);
        }
        e.put("clientTime", 1_700_000_000_000L);
        return e;
    }

    private static Map<String, Object> note(String id, String text) {
        return Map.of("id", id, "typeName", "note", "text", text);
    }

    private static void assertError(HttpResponse<String> r, int status, String code, String message) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(TestJson.parse(r.body())).isEqualTo(Map.of("error", code, "message", message));
    }

    @Test
    void push_thenPull_returnsChangesInPagesAndResumesFromCursor() throws Exception {
        start();
        List<Map<String, Object>> results = push(
                create("e1", "r1", "note:a", "A"),
                create("e2", "r1", "note:b", "B"),
                create("e3", "r2", "note:c", "C"),
                append("e4", "r1", "note:a", "a", 1),
                event("e5", "r1", "note:b", "delete", null, null));

        assertThat(results).extracting(r -> r.get("id")).containsExactly("e1", "e2", "e3", "e4", "e5");
        assertThat(results).allSatisfy(r -> assertThat(r).containsEntry("status", "applied"));
        assertThat(results.get(4)).containsEntry("serverClock", 4);

        Map<String, Object> first = pull(null, List.of("r1", "r2"), 1);
        assertThat(first).containsEntry("hasMore", true).containsEntry("resync", List.of("r1"));
        assertThat(first.get("changes"))
                .isEqualTo(List.of(Map.of(
                        "roomId",
                        "r1",
                        "recordId",
                        "note:a",
                        "typeName",
                        "note",
                        "operation",
                        "upsert",
                        "record",
                        note("note:a", "Aa"))));
        Map<String, Object> second = pull((String) first.get("cursor"), List.of("r1", "r2"), 100);
        assertThat(second).containsEntry("hasMore", false).containsEntry("resync", List.of("r2"));
        assertThat(second.get("changes"))
                .isEqualTo(List.of(Map.of(
                        "roomId",
                        "r2",
                        "recordId",
                        "note:c",
                        "typeName",
                        "note",
                        "operation",
                        "upsert",
                        "record",
                        note("note:c", "C"))));

        push(create("e6", "r2", "note:d", "D"), event("e7", "r1", "note:a", "delete", null, null));
        Map<String, Object> third = pull((String) second.get("cursor"), List.of("r1", "r2"), 100);

        assertThat(third).containsEntry("hasMore", false).doesNotContainKey("resync");
        assertThat(third.get("changes"))
                .isEqualTo(List.of(
                        Map.of("roomId", "r1", "recordId", "note:a", "typeName", "note", "operation", "delete"),
                        Map.of(
                                "roomId",
                                "r2",
                                "recordId",
                                "note:d",
                                "typeName",
                                "note",
                                "operation",
                                "upsert",
                                "record",
                                note("note:d", "D"))));
    }

    @Test
    @SuppressWarnings("unchecked")
    void push_sameEventsAgainAndAfterRestart_appliesThemOnce() throws Exception {
        start();
        Object[] events = {
            create("e1", "r", "note:a", ""), append("e2", "r", "note:a", "x", 0), append("e3", "r", "note:a", "y", 1),
        };
        List<Map<String, Object>> once = push(events);
        assertThat(push(events)).isEqualTo(once);

        stopServer();
        start();
        assertThat(push(events)).isEqualTo(once);
        assertThat(push(append("e4", "r", "note:a", "z", 2)).get(0)).containsEntry("status", "applied");

        List<Map<String, Object>> changes =
                (List<Map<String, Object>>) pull(null, List.of("r"), 10).get("changes");
        assertThat(changes)
                .singleElement()
                .satisfies(c -> assertThat(c.get("record")).isEqualTo(note("note:a", "xyz")));
    }

    @Test
    void push_rejectedEvents_blockOnlyLaterEventsOfTheSameRecord() throws Exception {
        start();
        List<Map<String, Object>> results = push(
                append("e1", "r", "note:missing", "x", 0),
                create("e2", "r", "note:missing", "now"),
                create("e3", "r", "note:ok", "fine"),
                event("e4", "r", "note:bad", "rename", null, null),
                create("e5", "r", "note:bad", "blocked"),
                create("e6", "no/such room", "note:x", "x"),
                create("e7", "other", "note:y", "y"));

        assertThat(results)
                .extracting(r -> r.get("status"))
                .containsExactly("rejected", "rejected", "applied", "rejected", "rejected", "rejected", "applied");
        assertThat(results.get(0)).containsEntry("reason", "NOT_FOUND: record note:missing does not exist");
        assertThat(results.get(1)).containsEntry("reason", "an earlier event of record note:missing was rejected");
        assertThat(results.get(3))
                .containsEntry(
                        "reason", "INVALID_EVENT: events[3].operation must be \"create\", \"update\" or \"delete\"");
        assertThat(results.get(4)).containsEntry("reason", "an earlier event of record note:bad was rejected");
        assertThat(results.get(5))
                .containsEntry("reason", "INVALID_ROOM_ID: roomId may contain only letters, digits and . _ ~ : -");
    }

    @Test
    void push_overLimits_isRefusedWithTheLimitNamed() throws Exception {
        start();
        List<Object> many = new ArrayList<>();
        for (int i = 0; i < 101; i++) {
            many.add(create("e" + i, "r", "note:" + i, "x"));
        }
        assertError(
                post("/sync/push", TestJson.stringify(Map.of("events", many))),
                413,
                "TOO_MANY_EVENTS",
                "a push may carry at most 100 events but had 101");
        try {
            assertError(
                    post("/sync/push", "{\"events\":[" + "1,".repeat(40_000) + "1]}"),
                    413,
                    "BODY_TOO_LARGE",
                    "the request body is larger than the limit of 65536 bytes");
        } catch (java.io.IOException refusedMidUpload) {
            // the server answers 413 from the headers and closes; the client may still be uploading and then
            // sees the closed connection instead of the answer: either way the body was refused
            assertThat(refusedMidUpload).hasMessageContaining("header parser received no bytes");
        }
        assertError(
                post("/sync/push", "{\"events\":"), 400, "BAD_REQUEST", "the body is not JSON: " + badJsonMessage());
        assertError(
                post("/sync/push", "{\"events\":[{\"roomId\":\"r\"}]}"),
                400,
                "BAD_REQUEST",
                "events[0].id must be a non-empty string");
        assertError(post("/sync/push", "{}"), 400, "BAD_REQUEST", "the body must be {\"events\": [...]}");
        HttpResponse<String> get = http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/sync/push"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertError(get, 405, "METHOD_NOT_ALLOWED", "GET is not allowed here; use POST");
    }

    private static String badJsonMessage() {
        try {
            dev.tandem.sync.core.Json.parse("{\"events\":");
            throw new AssertionError("expected a parse error");
        } catch (IllegalArgumentException e) {
            return e.getMessage();
        }
    }

    @Test
    void pull_badCursorOrLimit_is400() throws Exception {
        start();
        assertError(
                post("/sync/pull", "{\"cursor\":\"not-a-cursor\",\"rooms\":[\"r\"]}"),
                400,
                "BAD_CURSOR",
                "cursor is not a cursor this server returned");
        assertError(
                post("/sync/pull", "{\"cursor\":42,\"rooms\":[\"r\"]}"),
                400,
                "BAD_CURSOR",
                "cursor must be a string returned by this server, or null");
        assertError(
                post("/sync/pull", "{\"cursor\":null,\"rooms\":[\"r\"],\"limit\":1001}"),
                400,
                "BAD_REQUEST",
                "limit must be between 1 and 1000 but was 1001");
        assertError(
                post("/sync/pull", "{\"cursor\":null,\"rooms\":[]}"),
                400,
                "BAD_REQUEST",
                "rooms must be a non-empty array of room ids");
    }

    @Test
    void push_reachesLiveWebSocketClient() throws Exception {
        start();
        push(create("e0", "live", "note:first", "before"));
        WebSocketRecorder ws =
                WebSocketRecorder.connect(URI.create("ws://127.0.0.1:" + server.port() + "/connect/live?sessionId=s1"));
        ws.send(Map.of(
                "type",
                "connect",
                "connectRequestId",
                "c1",
                "lastServerClock",
                -1,
                "protocolVersion",
                8,
                "schema",
                Map.of("schemaVersion", 2, "sequences", Map.of())));
        assertThat(ws.nextMessageMatching(m -> "connect".equals(m.get("type"))).toString())
                .contains("note:first");

        push(create("e1", "live", "note:new", "hello"));

        assertThat(ws.nextMessage().toString()).contains("note:new").contains("hello");
        ws.close();
    }
}
