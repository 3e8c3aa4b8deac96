package dev.tandem.sync.server;

import static dev.tandem.sync.server.SyncClients.awaitPushResult;
import static dev.tandem.sync.server.SyncClients.note;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.sync.core.Access;
import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.RoomCommit;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.StoreHealth;
import dev.tandem.sync.core.VersionInfo;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.UnaryOperator;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The node budget at a real server on a socket: past each budget a client gets a clear refusal (a 1013 close
 * with a short reason, or an HTTP 429/503/413/507 with a JSON body) while the clients within it keep being
 * served; and clients who cannot write leave nothing in the store.
 */
class NodeBudgetIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final int TRY_AGAIN_LATER = 1013;

    private TandemServer server;
    private SyncClients clients;
    private RecordingStore store;
    private final List<AutoCloseable> sockets = new ArrayList<>();

    @TempDir
    Path data;

    private void start(NodeBudget budget) {
        start(budget, b -> b);
    }

    private void start(NodeBudget budget, UnaryOperator<TandemServer.Builder> more) {
        store = new RecordingStore(RoomStore.inMemory());
        server = more.apply(TandemServer.builder()
                        .port(0)
                        .roomOptions(RoomOptions.builder()
                                .schema(RoomSchema.pinned())
                                .store(store)
                                .batchInterval(Duration.ZERO)
                                .unloadDelay(Duration.ofMillis(100))
                                .removalGrace(Duration.ofMillis(100))
                                .build())
                        .budget(budget))
                .build()
                .start();
        clients = new SyncClients(server);
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable s : sockets) {
            s.close();
        }
        if (server != null) {
            server.close();
        }
    }

    // ---- connections --------------------------------------------------------------------------------

    @Test
    void connect_pastTheAddressCap_isClosedWith1013WhileOtherAddressesJoin() throws Exception {
        start(NodeBudget.builder()
                .maxConnections(10)
                .maxConnectionsPerAddress(2)
                .build());
        RawWebSocket a1 = joinRaw("127.0.0.1", "room", "a1");
        joinRaw("127.0.0.1", "room", "a2");

        RawWebSocket.Frame refused = openRaw("127.0.0.1", "room", "a3").awaitClose();

        assertThat(refused.closeCode()).isEqualTo(TRY_AGAIN_LATER);
        assertThat(refused.closeReason()).isEqualTo("too many connections");
        joinRaw("127.0.0.2", "room", "b1");
        a1.close();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> server.handler().budgets().connections().open("127.0.0.1") == 1);
        joinRaw("127.0.0.1", "room", "a4");
    }

    @Test
    void connect_pastTheTotalCap_isClosedWith1013() throws Exception {
        start(NodeBudget.builder().maxConnections(2).maxConnectionsPerAddress(2).build());
        joinRaw("127.0.0.1", "room", "a1");
        joinRaw("127.0.0.2", "room", "b1");

        RawWebSocket.Frame refused = openRaw("127.0.0.3", "room", "c1").awaitClose();

        assertThat(refused.closeCode()).isEqualTo(TRY_AGAIN_LATER);
        assertThat(refused.closeReason()).isEqualTo("too many connections");
        assertThat(server.handler().connectionCount()).isEqualTo(2);
    }

    @Test
    void connect_pastTheLoadedRoomCap_isRefusedUntilARoomUnloads() throws Exception {
        start(NodeBudget.builder().maxLoadedRooms(2).build());
        WebSocketRecorder r1 = clients.join("r1", "s1", null);
        clients.join("r2", "s2", null);

        WebSocketRecorder.Closed refused = clients.open("r3", "s3", null).awaitClose();
        HttpResponse<String> pull = post("/sync/pull", "{\"cursor\":null,\"rooms\":[\"r3\"],\"limit\":10}", 0);

        assertThat(refused).isEqualTo(new WebSocketRecorder.Closed(TRY_AGAIN_LATER, "too many rooms"));
        assertThat(pull.statusCode()).isEqualTo(503);
        assertThat(pull.body()).contains("\"error\":\"TOO_MANY_ROOMS\"");
        r1.close();
        await().atMost(Duration.ofSeconds(5))
                .until(() -> server.ownedRooms().orElseThrow().find("r1").isEmpty());
        WebSocketRecorder r3 = clients.join("r3", "s3b", null);
        assertThat(r3.isClosed()).isFalse();
    }

    // ---- HTTP ---------------------------------------------------------------------------------------------

    @Test
    void http_pastTheConcurrentRequests_gets503WithRetryAfter() throws Exception {
        start(NodeBudget.builder().maxConcurrentRequests(2).build());
        slowBody("/sync/push", 1000);
        slowBody("/sync/push", 1000);
        await().atMost(Duration.ofSeconds(5)).until(() -> httpGuard().inFlight() == 2);

        HttpResponse<String> busy = get("/rooms/any/snapshot");

        assertThat(busy.statusCode()).isEqualTo(503);
        assertThat(busy.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(busy.body()).contains("\"error\":\"SERVER_BUSY\"");
        assertThat(get("/healthz").statusCode())
                .as("health checks are not budgeted")
                .isEqualTo(200);
    }

    @Test
    void http_pastTheBodyBytesInFlight_gets503() throws Exception {
        start(NodeBudget.builder().maxRequestBodyBytes(3_000_000).build());
        slowBody("/sync/push", 800_000);
        // a body holds its bytes, its text and its parsed form: three times its length
        await().atMost(Duration.ofSeconds(5))
                .until(() -> server.handler().budgets().bodies().used() == 3 * 800_000);

        HttpResponse<String> busy = post("/sync/push", "{\"events\":[]}", 300_000);

        assertThat(busy.statusCode()).isEqualTo(503);
        assertThat(busy.body()).contains("\"error\":\"SERVER_BUSY\"");
        assertThat(post("/sync/push", "{\"events\":[]}", 0).statusCode())
                .as("a small body still fits")
                .isEqualTo(200);
    }

    @Test
    void http_pastTheAddressRate_gets429WithRetryAfter() throws Exception {
        start(NodeBudget.builder().httpRequestRate(1, 3).build());
        for (int i = 0; i < 3; i++) {
            assertThat(get("/rooms/rate/snapshot").statusCode())
                    .as("answered: no such room")
                    .isEqualTo(404);
        }

        HttpResponse<String> limited = get("/rooms/rate/snapshot");

        assertThat(limited.statusCode()).isEqualTo(429);
        assertThat(limited.headers().firstValue("Retry-After")).hasValue("1");
        assertThat(limited.body()).contains("\"error\":\"RATE_LIMITED\"");
        assertThat(get("/healthz").statusCode()).isEqualTo(200);
    }

    // ---- WebSocket byte budgets ----------------------------------------------------------------------------

    @Test
    void chunks_unfinishedSequencesPastTheBudget_areClosedWhileAnotherRoomKeepsGettingAcks() {
        // every client here sends from loopback: the address is not paced, so only the chunk budget acts
        start(NodeBudget.builder()
                .maxChunkBytes(4L << 20)
                .inboundRate(1L << 30, 1L << 30)
                .build());
        WebSocketRecorder writer = clients.join("honest", "w", null);
        WebSocketRecorder reader = clients.join("honest", "r", null);
        long held = 1_040_006; // "31_" + 520,000 × "Ā": 2 bytes a character against the budget, never finished
        String chunk = "31_" + "\u0100".repeat(520_000);
        List<WebSocketRecorder> attackers = new ArrayList<>();
        for (int i = 0; i < 16; i++) {
            WebSocketRecorder a = clients.join("attack", "a" + i, null);
            try {
                a.send(chunk);
            } catch (RuntimeException closedWhileSending) {
                // the server refused the message while its fragments were still arriving
            }
            attackers.add(a);
        }

        // every attacker ends either refused or holding its whole chunk, and the chunks held fit the budget
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            long used = server.handler().budgets().chunks().used();
            long refused =
                    attackers.stream().filter(WebSocketRecorder::isClosed).count();
            return used % held == 0 && refused + used / held == 16;
        });
        long kept = server.handler().budgets().chunks().used() / held;
        assertThat(kept).isBetween(1L, 4L);
        for (WebSocketRecorder a : attackers) {
            if (a.isClosed()) {
                WebSocketRecorder.Closed c;
                try {
                    c = a.awaitClose();
                } catch (java.util.concurrent.CompletionException reset) {
                    continue; // the server closed while the client was still writing: the client saw a reset
                }
                assertThat(c).isEqualTo(new WebSocketRecorder.Closed(TRY_AGAIN_LATER, "server busy"));
            }
        }
        for (int i = 0; i < 5; i++) {
            writer.send(clients.push(note("note:" + i, "still acked")));
            assertThat(awaitPushResult(writer)).isEqualTo("commit");
            SyncClients.awaitPatchWith(reader, "note:" + i);
        }
    }

    @Test
    void outgoing_clientsThatNeverRead_areClosedWhenTheNodeBudgetIsSpent() throws Exception {
        start(NodeBudget.builder().maxQueuedBytes(12L << 20).build());
        WebSocketRecorder builder = clients.join("big", "builder", null);
        for (int i = 0; i < 40; i++) {
            builder.send(clients.push(note("note:" + i, "x".repeat(200_000))));
            assertThat(awaitPushResult(builder)).isEqualTo("commit");
        }
        builder.close();
        // each connect frame is about 8 MB, more than the kernel's socket buffers (4 MB at most) take: a client
        // with a 4 KiB receive buffer that never reads holds the rest queued
        List<RawWebSocket> idle = new ArrayList<>();
        for (int i = 0; i < 4; i++) {
            RawWebSocket c =
                    RawWebSocket.open(server.port(), "127.0.0.1", "/connect/big?sessionId=idle" + i, Map.of(), 4096);
            sockets.add(c);
            c.sendText(TestJson.stringify(SyncClients.connectMessage()));
            idle.add(c);
        }
        await().atMost(Duration.ofSeconds(10)).until(() -> server.handler().connectionCount() < 4);

        RawWebSocket.Frame refused = idle.get(3).readFrame();

        assertThat(refused.opcode()).isEqualTo(8);
        assertThat(refused.closeCode()).isEqualTo(TRY_AGAIN_LATER);
        assertThat(refused.closeReason()).isEqualTo("server busy");
        assertThat(server.handler().budgets().queued().used()).isLessThanOrEqualTo(12L << 20);
        WebSocketRecorder writer = clients.join("small", "w", null);
        WebSocketRecorder reader = clients.join("small", "r", null);
        writer.send(clients.push(note("note:small", "served")));
        assertThat(awaitPushResult(writer)).isEqualTo("commit");
        SyncClients.awaitPatchWith(reader, "note:small");
    }

    @Test
    void deflate_isOffByDefault_andNegotiatedWhenEnabled() throws Exception {
        start(NodeBudget.defaults());
        RawWebSocket plain = RawWebSocket.open(
                server.port(),
                "127.0.0.1",
                "/connect/d?sessionId=d1",
                Map.of("Sec-WebSocket-Extensions", "permessage-deflate"),
                0);
        sockets.add(plain);
        assertThat(plain.status()).isEqualTo(101);
        assertThat(plain.header("Sec-WebSocket-Extensions")).isNull();
        server.close();

        start(NodeBudget.builder().permessageDeflate(true).build());
        RawWebSocket deflated = RawWebSocket.open(
                server.port(),
                "127.0.0.1",
                "/connect/d?sessionId=d2",
                Map.of("Sec-WebSocket-Extensions", "permessage-deflate"),
                0);
        sockets.add(deflated);
        assertThat(deflated.status()).isEqualTo(101);
        assertThat(deflated.header("Sec-WebSocket-Extensions")).contains("permessage-deflate");
    }

    // ---- storage only for writers ------------------------------------------------------------------------

    @Test
    void viewer_leavesNoStoredVersion_whileAWriterDoes() throws Exception {
        start(NodeBudget.defaults());
        WebSocketRecorder writer = clients.join("viewed", "w", null);
        writer.send(clients.push(note("note:w", "written")));
        assertThat(awaitPushResult(writer)).isEqualTo("commit");
        writer.close();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> store.versionsSaved.contains("viewed")
                        && server.ownedRooms().orElseThrow().find("viewed").isEmpty());

        WebSocketRecorder viewer = WebSocketRecorder.connect(clients.uri("ro", "viewed", "v", null));
        Map<String, Object> reply = SyncClients.handshake(viewer);
        assertThat(reply).containsEntry("type", "connect");
        viewer.close();
        await().atMost(Duration.ofSeconds(10))
                .until(() -> server.ownedRooms().orElseThrow().find("viewed").isEmpty());

        assertThat(store.versionsSaved).as("the writer's visit only").containsExactly("viewed");
        assertThat(store.listVersions("viewed").join()).hasSize(1);
    }

    @Test
    void push_fromAReader_storesNoResult_andAnOverlongEventIdGets400() throws Exception {
        start(NodeBudget.defaults(), b -> b.roomAccess((principal, roomId) -> Access.READ_ONLY));
        Map<String, Object> event = new LinkedHashMap<>();
        event.put("id", "e1");
        event.put("roomId", "guarded");
        event.put("recordId", "note:a");
        event.put("typeName", "note");
        event.put("operation", "create");
        event.put("record", note("note:a", "nope"));
        event.put("clientTime", 1_700_000_000_000L);

        HttpResponse<String> refused = post("/sync/push", TestJson.stringify(Map.of("events", List.of(event))), 0);

        assertThat(refused.statusCode()).isEqualTo(200);
        assertThat(refused.body()).contains("\"status\":\"rejected\"").contains("READ_ONLY");
        assertThat(store.eventResults).isEmpty();
        assertThat(server.ownedRooms().orElseThrow().find("guarded"))
                .as("not even loaded")
                .isEmpty();

        event.put("id", "e".repeat(257));
        HttpResponse<String> tooLong = post("/sync/push", TestJson.stringify(Map.of("events", List.of(event))), 0);
        assertThat(tooLong.statusCode()).isEqualTo(400);
        assertThat(tooLong.body())
                .contains("\"error\":\"INVALID_EVENT_ID\"")
                .contains("events[0].id must be at most 256 characters but had 257");
    }

    @Test
    void upload_pastTheClientQuota_gets413_andPastTheNodeQuota_gets507() throws Exception {
        start(
                NodeBudget.builder()
                        .maxUploadBytesPerClient(100)
                        .maxUploadStoreBytes(1000)
                        .build(),
                b -> b.uploadDir(data.resolve("uploads")));
        assertThat(upload("a.png", png(60)).statusCode()).isEqualTo(201);

        HttpResponse<String> overClient = upload("b.png", png(61));

        assertThat(overClient.statusCode()).isEqualTo(413);
        assertThat(overClient.body()).contains("\"error\":\"UPLOAD_QUOTA_EXCEEDED\"");
        try (var files = Files.list(data.resolve("uploads"))) {
            assertThat(files.filter(f -> !f.getFileName().toString().startsWith(".")))
                    .hasSize(1);
        }
        server.close();

        // the objects on disk count against the node's total when the server starts again
        start(
                NodeBudget.builder()
                        .maxUploadBytesPerClient(1000)
                        .maxUploadStoreBytes(100)
                        .build(),
                b -> b.uploadDir(data.resolve("uploads")));
        HttpResponse<String> overNode = upload("c.png", png(50));
        assertThat(overNode.statusCode()).isEqualTo(507);
        assertThat(overNode.body()).contains("\"error\":\"UPLOAD_QUOTA_EXCEEDED\"");
    }

    // ---- helpers ----------------------------------------------------------------------------------------

    private dev.tandem.sync.server.internal.budget.HttpGuard httpGuard() {
        return (dev.tandem.sync.server.internal.budget.HttpGuard)
                server.handler().getHandler();
    }

    @Test
    void inbound_pastTheAddressRate_isPacedNotRefused_whileAnotherAddressIsNot() throws Exception {
        start(NodeBudget.builder().inboundRate(128 << 10, 64 << 10).build());
        RawWebSocket fast = joinRaw("127.0.0.2", "paced", "fast");
        WebSocketRecorder other = clients.join("paced", "other", null);
        SyncClients pushes = new SyncClients(server);
        // 8 pushes of 40,000 characters each: five times the address's 64 KiB burst
        for (int i = 0; i < 8; i++) {
            fast.sendText(TestJson.stringify(pushes.push(note("note:fast" + i, "f".repeat(40_000)))));
        }
        int committed = 0;
        while (committed < 8) {
            RawWebSocket.Frame f = fast.readFrame();
            assertThat(f.opcode())
                    .as("a text frame, not a close: " + f.closeReason())
                    .isIn(0, 1);
            String text = f.text();
            committed += text.split("\"action\":\"commit\"", -1).length - 1;
            assertThat(text).doesNotContain("\"action\":\"discard\"");
        }
        assertThat(server.handler().budgets().pacedReads())
                .as("reads put off for the fast address")
                .isPositive();
        // another address is not slowed: its push commits at once
        other.send(clients.push(note("note:other", "not paced")));
        assertThat(awaitPushResult(other)).isEqualTo("commit");
    }

    private RawWebSocket openRaw(String local, String room, String session) throws IOException {
        RawWebSocket c =
                RawWebSocket.open(server.port(), local, "/connect/" + room + "?sessionId=" + session, Map.of(), 0);
        sockets.add(c);
        assertThat(c.status()).isEqualTo(101);
        return c;
    }

    /** Opens a socket from {@code local} and completes the room handshake. */
    private RawWebSocket joinRaw(String local, String room, String session) throws IOException {
        RawWebSocket c = openRaw(local, room, session);
        c.sendText(TestJson.stringify(SyncClients.connectMessage()));
        RawWebSocket.Frame reply = c.readFrame();
        assertThat(reply.opcode())
                .as("a text frame, not a close: " + reply.closeReason())
                .isEqualTo(1);
        assertThat(reply.text()).contains("\"type\":\"connect\"");
        return c;
    }

    /** Starts a POST whose body declares {@code length} bytes and sends only 10 of them. */
    private void slowBody(String path, int length) throws IOException {
        Socket s = new Socket("127.0.0.1", server.port());
        sockets.add(s);
        OutputStream out = s.getOutputStream();
        out.write(("POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                        + "\r\nContent-Type: application/json\r\nContent-Length: " + length + "\r\n\r\n{\"events\":")
                .getBytes(StandardCharsets.US_ASCII));
        out.flush();
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    /** Posts {@code json} padded with {@code padding} spaces. */
    private HttpResponse<String> post(String path, String json, int padding) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                        .header("Content-Type", "application/json")
                        .POST(HttpRequest.BodyPublishers.ofString(json + " ".repeat(padding)))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> upload(String name, byte[] body) throws Exception {
        return HTTP.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/uploads/" + name))
                        .header("Content-Type", "image/png")
                        .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private static byte[] png(int size) {
        byte[] b = new byte[size];
        for (int i = 0; i < size; i++) {
            b[i] = (byte) (i * 31 + size);
        }
        return b;
    }

    /** A store that records which rooms got versions and which event results were committed. */
    static final class RecordingStore implements RoomStore {
        private final RoomStore delegate;
        final List<String> versionsSaved = new CopyOnWriteArrayList<>();
        final List<EventResult> eventResults = new CopyOnWriteArrayList<>();

        RecordingStore(RoomStore delegate) {
            this.delegate = delegate;
        }

        @Override
        public CompletableFuture<@Nullable RoomSnapshot> load(String roomId) {
            return delegate.load(roomId);
        }

        @Override
        public CompletableFuture<Void> commit(RoomCommit commit) {
            eventResults.addAll(commit.events().values());
            return delegate.commit(commit);
        }

        @Override
        public CompletableFuture<VersionInfo> saveVersion(String roomId, RoomSnapshot snapshot) {
            versionsSaved.add(roomId);
            return delegate.saveVersion(roomId, snapshot);
        }

        @Override
        public CompletableFuture<List<VersionInfo>> listVersions(String roomId) {
            return delegate.listVersions(roomId);
        }

        @Override
        public CompletableFuture<@Nullable RoomSnapshot> loadVersion(String roomId, String versionId) {
            return delegate.loadVersion(roomId, versionId);
        }

        @Override
        public CompletableFuture<Map<String, EventResult>> loadEventResults(String roomId, Collection<String> ids) {
            return delegate.loadEventResults(roomId, ids);
        }

        @Override
        public CompletableFuture<@Nullable String> loadAttribute(String roomId, String key) {
            return delegate.loadAttribute(roomId, key);
        }

        @Override
        public CompletableFuture<Void> saveAttribute(String roomId, String key, @Nullable String value) {
            return delegate.saveAttribute(roomId, key, value);
        }

        @Override
        public StoreHealth health() {
            return delegate.health();
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
