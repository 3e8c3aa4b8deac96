package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The sync protocol through the Jetty adapter and the real room, frame by frame. */
class TandemRoomIT {
    private static final Map<String, Object> SCHEMA =
            Map.of("schemaVersion", 2, "sequences", Map.of("com.example.note", 1));

    private TandemServer server;

    @BeforeEach
    void start() {
        server = TandemServer.builder()
                .port(0)
                // batching off: every message in its own frame, so frames are predictable
                .roomOptions(RoomOptions.builder()
                        .schema(RoomSchema.pinned())
                        .batchInterval(Duration.ZERO)
                        .build())
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private WebSocketRecorder open(String route, String room, String sessionId) {
        return WebSocketRecorder.connect(
                URI.create("ws://127.0.0.1:" + server.port() + "/" + route + "/" + room + "?sessionId=" + sessionId));
    }

    private static Map<String, Object> connect(String requestId) {
        return Map.of(
                "type",
                "connect",
                "connectRequestId",
                requestId,
                "lastServerClock",
                -1,
                "protocolVersion",
                8,
                "schema",
                SCHEMA);
    }

    private static Map<String, Object> note(String id, String text) {
        return Map.of("id", id, "typeName", "note", "text", text);
    }

    private static Map<String, Object> push(int clientClock, String id, Map<String, Object> record) {
        return Map.of("type", "push", "clientClock", clientClock, "diff", Map.of(id, List.of("put", record)));
    }

    /** Connects and returns the connect reply. */
    private static Map<String, Object> handshake(WebSocketRecorder client, String requestId) {
        client.send(connect(requestId));
        return client.nextMessageMatching(m -> "connect".equals(m.get("type")));
    }

    @SuppressWarnings("unchecked")
    private static List<Map<String, Object>> dataEvents(Map<String, Object> frame) {
        assertThat(frame.get("type")).isEqualTo("data");
        return (List<Map<String, Object>>) frame.get("data");
    }

    @Test
    void connect_onAFreshRoom_repliesWipeAll() {
        WebSocketRecorder a = open("connect", "handshake", "a");
        Map<String, Object> reply = handshake(a, "req-1");
        assertThat(reply)
                .containsEntry("connectRequestId", "req-1")
                .containsEntry("hydrationType", "wipe_all")
                .containsEntry("protocolVersion", 8)
                .containsEntry("isReadonly", false)
                .containsEntry("serverClock", 0)
                .containsEntry("diff", Map.of());
        a.send(Map.of("type", "ping"));
        assertThat(a.nextMessage()).isEqualTo(Map.of("type", "pong"));
        a.assertNoMoreFrames();
        a.close();
    }

    @Test
    @SuppressWarnings("unchecked")
    void connect_toALargeRoom_getsEveryRecordInOneMessage_sentInFragments() {
        WebSocketRecorder writer = open("connect", "large", "w");
        handshake(writer, "w1");
        // 60 notes of ~2,000 characters, with 2-, 3- and 4-byte UTF-8: a reply of ~130,000 characters, which the
        // room sends in fragments of ~32,000 while it encodes the rest
        Map<String, Object> diff = new LinkedHashMap<>();
        for (int i = 0; i < 60; i++) {
            diff.put("note:" + i, List.of("put", note("note:" + i, "é€😀x".repeat(400) + i)));
        }
        writer.send(Map.of("type", "push", "clientClock", 0, "diff", diff));
        assertThat(dataEvents(writer.nextMessage()))
                .containsExactly(Map.of("type", "push_result", "clientClock", 0, "serverClock", 1, "action", "commit"));

        WebSocketRecorder fresh = open("connect", "large", "f");
        Map<String, Object> reply = handshake(fresh, "f1");

        Map<String, Object> records = (Map<String, Object>) reply.get("diff");
        assertThat(records).hasSize(60);
        for (int i = 0; i < 60; i++) {
            assertThat(records.get("note:" + i)).isEqualTo(List.of("put", note("note:" + i, "é€😀x".repeat(400) + i)));
        }
        assertThat(reply).containsEntry("serverClock", 1).containsEntry("isReadonly", false);
        fresh.send(Map.of("type", "ping"));
        assertThat(fresh.nextMessage())
                .as("the session goes on after the fragmented reply")
                .isEqualTo(Map.of("type", "pong"));
        fresh.assertNoMoreFrames();
        writer.close();
        fresh.close();
    }

    @Test
    void push_isCommittedAndBroadcastToTheOtherSocket() {
        WebSocketRecorder a = open("connect", "broadcast", "a");
        WebSocketRecorder b = open("r", "broadcast", "b");
        handshake(a, "a1");
        handshake(b, "b1");

        a.send(push(0, "note:1", note("note:1", "hello")));
        assertThat(dataEvents(a.nextMessage()))
                .containsExactly(Map.of("type", "push_result", "clientClock", 0, "serverClock", 1, "action", "commit"));
        assertThat(dataEvents(b.nextMessage()))
                .containsExactly(Map.of(
                        "type",
                        "patch",
                        "diff",
                        Map.of("note:1", List.of("put", note("note:1", "hello"))),
                        "serverClock",
                        1));
        a.assertNoMoreFrames();
        a.close();
        b.close();
    }

    @Test
    void push_fromReadOnlySession_isDiscarded() {
        WebSocketRecorder writer = open("connect", "readonly", "w");
        WebSocketRecorder reader = open("ro", "readonly", "r");
        handshake(writer, "w1");
        assertThat(handshake(reader, "r1")).containsEntry("isReadonly", true);

        reader.send(push(0, "note:1", note("note:1", "nope")));
        assertThat(dataEvents(reader.nextMessage()))
                .containsExactly(
                        Map.of("type", "push_result", "clientClock", 0, "serverClock", 0, "action", "discard"));

        // the writer saw nothing of it, and its own push still commits at clock 1
        writer.send(push(0, "note:2", note("note:2", "yes")));
        assertThat(dataEvents(writer.nextMessage()))
                .containsExactly(Map.of("type", "push_result", "clientClock", 0, "serverClock", 1, "action", "commit"));
        writer.assertNoMoreFrames();
        writer.close();
        reader.close();
    }

    @Test
    void push_ofThreeHundredKilobytes_isCommitted() {
        WebSocketRecorder a = open("connect", "large", "a");
        handshake(a, "a1");
        a.send(push(0, "note:big", note("note:big", "x".repeat(300 * 1024))));
        assertThat(dataEvents(a.nextMessage()))
                .containsExactly(Map.of("type", "push_result", "clientClock", 0, "serverClock", 1, "action", "commit"));
        a.close();
    }

    @Test
    void garbageFrame_closesOnlyThatSessionWithUnknownError() {
        WebSocketRecorder bad = open("connect", "garbage", "bad");
        WebSocketRecorder a = open("connect", "garbage", "a");
        WebSocketRecorder b = open("connect", "garbage", "b");
        handshake(bad, "x1");
        handshake(a, "a1");
        handshake(b, "b1");

        bad.send("{\"type\":\"push\", this is not json");
        assertThat(bad.awaitClose()).isEqualTo(new WebSocketRecorder.Closed(4099, "UNKNOWN_ERROR"));

        a.send(push(0, "note:1", note("note:1", "still here")));
        assertThat(dataEvents(a.nextMessage()))
                .containsExactly(Map.of("type", "push_result", "clientClock", 0, "serverClock", 1, "action", "commit"));
        Map<String, Object> patch = dataEvents(b.nextMessage()).get(0);
        assertThat(patch).containsEntry("type", "patch").containsEntry("serverClock", 1);
        a.close();
        b.close();
    }
}
