package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.sync.core.CloseReason;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** The Jetty adapter over real sockets, with rooms that only record what arrives (no room logic involved). */
class TandemServerIT {
    private final Map<String, FakeRoom> rooms = new ConcurrentHashMap<>();
    private TandemServer server;

    @BeforeEach
    void start() {
        server = TandemServer.builder()
                .port(0)
                .roomLookup(id -> rooms.computeIfAbsent(id, FakeRoom::new))
                .maxQueuedChars(64 * 1024)
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    private URI ws(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + server.port() + pathAndQuery);
    }

    private HttpResponse<String> get(String path) throws Exception {
        HttpRequest request = HttpRequest.newBuilder(server.uri().resolve(path))
                .timeout(Duration.ofSeconds(5))
                .build();
        return HttpClient.newHttpClient().send(request, HttpResponse.BodyHandlers.ofString());
    }

    private FakeRoom awaitRoom(String id) {
        await().atMost(Duration.ofSeconds(5)).until(() -> rooms.containsKey(id));
        return rooms.get(id);
    }

    @Test
    void start_onAFreePort_reportsPortAndUri() {
        assertThat(server.port()).isPositive();
        assertThat(server.uri().toString()).isEqualTo("http://127.0.0.1:" + server.port() + "/");
    }

    @Test
    void connect_passesSessionIdStoreIdAndReadOnlyFlag() {
        WebSocketRecorder rw = WebSocketRecorder.connect(ws("/connect/room-1?sessionId=s1&storeId=st1"));
        WebSocketRecorder r = WebSocketRecorder.connect(ws("/r/room-1?sessionId=s2"));
        WebSocketRecorder ro = WebSocketRecorder.connect(ws("/ro/room-1?sessionId=s3"));
        FakeRoom room = awaitRoom("room-1");
        await().atMost(Duration.ofSeconds(5)).until(() -> room.connections.size() == 3);

        Map<String, FakeRoom.Connection> bySession = new ConcurrentHashMap<>();
        room.connections.forEach(c -> bySession.put(c.options.sessionId(), c));
        assertThat(bySession.get("s1").options.readOnly()).isFalse();
        assertThat(bySession.get("s1").options.meta()).containsEntry("storeId", "st1");
        assertThat(bySession.get("s2").options.readOnly()).isFalse();
        assertThat(bySession.get("s3").options.readOnly()).isTrue();
        rw.close();
        r.close();
        ro.close();
    }

    @Test
    void connect_withoutSessionId_generatesOne() {
        WebSocketRecorder client = WebSocketRecorder.connect(ws("/connect/room-2"));
        FakeRoom room = awaitRoom("room-2");
        await().atMost(Duration.ofSeconds(5)).until(() -> room.connections.size() == 1);
        assertThat(room.only().options.sessionId()).hasSize(36);
        client.close();
    }

    @Test
    void frames_travelBothWays_andBinaryIsDecodedAsUtf8() {
        WebSocketRecorder client = WebSocketRecorder.connect(ws("/connect/room-3?sessionId=s"));
        FakeRoom room = awaitRoom("room-3");
        await().atMost(Duration.ofSeconds(5)).until(() -> room.connections.size() == 1);
        FakeRoom.Connection c = room.only();

        client.send("{\"type\":\"ping\"}");
        client.sendBinary("{\"type\":\"pïng\"}".getBytes(StandardCharsets.UTF_8));
        await().atMost(Duration.ofSeconds(5)).until(() -> c.texts.size() == 2);
        assertThat(c.texts).containsExactly("{\"type\":\"ping\"}", "{\"type\":\"pïng\"}");

        assertThat(c.socket.isOpen()).isTrue();
        assertThat(c.socket.send("{\"type\":\"pong\"}")).isTrue();
        assertThat(client.nextText()).isEqualTo("{\"type\":\"pong\"}");
        client.assertNoMoreFrames();
        client.close();
    }

    @Test
    void largeFrame_ofThreeHundredKilobytes_isAccepted() {
        WebSocketRecorder client = WebSocketRecorder.connect(ws("/connect/room-4?sessionId=s"));
        FakeRoom room = awaitRoom("room-4");
        await().atMost(Duration.ofSeconds(5)).until(() -> room.connections.size() == 1);
        // 262,143 UTF-16 units (a tldraw chunk just under the limit), mostly 3-byte characters: ~786 KB UTF-8
        String big = "1_" + "€".repeat(262_141);
        client.send(big);
        String threeHundredKb = "x".repeat(300 * 1024);
        client.send(threeHundredKb);
        await().atMost(Duration.ofSeconds(5)).until(() -> room.only().texts.size() == 2);
        assertThat(room.only().texts.get(0)).isEqualTo(big);
        assertThat(room.only().texts.get(1)).hasSize(300 * 1024);
        assertThat(client.isClosed()).isFalse();
        client.close();
    }

    @Test
    void fragments_arriveAsOneMessage_pastTheQueueLimit_whenNothingWasQueuedBeforeTheFirst() {
        WebSocketRecorder client = WebSocketRecorder.connect(ws("/connect/room-frag?sessionId=s"));
        FakeRoom room = awaitRoom("room-frag");
        await().atMost(Duration.ofSeconds(5)).until(() -> room.connections.size() == 1);
        FakeRoom.Connection c = room.only();
        assertThat(c.socket.sendsFragments()).isTrue();
        // five fragments of 40,000 characters: 200,000 in one message, over this server's 64 Ki queue limit
        StringBuilder whole = new StringBuilder();
        for (int i = 0; i < 5; i++) {
            String fragment = (i + "é€😀").repeat(8_000);
            whole.append(fragment);
            assertThat(c.socket.sendFragment(fragment, i == 4)).isTrue();
        }
        assertThat(c.socket.send("{\"type\":\"pong\"}")).isTrue();

        assertThat(client.nextText()).isEqualTo(whole.toString());
        assertThat(client.nextText()).isEqualTo("{\"type\":\"pong\"}");
        assertThat(client.isClosed()).isFalse();
        client.close();
    }

