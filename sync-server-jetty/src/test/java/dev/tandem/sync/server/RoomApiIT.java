package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.StoreHealth;
import dev.tandem.sync.store.jdbc.JdbcRoomStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The HTTP routes of a real {@link TandemServer} over the in-memory and the SQLite store. */
class RoomApiIT {
    private static final String SNAPSHOT_A = "{\"documentClock\":0,\"documents\":[{\"state\":{\"id\":\"note:a\","
            + "\"typeName\":\"note\",\"text\":\"A\"},\"lastChangedClock\":0}],\"tombstones\":{},"
            + "\"schema\":{\"schemaVersion\":2,\"sequences\":{\"com.example.note\":1}}}";
    private static final String SNAPSHOT_B = "{\"documentClock\":0,\"documents\":[{\"state\":{\"id\":\"note:b\","
            + "\"typeName\":\"note\",\"text\":\"B\"},\"lastChangedClock\":0}],\"tombstones\":{},"
            + "\"schema\":{\"schemaVersion\":2,\"sequences\":{\"com.example.note\":1}}}";

    private final HttpClient http = HttpClient.newHttpClient();
    private final AtomicReference<StoreHealth> health = new AtomicReference<>(StoreHealth.OK);

    @TempDir
    Path data;

    private TandemServer server;
    private RoomStore store;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (store != null) {
            store.close();
        }
    }

    private void start(String kind) {
        start(kind, TandemServer.DEFAULT_MAX_BODY_BYTES);
    }

    private void start(String kind, long maxBodyBytes) {
        start(kind, maxBodyBytes, true);
    }

    /** Starts a server on the kind of store, seen through {@link HealthOverride} if {@code overridable}. */
    private void start(String kind, long maxBodyBytes, boolean overridable) {
        RoomStore real =
                kind.equals("sqlite") ? JdbcRoomStore.builder().sqlite(data).build() : RoomStore.inMemory();
        store = overridable ? new HealthOverride(real, health) : real;
        server = TandemServer.builder()
                .port(0)
                .maxBodyBytes(maxBodyBytes)
                .roomOptions(RoomOptions.builder()
                        .schema(RoomSchema.pinned())
                        .store(store)
                        .batchInterval(Duration.ZERO)
                        .build())
                .build()
                .start();
    }

    private HttpResponse<String> send(String method, String path, String body) throws Exception {
        HttpRequest.BodyPublisher publisher =
                body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body);
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(method, publisher);
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private HttpResponse<String> get(String path) throws Exception {
        return send("GET", path, null);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(HttpResponse<String> r) {
        return (Map<String, Object>) TestJson.parse(r.body());
    }

    private static void assertError(HttpResponse<String> r, int status, String code) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
        assertThat(r.headers().firstValue("content-type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("application/json"));
        assertThat(json(r)).containsEntry("error", code).containsKey("message");
    }

    private WebSocketRecorder liveClient(String room) {
        WebSocketRecorder ws = WebSocketRecorder.connect(
                URI.create("ws://127.0.0.1:" + server.port() + "/connect/" + room + "?sessionId=live"));
        ws.send(Map.of(
                "type",
                "connect",
                "connectRequestId",
                "r1",
                "lastServerClock",
                -1,
                "protocolVersion",
                8,
                "schema",
                Map.of("schemaVersion", 2, "sequences", Map.of("com.example.note", 1))));
        assertThat(ws.nextMessageMatching(m -> "connect".equals(m.get("type"))))
                .containsEntry("hydrationType", "wipe_all");
        return ws;
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> patchOf(Map<String, Object> frame) {
        List<Map<String, Object>> events = (List<Map<String, Object>>) frame.get("data");
        Map<String, Object> patch = events.get(0);
        assertThat(patch).containsEntry("type", "patch");
        return (Map<String, Object>) patch.get("diff");
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite"})
    void healthz_reportsStoreStatus(String kind) throws Exception {
        start(kind);
        HttpResponse<String> ok = get("/healthz");
        assertThat(ok.statusCode()).isEqualTo(200);
        assertThat(json(ok)).containsEntry("status", "ok").containsEntry("store", "ok");

        health.set(StoreHealth.degraded("connection refused"));
        HttpResponse<String> degraded = get("/healthz");
        assertThat(degraded.statusCode()).isEqualTo(503);
        assertThat(json(degraded)).containsEntry("status", "degraded").containsEntry("store", "connection refused");
    }

    @Test
    void storeFailure_is503WithoutTheExceptionsText() throws Exception {
        start("memory");
        health.set(StoreHealth.degraded("down"));

        HttpResponse<String> r = get("/rooms/doc/versions");

        assertError(r, 503, "STORE_UNAVAILABLE");
        assertThat(r.body())
                .doesNotContain("hunter2")
                .doesNotContain("db-internal")
                .doesNotContain("Exception");
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite"})
    void snapshot_putThenGet_roundTripsAndReachesLiveClients(String kind) throws Exception {
        start(kind);
        WebSocketRecorder live = liveClient("doc");

        HttpResponse<String> put = send("PUT", "/rooms/doc/snapshot", SNAPSHOT_A);
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        assertThat(json(put)).containsEntry("roomId", "doc").containsEntry("documentClock", 1);
        assertThat(patchOf(live.nextMessage()))
                .isEqualTo(Map.of("note:a", List.of("put", Map.of("id", "note:a", "typeName", "note", "text", "A"))));

        HttpResponse<String> got = get("/rooms/doc/snapshot");
        assertThat(got.statusCode()).isEqualTo(200);
        Map<String, Object> snapshot = json(got);
        assertThat(snapshot).containsEntry("documentClock", 1);
        assertThat(snapshot.get("documents"))
                .isEqualTo(List.of(Map.of(
                        "state", Map.of("id", "note:a", "typeName", "note", "text", "A"), "lastChangedClock", 1)));
        live.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite"})
    @SuppressWarnings("unchecked")
    void versions_listGetAndRestore(String kind) throws Exception {
        start(kind);
        assertThat(send("PUT", "/rooms/v/snapshot", SNAPSHOT_A).statusCode()).isEqualTo(200);
        String first =
                server.ownedRooms().orElseThrow().room("v").saveVersion().join().id();
        WebSocketRecorder live = liveClient("v");
        assertThat(send("PUT", "/rooms/v/snapshot", SNAPSHOT_B).statusCode()).isEqualTo(200);
        live.nextMessage(); // the PUT's patch

        HttpResponse<String> list = get("/rooms/v/versions");
        assertThat(list.statusCode()).isEqualTo(200);
        List<Map<String, Object>> versions = (List<Map<String, Object>>) TestJson.parse(list.body());
        assertThat(versions).hasSize(1);
        assertThat(versions.get(0))
                .containsEntry("id", first)
                .containsEntry("documentClock", 1)
                .containsKey("createdAt");

        HttpResponse<String> version = get("/rooms/v/versions/" + first);
        assertThat(version.statusCode()).isEqualTo(200);
        assertThat(json(version).get("documents").toString()).contains("note:a").doesNotContain("note:b");

        HttpResponse<String> restored = send("POST", "/rooms/v/versions/" + first + "/restore", null);
        assertThat(restored.statusCode()).as(restored.body()).isEqualTo(200);
        assertThat(json(restored)).containsEntry("restoredFrom", first).containsEntry("documentClock", 3);
        assertThat(patchOf(live.nextMessage()))
                .containsEntry("note:a", List.of("put", Map.of("id", "note:a", "typeName", "note", "text", "A")))
                .containsEntry("note:b", List.of("remove"));

        Map<String, Object> now =
                (Map<String, Object>) TestJson.parse(get("/rooms/v/snapshot").body());
        assertThat(now.get("documents").toString()).contains("note:a").doesNotContain("note:b");
        assertThat(now.get("tombstones")).isEqualTo(Map.of("note:b", 3));
        List<Map<String, Object>> after = (List<Map<String, Object>>)
                TestJson.parse(get("/rooms/v/versions").body());
        assertThat(after).hasSize(2);
        assertThat(after.get(0)).containsEntry("documentClock", 3);
        assertThat(after.get(1)).containsEntry("id", first);
        live.close();
    }

    @ParameterizedTest
    @ValueSource(strings = {"memory", "sqlite"})
    void metrics_areServedInPrometheusText(String kind) throws Exception {
        start(kind, TandemServer.DEFAULT_MAX_BODY_BYTES, false); // the JDBC store itself, for its own meters
        WebSocketRecorder live = liveClient("m");
        assertThat(send("PUT", "/rooms/m/snapshot", SNAPSHOT_A).statusCode()).isEqualTo(200);
        HttpResponse<String> r = get("/metrics");
        assertThat(r.statusCode()).isEqualTo(200);
        assertThat(r.headers().firstValue("content-type"))
                .hasValueSatisfying(v -> assertThat(v).startsWith("text/plain"));
        assertThat(r.body())
                .contains("tandem_sessions 1.0")
                .contains("tandem_rooms_loaded 1.0")
                .contains("tandem_websocket_connections 1.0")
                .contains("tandem_websocket_queued_bytes")
                .contains("tandem_budget_chunk_bytes 0.0")
                .contains("tandem_sessions_connected_total 1.0")
                .contains("tandem_sessions_rejected_total{reason=\"ROOM_FULL\"} 0.0")
                .contains("tandem_commits_total 1.0")
                .contains("tandem_records_changed_total 1.0")
                .contains("tandem_persist_latency_seconds_count 1")
                .contains("tandem_persist_latency_seconds_bucket{le=\"5.0\"} 1")
                .contains("tandem_commit_failures_total 0.0")
                .contains("tandem_slow_consumers_total 0.0")
                .contains("tandem_room_loads_total 1.0")
                .contains("tandem_store_healthy 1.0")
                .contains("jvm_memory_used_bytes");
        if (kind.equals("sqlite")) {
            // the replaced snapshot was written before the PUT answered
            assertThat(r.body())
                    .contains("tandem_store_queued_writes 0.0")
                    .containsPattern("(?m)^tandem_store_transactions_total [1-9]")
                    .containsPattern("(?m)^tandem_store_commits_total [1-9]")
                    .contains("tandem_store_failed_transactions_total 0.0");
        } else {
            assertThat(r.body()).doesNotContain("tandem_store_transactions_total");
        }
        live.close();
    }

    @Test
    void snapshot_putOfARecordAPushWouldRefuse_is422AndChangesNothing() throws Exception {
        start("memory");
        assertThat(send("PUT", "/rooms/checked/snapshot", SNAPSHOT_A).statusCode())
                .isEqualTo(200);
        String before = get("/rooms/checked/snapshot").body();
        HttpResponse<String> noType =
                send("PUT", "/rooms/checked/snapshot", SNAPSHOT_A.replace("\"typeName\":\"note\",", ""));
        assertError(noType, 422, "INVALID_RECORD");
        assertThat(json(noType)).containsEntry("message", "record note:a has no typeName");
        assertThat(get("/rooms/checked/snapshot").body()).isEqualTo(before);
    }

    @Test
    void errors_areJsonWithStatusAndCode() throws Exception {
        start("memory", 1024);
        assertError(send("PUT", "/rooms/e/snapshot", "{not json"), 400, "INVALID_SNAPSHOT");
        assertError(send("PUT", "/rooms/e/snapshot", "[]"), 400, "INVALID_SNAPSHOT");
        HttpResponse<String> tooLarge = send("PUT", "/rooms/e/snapshot", "x".repeat(2000));
        assertError(tooLarge, 413, "BODY_TOO_LARGE");
        assertThat(json(tooLarge)).containsEntry("message", "the request body is larger than the limit of 1024 bytes");
        assertError(get("/rooms/never/snapshot"), 404, "ROOM_NOT_FOUND");
        assertError(get("/rooms/e/versions/nope"), 404, "VERSION_NOT_FOUND");
        assertError(send("POST", "/rooms/e/versions/nope/restore", null), 404, "VERSION_NOT_FOUND");
        assertError(get("/rooms/bad%20id/snapshot"), 400, "INVALID_ROOM_ID");
        assertError(send("DELETE", "/rooms/e/snapshot", null), 405, "METHOD_NOT_ALLOWED");
        assertError(send("POST", "/healthz", null), 405, "METHOD_NOT_ALLOWED");
        assertError(get("/rooms/e/other"), 404, "NOT_FOUND");
        assertError(get("/nowhere"), 404, "NOT_FOUND");
    }

    /** A store whose health the test sets. */
    private record HealthOverride(RoomStore delegate, AtomicReference<StoreHealth> override) implements RoomStore {
        @Override
        public java.util.concurrent.CompletableFuture<dev.tandem.sync.core.RoomSnapshot> load(String roomId) {
            return delegate.load(roomId);
        }

        @Override
        public java.util.concurrent.CompletableFuture<Void> commit(dev.tandem.sync.core.RoomCommit commit) {
            return delegate.commit(commit);
        }

        @Override
        public java.util.concurrent.CompletableFuture<dev.tandem.sync.core.VersionInfo> saveVersion(
                String roomId, dev.tandem.sync.core.RoomSnapshot snapshot) {
            return delegate.saveVersion(roomId, snapshot);
        }

        /** While the test's health is degraded, fails with a message that must never reach a client. */
        @Override
        public java.util.concurrent.CompletableFuture<List<dev.tandem.sync.core.VersionInfo>> listVersions(
                String roomId) {
            if (!override.get().healthy()) {
                return java.util.concurrent.CompletableFuture.failedFuture(
                        new IllegalStateException("connect to db-internal:5432 as tandem/hunter2 failed"));
            }
            return delegate.listVersions(roomId);
        }

        @Override
        public java.util.concurrent.CompletableFuture<dev.tandem.sync.core.RoomSnapshot> loadVersion(
                String roomId, String versionId) {
            return delegate.loadVersion(roomId, versionId);
        }

        @Override
        public StoreHealth health() {
            StoreHealth h = override.get();
            return h.healthy() ? delegate.health() : h;
        }

        @Override
        public void close() {
            delegate.close();
        }
    }
}
