package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.store.jdbc.JdbcRoomStore;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three server processes on Redis through Sentinels ({@code redis-sentinel://…#mymaster}): a master, a replica
 * and three Sentinels started by the test ({@link RedisSentinels}). The master is killed under load; the
 * Sentinels promote the replica, the nodes follow it by themselves, and every client is served again within the
 * lease time with nothing acknowledged lost.
 */
class RedisFailoverIT {
    private static final String PG = "jdbc:postgresql://127.0.0.1:5432/";
    private static final String ROOM = "failover-room";
    private static final Duration LEASE = Duration.ofSeconds(6);

    private String db;
    private RedisSentinels redis;
    private final List<ServerProcess> nodes = new ArrayList<>();
    private final List<ClusterClient> clients = new ArrayList<>();
    private ScheduledExecutorService load;
    private JdbcRoomStore reader;

    @BeforeEach
    void setUp() throws Exception {
        db = "tandem_failover_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
        redis = new RedisSentinels();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (load != null) {
            load.shutdownNow();
        }
        clients.forEach(ClusterClient::stop);
        nodes.forEach(ServerProcess::close);
        if (redis != null) {
            redis.close();
        }
        if (reader != null) {
            reader.close();
        }
        try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    @Test
    void masterKilled_underLoad_nodesFollowThePromotedReplica_andLoseNothingAcknowledged() throws Exception {
        List<CompletableFuture<ServerProcess>> starting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String nodeId = "n" + i;
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return ServerProcess.startLight(
                            "--redis-url",
                            redis.uri(),
                            "--node-id",
                            nodeId,
                            "--lease-ttl",
                            LEASE.toSeconds() + "s",
                            "--store",
                            "postgres",
                            "--jdbc-url",
                            PG + db,
                            "--jdbc-user",
                            "postgres");
                } catch (Exception e) {
                    throw new IllegalStateException(e);
                }
            }));
        }
        for (CompletableFuture<ServerProcess> f : starting) {
            nodes.add(f.get(120, TimeUnit.SECONDS));
        }
        for (int i = 0; i < 6; i++) {
            ClusterClient c = new ClusterClient(
                    "c" + i, ROOM, n -> "ws://127.0.0.1:" + nodes.get(n).port(), 3, i % 3);
            clients.add(c);
            c.start();
        }
        load = Executors.newScheduledThreadPool(2);
        for (ClusterClient c : clients) {
            load.scheduleAtFixedRate(() -> c.pushNext(4), 20, 20, TimeUnit.MILLISECONDS);
        }
        awaitClients(
                "20 acks each", Duration.ofSeconds(60), () -> clients.stream().allMatch(c -> c.ackedCount() >= 20));

        Map<ClusterClient, Integer> acks = new HashMap<>();
        clients.forEach(c -> acks.put(c, c.ackedCount()));
        long killedAt = System.nanoTime();
        redis.killMaster();
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> redis.currentMasterPort() == redis.replicaPort());
        long promoted = (System.nanoTime() - killedAt) / 1_000_000;
        awaitClients(
                "every client pushing again after the fail-over",
                Duration.ofSeconds(30),
                () -> clients.stream().allMatch(c -> c.isConnected() && c.ackedCount() >= acks.get(c) + 10));
        long recovered = (System.nanoTime() - killedAt) / 1_000_000;
        assertThat(nodes).allMatch(ServerProcess::isAlive);
        // every node reconnected by itself to the promoted replica, found through the Sentinels
        for (ServerProcess node : nodes) {
            await().atMost(Duration.ofSeconds(20))
                    .pollInterval(Duration.ofMillis(100))
                    .until(() -> node.output().stream()
                            .anyMatch(
                                    l -> l.contains("connected to Redis at") && l.contains(":" + redis.replicaPort())));
        }
        convergeAndCheck();
        System.out.printf(
                "RedisFailoverIT: master killed; replica promoted by the Sentinels after %d ms; every client pushing"
                        + " again after %d ms (lease %s)%n",
                promoted, recovered, LEASE);
        assertThat(recovered)
                .as("clients served again within the lease time after the promotion")
                .isLessThan(promoted + LEASE.toMillis());
    }

    private void awaitClients(String what, Duration atMost, java.util.concurrent.Callable<Boolean> condition) {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(what + " within " + atMost + "; clients: " + clients, e);
        }
    }

    private void convergeAndCheck() {
        load.shutdownNow();
        awaitClients("convergence", Duration.ofSeconds(30), () -> {
            Map<String, Long> stored = stored();
            return clients.stream()
                    .allMatch(c ->
                            c.isConnected() && c.inFlight() == 0 && c.document().equals(stored));
        });
        Map<String, Long> stored = stored();
        for (ClusterClient c : clients) {
            for (Map.Entry<String, Long> a : c.acked().entrySet()) {
                assertThat(stored.get(a.getKey()))
                        .as("%s acknowledged at n=%d", a.getKey(), a.getValue())
                        .isNotNull()
                        .isGreaterThanOrEqualTo(a.getValue());
            }
            for (Map.Entry<String, List<Long>> s : c.sent().entrySet()) {
                Long value = stored.get(s.getKey());
                if (value != null) {
                    assertThat(s.getValue())
                            .as("%s holds a value its client pushed", s.getKey())
                            .contains(value);
                }
            }
            assertThat(c.unexpectedResults()).isZero();
        }
        assertThat(stored).hasSize(clients.size() * 4);
    }

    private Map<String, Long> stored() {
        if (reader == null) {
            reader = JdbcRoomStore.builder().postgres(PG + db, "postgres", "").build();
        }
        Map<String, Long> out = new HashMap<>();
        RoomSnapshot room = reader.load(ROOM).join();
        if (room != null) {
            for (RoomSnapshot.Document d : room.documents()) {
                out.put((String) d.state().get("id"), ((Number) d.state().get("n")).longValue());
            }
        }
        return out;
    }
}
