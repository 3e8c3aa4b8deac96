package dev.tandem.sync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.sync.client.testing.ClientRig;
import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.RoomManager;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.server.TandemServer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** SyncClients over real WebSockets (the JDK transport) against a Tandem Jetty server. */
class SyncClientIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(20);

    private RoomManager rooms;
    private TandemServer server;
    private final List<SyncClient> clients = new ArrayList<>();

    @BeforeEach
    void start() {
        rooms = RoomManager.create(id -> RoomOptions.builder()
                .schema(id.startsWith("strict") ? ClientRig.schema() : dev.tandem.sync.core.RoomSchema.pinned())
                .build());
        server = TandemServer.builder().port(0).rooms(rooms).build().start();
    }

    @AfterEach
    void stop() {
        clients.forEach(SyncClient::close);
        server.close();
        rooms.close();
    }

    private SyncClient client(String room, String sessionId, SyncListener listener) {
        return client(server.uri(), room, sessionId, listener);
    }

    private SyncClient client(java.net.URI base, String room, String sessionId, SyncListener listener) {
        SyncClient c = SyncClient.builder()
                .baseUrl(base)
                .roomId(room)
                .sessionId(sessionId)
                .schema(ClientRig.SCHEMA)
                .listener(listener)
                .backoff(Duration.ofMillis(50), Duration.ofMillis(200))
                .build();
        clients.add(c);
        return c;
    }

    private SyncClient client(String room, String sessionId) {
        return client(room, sessionId, new SyncListener() {});
    }

    static Map<String, Object> shape(String id, long x) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id);
        r.put("typeName", "shape");
        r.put("x", x);
        return r;
    }

    private void awaitConverged(SyncClient... cs) {
        await().atMost(TIMEOUT).untilAsserted(() -> {
            Map<String, Map<String, Object>> first = ClientRig.documents(cs[0]);
            for (SyncClient c : cs) {
                assertThat(c.status()).isEqualTo(SyncStatus.ONLINE);
                assertThat(c.hasUnconfirmedChanges()).isFalse();
                assertThat(ClientRig.documents(c)).isEqualTo(first);
            }
        });
    }

    @Test
    void clients_withRandomConcurrentEdits_converge() {
        SyncClient a = client("r1", "a");
        SyncClient b = client("r1", "b");
        SyncClient c = client("r1", "c");
        await().atMost(TIMEOUT)
                .until(() -> List.of(a, b, c).stream().allMatch(x -> x.status().equals(SyncStatus.ONLINE)));
        Random random = new Random(42);
        List<SyncClient> all = List.of(a, b, c);
        for (int i = 0; i < 300; i++) {
            SyncClient who = all.get(random.nextInt(3));
            String id = "shape:" + random.nextInt(10);
            long x = random.nextInt(1000);
            switch (random.nextInt(4)) {
                case 0 -> who.store().remove(id);
                case 1 -> who.store().put(shape(id, x));
                default -> {
                    if (!who.store().update(id, r -> SyncClientTest.with(r, "x", x))) {
                        who.store().put(shape(id, x));
                    }
                }
            }
        }
        awaitConverged(a, b, c);
    }

    @Test
    void largeRecord_isChunked_andReachesTheOtherClient() {
        SyncClient a = client("r2", "a");
        SyncClient b = client("r2", "b");
        Map<String, Object> big = SyncClientTest.with(shape("shape:big", 1), "blob", "é".repeat(400_000));
        a.store().put(big);
        await().atMost(TIMEOUT).until(() -> b.store().get("shape:big").isPresent());
        assertThat(b.store().get("shape:big").orElseThrow().get("blob")).isEqualTo("é".repeat(400_000));
    }

    @Test
    void rateLimitedSession_surfacesAsErrorWithItsReason() {
        List<SyncStatus> seen = new CopyOnWriteArrayList<>();
        SyncClient a = client("r3", "a", new SyncListener() {
            @Override
            public void onStatusChange(SyncStatus status) {
                seen.add(status);
            }
        });
        await().atMost(TIMEOUT).until(() -> a.status().equals(SyncStatus.ONLINE));
        rooms.room("r3").closeSession("a", CloseReason.RATE_LIMITED).join();
        await().atMost(TIMEOUT).until(() -> a.status().equals(SyncStatus.error("RATE_LIMITED")));
        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(seen)
                        .containsExactly(SyncStatus.CONNECTING, SyncStatus.ONLINE, SyncStatus.error("RATE_LIMITED")));
    }

    @Test
    void newerClientSchema_surfacesAsServerTooOld() {
        SyncClient a = SyncClient.builder()
                .baseUrl(server.uri())
                .roomId("strict-1")
                .schema(Map.of("schemaVersion", 2, "sequences", Map.of("com.example.shape", 9)))
                .build();
        clients.add(a);
        await().atMost(TIMEOUT).until(() -> a.status().equals(SyncStatus.error("SERVER_TOO_OLD")));
    }

    @Test
    void serverClosingTheSession_isRetried_andOfflineEditsArePushed() {
        SyncClient a = client("r4", "a");
        SyncClient b = client("r4", "b");
        await().atMost(TIMEOUT).until(() -> a.status().equals(SyncStatus.ONLINE));
        rooms.room("r4").closeSession("a", null).join();
        a.store().put(shape("shape:offline", 1));
        await().atMost(TIMEOUT).until(() -> b.store().get("shape:offline").isPresent());
        awaitConverged(a, b);
    }

    @Test
    void unreachableServer_staysOffline_andConnectsWhenItComesUp() {
        int port = server.port();
        java.net.URI base = server.uri();
        server.close();
        SyncClient a = client(base, "r5", "a", new SyncListener() {});
        a.store().put(shape("shape:early", 1));
        await().atMost(TIMEOUT).until(() -> a.status().equals(SyncStatus.OFFLINE));
        server = TandemServer.builder().port(port).rooms(rooms).build().start();
        await().atMost(TIMEOUT).until(() -> a.status().equals(SyncStatus.ONLINE) && !a.hasUnconfirmedChanges());
        assertThat(rooms.room("r5").record("shape:early").join()).isNotNull();
    }
}
