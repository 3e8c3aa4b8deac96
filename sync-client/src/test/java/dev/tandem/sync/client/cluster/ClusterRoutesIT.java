package dev.tandem.sync.client.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.sync.client.SyncWorker;
import dev.tandem.sync.core.Json;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Three standalone server processes as one cluster (local Redis, a PostgreSQL database the test creates), with JWT
 * authentication: the room HTTP API, the policy API and offline {@link SyncWorker}s work through every node,
 * whichever node owns the room. Redis keys use a random prefix and are deleted afterwards, as is the database.
 */
class ClusterRoutesIT {
    private static final String PG = "jdbc:postgresql://127.0.0.1:5432/";
    private static final String SECRET = "0123456789abcdef0123456789abcdef";
    private static final String SNAPSHOT_A = "{\"documentClock\":0,\"documents\":[{\"state\":{\"id\":\"note:a\","
            + "\"typeName\":\"note\",\"text\":\"A\"},\"lastChangedClock\":0}],\"tombstones\":{},"
            + "\"schema\":{\"schemaVersion\":2,\"sequences\":{\"com.example.note\":1}}}";
    private static final String SNAPSHOT_B = "{\"documentClock\":0,\"documents\":[{\"state\":{\"id\":\"note:b\","
            + "\"typeName\":\"note\",\"text\":\"B\"},\"lastChangedClock\":0}],\"tombstones\":{},"
            + "\"schema\":{\"schemaVersion\":2,\"sequences\":{\"com.example.note\":1}}}";

    @TempDir
    Path tmp;

    private final HttpClient http = HttpClient.newHttpClient();
    private final List<NodeProcess> nodes = new ArrayList<>();
    private final List<SyncWorker> workers = new ArrayList<>();
    private String db;
    private String prefix;
    private RedisClient redis;
    private StatefulRedisConnection<String, String> redisConnection;