    @Test
    void roomClose_withReason_reachesClientAs4099() {
        WebSocketRecorder client = WebSocketRecorder.connect(ws("/connect/room-5?sessionId=s"));
        FakeRoom room = awaitRoom("room-5");
        await().atMost(Duration.ofSeconds(5)).until(() -> room.connections.size() == 1);
        room.only().socket.close(CloseReason.CLOSE_CODE, CloseReason.INVALID_RECORD.wireName());
        assertThat(client.awaitClose()).isEqualTo(new WebSocketRecorder.Closed(4099, "INVALID_RECORD"));
        assertThat(room.only().socket.isOpen()).isFalse();
        assertThat(room.only().socket.send("{}")).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> room.only().closes == 1);
    }

    @Test
    void clientClose_isReportedOnce() {
        WebSocketRecorder client = WebSocketRecorder.connect(ws("/connect/room-6?sessionId=s"));
        FakeRoom room = awaitRoom("room-6");
        await().atMost(Duration.ofSeconds(5)).until(() -> room.connections.size() == 1);
        client.close();
        await().atMost(Duration.ofSeconds(5)).until(() -> room.only().closes == 1);
        assertThat(room.only().errors).isEmpty();
        assertThat(room.only().socket.isOpen()).isFalse();
        await().atMost(Duration.ofSeconds(5)).until(() -> server.handler().connectionCount() == 0);
    }

    @Test
    void clientAbort_isReportedAsCloseOrError() {
        WebSocketRecorder client = WebSocketRecorder.connect(ws("/connect/room-7?sessionId=s"));
        FakeRoom room = awaitRoom("room-7");
        await().atMost(Duration.ofSeconds(5)).until(() -> room.connections.size() == 1);
        client.abort();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> room.only().closes + room.only().errors.size() == 1);
    }

    @Test
    void slowConsumer_overTheQueueLimit_isRefusedAndClosed() {
        WebSocketRecorder client = WebSocketRecorder.connect(ws("/connect/room-8?sessionId=s"), false);
        FakeRoom room = awaitRoom("room-8");
        await().atMost(Duration.ofSeconds(5)).until(() -> room.connections.size() == 1);
        FakeRoom.Connection c = room.only();
        String frame = "y".repeat(256 * 1024);
        int sent = 0;
        // the client reads nothing: kernel buffers fill, then the 64 KiB queue; bounded to 256 MiB in total
        while (sent < 1024 && c.socket.send(frame)) {
            sent++;
        }
        assertThat(sent).as("frames accepted before the queue filled").isLessThan(1024);
        assertThat(c.socket.isOpen()).isFalse();
        client.readAll();
        assertThat(client.awaitClose().code()).isEqualTo(1013);
    }

    @Test
    void stop_closesConnectionsNormally() {
        WebSocketRecorder client = WebSocketRecorder.connect(ws("/connect/room-9?sessionId=s"));
        FakeRoom room = awaitRoom("room-9");
        await().atMost(Duration.ofSeconds(5)).until(() -> room.connections.size() == 1);
        server.stop();
        assertThat(client.awaitClose().code()).isEqualTo(1000);
        server.stop(); // idempotent
    }

    @Test
    void unknownPath_is404Json() throws Exception {
        HttpResponse<String> response = get("/nope");
        assertThat(response.statusCode()).isEqualTo(404);
        assertThat(response.headers().firstValue("content-type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(TestJson.parse(response.body()))
                .isEqualTo(Map.of("error", "NOT_FOUND", "message", "no route for /nope"));
    }

    @Test
    void plainGetOnRoute_is400Json() throws Exception {
        HttpResponse<String> response = get("/connect/room-10?sessionId=s");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(TestJson.parse(response.body()))
                .isEqualTo(
                        Map.of("error", "UPGRADE_REQUIRED", "message", "this route accepts only WebSocket upgrades"));
        assertThat(rooms).as("no room is created for a plain GET").doesNotContainKey("room-10");
    }

    @Test
    void badRoomId_is400Json() throws Exception {
        HttpResponse<String> empty = get("/connect/");
        assertThat(empty.statusCode()).isEqualTo(400);
        assertThat(TestJson.parse(empty.body()))
                .isEqualTo(Map.of("error", "INVALID_ROOM_ID", "message", "roomId must not be empty"));

        HttpResponse<String> tooLong = get("/ro/" + "a".repeat(129));
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(TestJson.parse(tooLong.body()))
                .isEqualTo(Map.of(
                        "error", "INVALID_ROOM_ID", "message", "roomId must be at most 128 characters but was 129"));

        HttpResponse<String> badChars = get("/r/a%20b");
        assertThat(badChars.statusCode()).isEqualTo(400);
        assertThat(TestJson.parse(badChars.body()))
                .isEqualTo(Map.of(
                        "error",
                        "INVALID_ROOM_ID",
                        "message",
                        "roomId may contain only letters, digits and . _ ~ : -"));
    }

    @Test
    void badSessionId_is400Json() throws Exception {
        HttpResponse<String> response = get("/connect/room-11?sessionId=" + "s".repeat(200));
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(TestJson.parse(response.body()))
                .isEqualTo(Map.of(
                        "error",
                        "INVALID_SESSION_ID",
                        "message",
                        "sessionId must be at most 128 characters but was 200"));
    }
}
