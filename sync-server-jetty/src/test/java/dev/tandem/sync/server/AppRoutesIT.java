package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.RoomStore;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The app routes of a real {@link TandemServer}: read-only snapshot copies, asset uploads and link unfurling. */
class AppRoutesIT {
    private static final String SNAPSHOT = "{\"documentClock\":0,\"documents\":[{\"state\":{\"id\":\"note:a\","
            + "\"typeName\":\"note\",\"text\":\"A\"},\"lastChangedClock\":0}],\"tombstones\":{},"
            + "\"schema\":{\"schemaVersion\":2,\"sequences\":{\"com.example.note\":1}}}";
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1a, '\n', 0, 0, 0, 13, 'I', 'H'};

    private final HttpClient http = HttpClient.newHttpClient();

    @TempDir
    Path data;

    private TandemServer server;
    private RoomStore store;
    private HttpServer page;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (store != null) {
            store.close();
        }
        if (page != null) {
            page.stop(0);
        }
    }

    private void start(boolean unfurlPrivate, long maxUploadBytes) {
        start(unfurlPrivate, maxUploadBytes, ServerLimits.DEFAULTS);
    }

    private void start(boolean unfurlPrivate, long maxUploadBytes, ServerLimits limits) {
        store = RoomStore.inMemory();
        server = TandemServer.builder()
                .port(0)
                .serverLimits(limits)
                .roomOptions(RoomOptions.builder()
                        .schema(RoomSchema.pinned())
                        .store(store)
                        .build())
                .uploadDir(data.resolve("uploads"))
                .maxUploadBytes(maxUploadBytes)
                .unfurl(true, unfurlPrivate)
                .build()
                .start();
    }

    private HttpResponse<String> send(String method, String path, String contentType, byte[] body) throws Exception {
        HttpRequest.Builder b =
                HttpRequest.newBuilder(server.uri().resolve(path)).timeout(Duration.ofSeconds(20));
        if (contentType != null) {
            b.header("Content-Type", contentType);
        }
        b.method(
                method,
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofByteArray(body));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null, null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(HttpResponse<String> response) {
        return (Map<String, Object>) TestJson.parse(response.body());
    }

    @Test
    void postSnapshots_copiesTheRoom_andTheCopyIsReadOnlyOnEveryRoute() throws Exception {
        start(false, 1024);
        assertThat(send("PUT", "/rooms/source/snapshot", "application/json", SNAPSHOT.getBytes(StandardCharsets.UTF_8))
                        .statusCode())
                .isEqualTo(200);

        HttpResponse<String> created = send(
                "POST", "/snapshots", "application/json", "{\"roomId\":\"source\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(created.statusCode()).isEqualTo(201);
        String slug = (String) json(created).get("slug");
        assertThat(slug).matches("[A-Za-z0-9_-]{22}");
        assertThat(json(created)).containsEntry("snapshotOf", "source").containsEntry("path", "/ro/" + slug);
        assertThat(get("/rooms/" + slug + "/snapshot").body()).contains("note:a");
        assertThat(store.loadAttribute(slug, "tandem.readOnlyCopy").get(5, TimeUnit.SECONDS))
                .contains("\"snapshotOf\":\"source\"");

        // a viewer on /ro/{slug}, and even a client on the read-write route, gets a read-only session
        WebSocketRecorder viewer = WebSocketRecorder.connect(ws("/ro/" + slug + "?sessionId=viewer"));
        WebSocketRecorder writer = WebSocketRecorder.connect(ws("/connect/" + slug + "?sessionId=writer"));
        Room copy = server.ownedRooms().orElseThrow().room(slug);
        await().atMost(Duration.ofSeconds(5)).until(() -> copy.sessions().get().size() == 2);
        assertThat(copy.sessions().get()).allMatch(Room.SessionInfo::readOnly);
        // the source room stays writable
        WebSocketRecorder sourceWriter = WebSocketRecorder.connect(ws("/connect/source?sessionId=w"));
        Room source = server.ownedRooms().orElseThrow().room("source");
        await().atMost(Duration.ofSeconds(5))
                .until(() -> source.sessions().get().size() == 1);
        assertThat(source.sessions().get()).noneMatch(Room.SessionInfo::readOnly);
        viewer.close();
        writer.close();
        sourceWriter.close();
    }

    @Test
    void readOnlyCopy_refusesEveryHttpWrite_andKeepsItsContent() throws Exception {
        start(false, 1024);
        assertThat(send("PUT", "/rooms/source/snapshot", "application/json", SNAPSHOT.getBytes(StandardCharsets.UTF_8))
                        .statusCode())
                .isEqualTo(200);
        String slug = (String) json(send(
                        "POST",
                        "/snapshots",
                        "application/json",
                        "{\"roomId\":\"source\"}".getBytes(StandardCharsets.UTF_8)))
                .get("slug");
        String version = server.ownedRooms()
                .orElseThrow()
                .room(slug)
                .saveVersion()
                .get(5, TimeUnit.SECONDS)
                .id();
        String refused = "{\"error\":\"FORBIDDEN\",\"message\":\"room " + slug + " is a read-only copy\"}";

        HttpResponse<String> push = send(
                "POST",
                "/sync/push",
                "application/json",
                ("{\"events\":[{\"id\":\"ev-1\",\"roomId\":\"" + slug + "\",\"recordId\":\"note:http\","
                                + "\"typeName\":\"note\",\"operation\":\"create\",\"record\":{\"id\":\"note:http\","
                                + "\"typeName\":\"note\",\"text\":\"written over HTTP\"},\"clientTime\":1}]}")
                        .getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> put = send(
                "PUT",
                "/rooms/" + slug + "/snapshot",
                "application/json",
                SNAPSHOT.replace("\"A\"", "\"replaced by PUT\"").getBytes(StandardCharsets.UTF_8));
        HttpResponse<String> restore = send("POST", "/rooms/" + slug + "/versions/" + version + "/restore", null, null);

        assertThat(push.statusCode()).as(push.body()).isEqualTo(200);
        @SuppressWarnings("unchecked")
        List<Map<String, Object>> results =
                (List<Map<String, Object>>) json(push).get("results");
        assertThat(results)
                .singleElement()
                .satisfies(r -> assertThat(r)
                        .containsEntry("id", "ev-1")
                        .containsEntry("status", "rejected")
                        .containsEntry("reason", "READ_ONLY"));
        assertThat(put.statusCode()).as(put.body()).isEqualTo(403);
        assertThat(put.body()).isEqualTo(refused);
        assertThat(restore.statusCode()).as(restore.body()).isEqualTo(403);
        assertThat(restore.body()).isEqualTo(refused);
        String copy = get("/rooms/" + slug + "/snapshot").body();
        assertThat(copy).contains("\"text\":\"A\"").doesNotContain("note:http").doesNotContain("replaced by PUT");
        // the source stays writable over HTTP
        assertThat(send("PUT", "/rooms/source/snapshot", "application/json", SNAPSHOT.getBytes(StandardCharsets.UTF_8))
                        .statusCode())
                .isEqualTo(200);
    }

    @Test
    void postSnapshots_badRequests_getJsonErrors() throws Exception {
        start(false, 1024);
        HttpResponse<String> missing = send(
                "POST", "/snapshots", "application/json", "{\"roomId\":\"nope\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(missing.statusCode()).isEqualTo(404);
        assertThat(json(missing)).containsEntry("error", "ROOM_NOT_FOUND");
        HttpResponse<String> bad =
                send("POST", "/snapshots", "application/json", "[1]".getBytes(StandardCharsets.UTF_8));
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(json(bad)).containsEntry("error", "INVALID_JSON");
        HttpResponse<String> badId = send(
                "POST", "/snapshots", "application/json", "{\"roomId\":\"../x\"}".getBytes(StandardCharsets.UTF_8));
        assertThat(json(badId)).containsEntry("error", "INVALID_ROOM_ID");
        assertThat(get("/snapshots").statusCode()).isEqualTo(405);
    }

    @Test
    void uploads_storeContentAddressed_andServeTheBytes() throws Exception {
        start(false, 1024);
        HttpResponse<String> up = send("POST", "/uploads/asset-1-cat.png", "image/png", PNG);
        assertThat(up.statusCode()).isEqualTo(201);
        String sha =
                HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(PNG));
        assertThat(json(up))
                .containsEntry("objectName", sha + ".png")
                .containsEntry("size", PNG.length)
                .containsEntry("contentType", "image/png");
        assertThat(Files.readAllBytes(data.resolve("uploads").resolve(sha + ".png")))
                .isEqualTo(PNG);

        HttpResponse<byte[]> down = http.send(
                HttpRequest.newBuilder(server.uri().resolve("/uploads/" + sha + ".png"))
                        .build(),
                HttpResponse.BodyHandlers.ofByteArray());
        assertThat(down.statusCode()).isEqualTo(200);
        assertThat(down.body()).isEqualTo(PNG);
        assertThat(down.headers().firstValue("content-type")).contains("image/png");
        assertThat(down.headers().firstValue("x-content-type-options")).contains("nosniff");
        // the same bytes again: the same name, one file
        assertThat(json(send("POST", "/uploads/other.png", "image/png", PNG)))
                .containsEntry("objectName", sha + ".png");
        try (var files = Files.list(data.resolve("uploads"))) {
            assertThat(files.toList()).hasSize(1);
        }
    }

    @Test
    void upload_bodyNeverFinished_gets408AndTheConnectionCloses() throws Exception {
        start(
                false,
                1 << 20,
                ServerLimits.builder().bodyTimeout(Duration.ofSeconds(1)).build());
        try (java.net.Socket raw = new java.net.Socket("127.0.0.1", server.port())) {
            raw.setSoTimeout(5_000);
            java.io.OutputStream out = raw.getOutputStream();
            out.write(("POST /uploads/asset-slow.png HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                            + "\r\nContent-Type: image/png\r\nContent-Length: 4000\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(PNG, 0, 8);
            out.flush();
            String response = new String(raw.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertThat(response)
                    .startsWith("HTTP/1.1 408 ")
                    .containsIgnoringCase("connection: close")
                    .contains("{\"error\":\"BODY_TIMEOUT\",\"message\":\"the request body did not arrive within"
                            + " PT1S\"}");
        }
        assertThat(data.resolve("uploads")).isEmptyDirectory();
    }

    @Test
    void uploads_refuseBadTypesSizesAndNames() throws Exception {
        start(false, 16);
        HttpResponse<String> html =
                send("POST", "/uploads/x.html", "text/html", "<script>".getBytes(StandardCharsets.UTF_8));
        assertThat(html.statusCode()).isEqualTo(415);
        assertThat(json(html)).containsEntry("error", "UNSUPPORTED_CONTENT_TYPE");
        HttpResponse<String> big = send("POST", "/uploads/big.png", "image/png", new byte[17]);
        assertThat(big.statusCode()).isEqualTo(413);
        assertThat(json(big))
                .containsEntry("error", "UPLOAD_TOO_LARGE")
                .containsEntry("message", "the upload is larger than the limit of 16 bytes");
        assertThat(send("POST", "/uploads/.hidden", "image/png", PNG).statusCode())
                .isEqualTo(400);
        assertThat(send("POST", "/uploads/a%2F..%2Fb", "image/png", PNG).statusCode())
                .isEqualTo(400);
        // only stored names can be read: no traversal, no partial files
        assertThat(get("/uploads/..%2F..%2Fetc%2Fpasswd").statusCode()).isIn(400, 404);
        assertThat(get("/uploads/" + "0".repeat(64) + ".png").statusCode()).isEqualTo(404);
        if (Files.exists(data.resolve("uploads"))) {
            try (var files = Files.list(data.resolve("uploads"))) {
                assertThat(files.toList())
                        .as("no partial or refused upload is kept")
                        .isEmpty();
            }
        }
    }

    private int servePage() throws IOException {
        page = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        page.createContext("/page", exchange -> {
            byte[] body = ("<html><head><title>Fallback</title>"
                            + "<meta property=\"og:title\" content=\"Tandem &amp; tldraw\">"
                            + "<meta name=\"description\" content=\"A sync engine\">"
                            + "<meta property=\"og:image\" content=\"/img.png\">"
                            + "<link rel=\"icon\" href=\"/favicon.png\"></head><body>hi</body></html>")
                    .getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html; charset=utf-8");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        page.start();
        return page.getAddress().getPort();
    }

    @Test
    void unfurl_withLoopbackAllowed_readsTitleDescriptionImageAndFavicon() throws Exception {
        start(true, 1024);
        int port = servePage();
        String url = "http://127.0.0.1:" + port + "/page";
        HttpResponse<String> r = get("/unfurl?url=" + URLEncoder.encode(url, StandardCharsets.UTF_8));
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(json(r))
                .containsEntry("title", "Tandem & tldraw")
                .containsEntry("description", "A sync engine")
                .containsEntry("image", "http://127.0.0.1:" + port + "/img.png")
                .containsEntry("favicon", "http://127.0.0.1:" + port + "/favicon.png");
    }

    @Test
    void unfurl_byDefault_refusesLoopbackAndNonHttp() throws Exception {
        start(false, 1024);
        int port = servePage();
        for (String url : List.of("http://127.0.0.1:" + port + "/page", "http://localhost:" + port + "/page")) {
            HttpResponse<String> r = get("/unfurl?url=" + URLEncoder.encode(url, StandardCharsets.UTF_8));
            assertThat(r.statusCode()).as(url).isEqualTo(403);
            assertThat(json(r)).containsEntry("error", "ADDRESS_NOT_ALLOWED");
        }
        HttpResponse<String> file =
                get("/unfurl?url=" + URLEncoder.encode("file:///etc/passwd", StandardCharsets.UTF_8));
        assertThat(file.statusCode()).isEqualTo(400);
        assertThat(json(file)).containsEntry("error", "INVALID_URL");
        assertThat(json(get("/unfurl"))).containsEntry("error", "INVALID_URL");
    }

    private URI ws(String pathAndQuery) {
        return URI.create("ws://127.0.0.1:" + server.port() + pathAndQuery);
    }
}