    @BeforeEach
    void setUp() throws Exception {
        String id = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        db = "tandem_routes_" + id;
        prefix = "tandem-routes-" + id;
        try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
        redis = RedisClient.create("redis://127.0.0.1:6379");
        redisConnection = redis.connect();
        List<CompletableFuture<NodeProcess>> starting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String nodeId = "n" + i;
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return new NodeProcess(List.of(
                            "--schema", "pinned",
                            "--redis-url", "redis://127.0.0.1:6379",
                            "--redis-prefix", prefix,
                            "--node-id", nodeId,
                            "--lease-ttl", "3s",
                            "--version-interval", "1s",
                            "--store", "postgres",
                            "--jdbc-url", PG + db,
                            "--jdbc-user", "postgres",
                            "--jwt-secret", SECRET));
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<NodeProcess> f : starting) {
            nodes.add(f.get(120, TimeUnit.SECONDS));
        }
    }

    @AfterEach
    void tearDown() throws Exception {
        workers.forEach(SyncWorker::close);
        nodes.forEach(NodeProcess::close);
        List<String> keys = redisConnection.sync().keys(prefix + ":*");
        if (!keys.isEmpty()) {
            redisConnection.sync().del(keys.toArray(String[]::new));
        }
        redisConnection.close();
        redis.shutdown();
        try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    @Test
    void roomApi_snapshotVersionsAndRestore_workThroughEveryNode() throws Exception {
        String alice = token("alice");
        // the first write takes the room on the node it reached; the others relay to it
        assertThat(send(0, "PUT", "/rooms/api/snapshot", alice, SNAPSHOT_A).statusCode())
                .isEqualTo(200);
        int owner = owner("api");
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> got = send(i, "GET", "/rooms/api/snapshot", alice, null);
            assertThat(got.statusCode()).as("GET snapshot on n%d", i).isEqualTo(200);
            assertThat(got.body()).contains("note:a");
        }
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(200))
                .until(() -> !versions(2, alice).isEmpty());
        String first = (String) versions(2, alice).get(0).get("id");

        // a write through a node that does not own the room runs on the owner
        int other = (owner + 1) % 3;
        HttpResponse<String> put = send(other, "PUT", "/rooms/api/snapshot", alice, SNAPSHOT_B);
        assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
        assertThat(owner("api")).as("the room did not move").isEqualTo(owner);
        for (int i = 0; i < 3; i++) {
            assertThat(send(i, "GET", "/rooms/api/snapshot", alice, null).body())
                    .as("n%d", i)
                    .contains("\"id\":\"note:b\"")
                    .doesNotContain("\"id\":\"note:a\"");
        }

        int third = (owner + 2) % 3;
        HttpResponse<String> restored = send(third, "POST", "/rooms/api/versions/" + first + "/restore", alice, null);
        assertThat(restored.statusCode()).as(restored.body()).isEqualTo(200);
        assertThat(json(restored)).containsEntry("restoredFrom", first);
        for (int i = 0; i < 3; i++) {
            assertThat(send(i, "GET", "/rooms/api/snapshot", alice, null).body())
                    .as("n%d after the restore", i)
                    .contains("\"id\":\"note:a\"")
                    .doesNotContain("\"id\":\"note:b\"");
        }
        assertThat(owner("api")).isEqualTo(owner);
    }

    @Test
    void policyApi_claimAndCheck_workThroughEveryNode() throws Exception {
        String alice = token("alice");
        String bob = token("bob");
        HttpResponse<String> claimed = send(1, "PUT", "/rooms/private/policy", alice, "{\"shared\":false}");
        assertThat(claimed.statusCode()).as(claimed.body()).isEqualTo(200);
        assertThat(send(0, "PUT", "/rooms/private/snapshot", alice, SNAPSHOT_A).statusCode())
                .isEqualTo(200);
        for (int i = 0; i < 3; i++) {
            HttpResponse<String> policy = send(i, "GET", "/rooms/private/policy", alice, null);
            assertThat(policy.statusCode()).as("GET policy on n%d", i).isEqualTo(200);
            assertThat(json(policy)).containsEntry("owner", "alice").containsEntry("shared", false);
            assertThat(send(i, "GET", "/rooms/private/snapshot", bob, null).statusCode())
                    .as("bob on n%d", i)
                    .isEqualTo(403);
            assertThat(send(i, "GET", "/rooms/private/snapshot", alice, null).body())
                    .as("alice on n%d", i)
                    .contains("note:a");
        }
        // a policy change through a node that does not own the room re-decides the owner's sessions
        int changer = (owner("private") + 1) % 3;
        HttpResponse<String> shared =
                send(changer, "PUT", "/rooms/private/policy", alice, "{\"shared\":true,\"linkType\":\"view\"}");
        assertThat(shared.statusCode()).as(shared.body()).isEqualTo(200);
        assertThat(send(changer, "GET", "/rooms/private/snapshot", bob, null).statusCode())
                .isEqualTo(200);
    }

    @Test
    void offlineWorkers_onEveryNode_pushAndPullEveryRoom() throws Exception {
        List<String> rooms = List.of("offline-0", "offline-1", "offline-2");
        int perWorker = 10;
        // room i is taken by node i (its first write lands there): each worker's other two rooms are relayed
        for (int i = 0; i < 3; i++) {
            assertThat(send(i, "PUT", "/rooms/" + rooms.get(i) + "/snapshot", token("admin"), SNAPSHOT_A)
                            .statusCode())
                    .isEqualTo(200);
        }
        for (int w = 0; w < 3; w++) {
            SyncWorker worker = SyncWorker.builder()
                    .baseUrl(URI.create(nodes.get(w).http() + "/"))
                    .headers(Map.of("Authorization", "Bearer " + token("worker-" + w)))
                    .directory(tmp.resolve("w" + w))
                    .rooms(rooms)
                    .interval(Duration.ofMillis(50))
                    .backoff(Duration.ofMillis(50), Duration.ofMillis(500))
                    .build();
            workers.add(worker);
            for (int k = 0; k < perWorker; k++) {
                for (String room : rooms) {
                    Map<String, Object> record = new LinkedHashMap<>();
                    record.put("id", "note:w" + w + "-" + k);
                    record.put("typeName", "note");
                    record.put("text", "from worker " + w);
                    worker.create(room, record);
                }
            }
        }
        workers.forEach(SyncWorker::start);
        // every worker's outbox drains (every event applied, none rejected) and each sees every worker's records
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofMillis(200))
                .untilAsserted(() -> {
                    for (SyncWorker worker : workers) {
                        assertThat(worker.pending()).isEmpty();
                        assertThat(worker.failed()).isEmpty();
                        for (String room : rooms) {
                            assertThat(worker.store().recordIds(room)).hasSize(3 * perWorker + 1);
                        }
                    }
                });
        for (int i = 0; i < 3; i++) {
            assertThat(owner(rooms.get(i))).as("the rooms did not move").isEqualTo(i);
        }
        for (String room : rooms) {
            for (int i = 0; i < 3; i++) {
                assertThat(send(i, "GET", "/rooms/" + room + "/snapshot", token("reader"), null)
                                .body())
                        .contains("note:w0-" + (perWorker - 1), "note:w1-0", "note:w2-5");
            }
        }
    }

    // ---- helpers ------------------------------------------------------------------------------------

    private int owner(String room) {
        String holder = redisConnection.sync().get(prefix + ":lease:" + room);
        assertThat(holder).as("owner of %s", room).isNotNull();
        return Integer.parseInt(holder.substring(1));
    }

    @SuppressWarnings("unchecked")
    private List<Map<String, Object>> versions(int node, String token) throws Exception {
        HttpResponse<String> r = send(node, "GET", "/rooms/api/versions", token, null);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        return (List<Map<String, Object>>) Json.parse(r.body());
    }

    private HttpResponse<String> send(int node, String method, String path, String token, @Nullable String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(
                        URI.create(nodes.get(node).http() + path))
                .timeout(Duration.ofSeconds(30))
                .header("Authorization", "Bearer " + token);
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        b.method(
                method,
                body == null
                        ? HttpRequest.BodyPublishers.noBody()
                        : HttpRequest.BodyPublishers.ofString(body, StandardCharsets.UTF_8));
        return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> json(HttpResponse<String> r) {
        return (Map<String, Object>) Json.parse(r.body());
    }

    /** An HS256 token for {@code sub}, valid for an hour. */
    private static String token(String sub) throws Exception {
        Base64.Encoder b64 = Base64.getUrlEncoder().withoutPadding();
        String header = b64.encodeToString("{\"alg\":\"HS256\",\"typ\":\"JWT\"}".getBytes(StandardCharsets.UTF_8));
        long exp = System.currentTimeMillis() / 1000 + 3600;
        String payload =
                b64.encodeToString(("{\"sub\":\"" + sub + "\",\"exp\":" + exp + "}").getBytes(StandardCharsets.UTF_8));
        Mac mac = Mac.getInstance("HmacSHA256");
        mac.init(new SecretKeySpec(SECRET.getBytes(StandardCharsets.UTF_8), "HmacSHA256"));
        String signature = b64.encodeToString(mac.doFinal((header + "." + payload).getBytes(StandardCharsets.UTF_8)));
        return header + "." + payload + "." + signature;
    }
}
