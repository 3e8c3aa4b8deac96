package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.store.jdbc.JdbcRoomStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
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
 * A rolling restart of a three-node cluster under steady load: each node in turn gets SIGTERM (it hands its rooms
 * to the other nodes, which load them before it closes their sessions with 1013) and is started again. Clients
 * are spread over the nodes, three rooms with a client on every node each. At the end nothing acknowledged is
 * lost, no push is acknowledged twice, no client got {@code wipe_all} after its first connect, and the longest
 * time a client spent without a working connection is printed (the target is under a second).
 */
class RollingRestartIT {
    private static final String PG = "jdbc:postgresql://127.0.0.1:5432/";
    private static final List<String> ROOMS = List.of("roll-0", "roll-1", "roll-2");

    private String db;
    private String prefix;
    private final List<ServerProcess> nodes = new ArrayList<>();
    private final List<ClusterClient> clients = new ArrayList<>();
    private final Map<ClusterClient, String> roomOf = new HashMap<>();
    private ScheduledExecutorService load;
    private JdbcRoomStore reader;
    private RedisClient redis;
    private StatefulRedisConnection<String, String> redisConnection;

    @BeforeEach
    void setUp() throws Exception {
        String id = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        db = "tandem_roll_" + id;
        prefix = "tandem-roll-" + id;
        try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
        redis = RedisClient.create("redis://127.0.0.1:6379");
        redisConnection = redis.connect();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (load != null) {
            load.shutdownNow();
        }
        clients.forEach(ClusterClient::stop);
        nodes.forEach(ServerProcess::close);
        List<String> keys = redisConnection.sync().keys(prefix + ":*");
        if (!keys.isEmpty()) {
            redisConnection.sync().del(keys.toArray(String[]::new));
        }
        redisConnection.close();
        redis.shutdown();
        if (reader != null) {
            reader.close();
        }
        try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
        }
    }

    @Test
    void sigtermEachNodeInTurn_underLoad_losesNothingAndClientsReconnectAtOnce() throws Exception {
        List<CompletableFuture<ServerProcess>> starting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            int n = i;
            starting.add(CompletableFuture.supplyAsync(() -> startNode(n)));
        }
        for (CompletableFuture<ServerProcess> f : starting) {
            nodes.add(f.get(120, TimeUnit.SECONDS));
        }
        for (int i = 0; i < 9; i++) {
            String room = ROOMS.get(i % 3);
            ClusterClient c = new ClusterClient(
                    "c" + i, room, n -> "ws://127.0.0.1:" + nodes.get(n).port(), 3, (i / 3) % 3);
            clients.add(c);
            roomOf.put(c, room);
            c.start();
        }
        load = Executors.newScheduledThreadPool(2);
        for (ClusterClient c : clients) {
            load.scheduleAtFixedRate(() -> c.pushNext(4), 20, 20, TimeUnit.MILLISECONDS);
        }
        awaitClients(
                "20 acks each", Duration.ofSeconds(60), () -> clients.stream().allMatch(c -> c.ackedCount() >= 20));

        int handedOver = 0;
        for (int i = 0; i < 3; i++) {
            ServerProcess stopping = nodes.get(i);
            assertThat(stopping.terminate())
                    .as("n%d exit code after SIGTERM", i)
                    .isZero();
            handedOver += (int) stopping.output().stream()
                    .filter(l -> l.contains("handed room"))
                    .count();
            assertThat(stopping.output()).noneMatch(l -> l.contains("not handed over"));
            nodes.set(i, startNode(i));
            Map<ClusterClient, Integer> acks = new HashMap<>();
            clients.forEach(c -> acks.put(c, c.ackedCount()));
            awaitClients(
                    "every client pushing again after n" + i + " restarted",
                    Duration.ofSeconds(60),
                    () -> clients.stream().allMatch(c -> c.isConnected() && c.ackedCount() >= acks.get(c) + 10));
        }
        load.shutdownNow();
        convergeAndCheck();

        Duration longest = clients.stream()
                .map(ClusterClient::longestGap)
                .max(Duration::compareTo)
                .orElseThrow();
        Map<Integer, Integer> codes = new HashMap<>();
        clients.forEach(c -> c.closeCodes().forEach((code, n) -> codes.merge(code, n, Integer::sum)));
        System.out.printf(
                "RollingRestartIT: 3 nodes restarted in turn; %d rooms handed over; close codes %s; longest time a"
                        + " client was without a working connection: %d ms; per client: %s%n",
                handedOver,
                codes,
                longest.toMillis(),
                clients.stream().map(c -> c.longestGap().toMillis()).toList());
        assertThat(handedOver).as("rooms handed over by the stopping nodes").isPositive();
        for (ClusterClient c : clients) {
            assertThat(c.wipeAllAfterFirstConnect())
                    .as("%s wipe_all after its first connect", c)
                    .isZero();
            assertThat(c.unexpectedResults())
                    .as("%s push results for no push in flight", c)
                    .isZero();
        }
        assertThat(longest).as("longest disconnection").isLessThan(Duration.ofSeconds(5));
    }

    private ServerProcess startNode(int i) {
        try {
            return ServerProcess.startLight(
                    "--redis-url", "redis://127.0.0.1:6379",
                    "--redis-prefix", prefix,
                    "--node-id", "n" + i,
                    "--lease-ttl", "3s",
                    "--store", "postgres",
                    "--jdbc-url", PG + db,
                    "--jdbc-user", "postgres");
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }

    private void awaitClients(String what, Duration atMost, java.util.concurrent.Callable<Boolean> condition) {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(what + " within " + atMost + "; clients: " + clients, e);
        }
    }

    /**
     * Waits until every client is connected with nothing in flight and sees its room as stored, then checks every
     * acknowledged change is stored and every stored value is one its client pushed.
     */
    private void convergeAndCheck() {
        awaitClients(
                "convergence",
                Duration.ofSeconds(30),
                () -> clients.stream()
                        .allMatch(c -> c.isConnected()
                                && c.inFlight() == 0
                                && c.document().equals(stored(roomOf.get(c)))));
        int acked = 0;
        for (ClusterClient c : clients) {
            Map<String, Long> stored = stored(roomOf.get(c));
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
            acked += c.ackedCount();
        }
        for (String room : ROOMS) {
            assertThat(stored(room)).as(room).hasSize(3 * 4);
        }
        System.out.printf("RollingRestartIT: %d clients converged; %d pushes acknowledged%n", clients.size(), acked);
    }

    private Map<String, Long> stored(String room) {
        if (reader == null) {
            reader = JdbcRoomStore.builder().postgres(PG + db, "postgres", "").build();
        }
        Map<String, Long> out = new HashMap<>();
        RoomSnapshot snapshot = reader.load(room).join();
        if (snapshot != null) {
            for (RoomSnapshot.Document d : snapshot.documents()) {
                out.put((String) d.state().get("id"), ((Number) d.state().get("n")).longValue());
            }
        }
        return out;
    }
}
