package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.store.jdbc.JdbcRoomStore;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
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
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Three standalone server processes on 127.0.0.1 as one cluster on the local Redis and a PostgreSQL database
 * the test creates, with clients spread over the nodes in one room. Each test checks convergence: every client's
 * view equals the stored document, every acknowledged change is stored, and every stored value is one its client
 * pushed. Redis keys use a random prefix and are deleted afterwards, as is the database.
 *
 * <p>The Redis outage is simulated with a TCP proxy in front of the machine's Redis ({@link TcpProxy}), cut and
 * restored, since the machine's Redis is shared and restarting it would disturb other users.
 */
class ClusterIT {
    private static final String PG = "jdbc:postgresql://127.0.0.1:5432/";
    private static final int REDIS_PORT = 6379;
    private static final String ROOM = "shared-room";
    private static final int CLIENTS = 6;
    private static final Pattern RELAYED_IN =
            Pattern.compile("tandem_cluster_sessions\\{kind=\"relayed_in\"\\S*\\s+([0-9.]+)");

    private String db;
    private String prefix;
    private final List<ServerProcess> nodes = new ArrayList<>();
    private final List<ClusterClient> clients = new ArrayList<>();
    private ScheduledExecutorService load;
    private JdbcRoomStore reader;
    private RedisClient redis;
    private StatefulRedisConnection<String, String> redisConnection;
    private TcpProxy proxy;

    @BeforeEach
    void setUp() throws Exception {
        String id = Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        db = "tandem_cluster_" + id;
        prefix = "tandem-it-" + id;
        try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
        redis = RedisClient.create("redis://127.0.0.1:" + REDIS_PORT);
        redisConnection = redis.connect();
    }

    @AfterEach
    void tearDown() throws Exception {
        if (load != null) {
            load.shutdownNow();
        }
        clients.forEach(ClusterClient::stop);
        nodes.forEach(ServerProcess::close);
        if (proxy != null) {
            proxy.close();
        }
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
    void clientsOnThreeNodes_oneRoom_converge() throws Exception {
        startNodes(REDIS_PORT, "5s");
        startClients();
        startLoad();
        awaitClients(
                "25 acks each", Duration.ofSeconds(30), () -> clients.stream().allMatch(c -> c.ackedCount() >= 25));
        int owner = owner();
        // one node runs the room; the clients on the other two are relayed to it
        assertThat(relayedIn(nodes.get(owner)))
                .isEqualTo(clients.stream().filter(c -> c.node() != owner).count());
        for (int i = 0; i < nodes.size(); i++) {
            if (i != owner) {
                assertThat(relayedIn(nodes.get(i))).isZero();
            }
        }
        convergeAndCheck();
    }

    @Test
    void kill9Owner_underLoad_everyClientReconnectsAndConverges() throws Exception {
        startNodes(REDIS_PORT, "3s");
        startClients();
        startLoad();
        awaitClients(
                "20 acks each", Duration.ofSeconds(30), () -> clients.stream().allMatch(c -> c.ackedCount() >= 20));
        int owner = owner();
        Map<ClusterClient, Integer> acksAtKill = new HashMap<>();
        Map<ClusterClient, Integer> connectsAtKill = new HashMap<>();
        clients.forEach(c -> {
            acksAtKill.put(c, c.ackedCount());
            connectsAtKill.put(c, c.connects());
        });
        long killedAt = System.nanoTime();
        nodes.get(owner).kill();
        // every client was closed (directly or when its relay broke), reconnected and is pushing again
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> clients.stream()
                        .allMatch(c -> c.connects() > connectsAtKill.get(c)
                                && c.isConnected()
                                && c.ackedCount() >= acksAtKill.get(c) + 5));
        long recovered = (System.nanoTime() - killedAt) / 1_000_000;
        assertThat(owner()).isNotEqualTo(owner);
        convergeAndCheck();
        System.out.printf(
                "ClusterIT kill -9: owner n%d killed; every client reconnected and pushing again after %d ms,"
                        + " converged after %d ms%n",
                owner, recovered, (System.nanoTime() - killedAt) / 1_000_000);
        assertThat((System.nanoTime() - killedAt) / 1_000_000).isLessThan(15_000);
    }

    @Test
    void sigstopOwner_pastItsLease_staleOwnerIsFencedAndHistoryDoesNotDiverge() throws Exception {
        startNodes(REDIS_PORT, "2s");
        startClients();
        startLoad();
        awaitClients(
                "20 acks each", Duration.ofSeconds(30), () -> clients.stream().allMatch(c -> c.ackedCount() >= 20));
        int owner = owner();
        ServerProcess paused = nodes.get(owner);
        paused.signal("STOP");
        try {
            // the lease expires; another node takes the room and the clients not on the paused node go on
            await().atMost(Duration.ofSeconds(15))
                    .pollInterval(Duration.ofMillis(50))
                    .until(() -> {
                        Integer o = ownerOrNull();
                        return o != null && o != owner;
                    });
            Map<ClusterClient, Integer> acks = new HashMap<>();
            clients.forEach(c -> acks.put(c, c.ackedCount()));
            awaitClients(
                    "clients off the paused node progress",
                    Duration.ofSeconds(15),
                    () -> clients.stream()
                            .filter(c -> c.node() != owner)
                            .allMatch(c -> c.ackedCount() >= acks.get(c) + 10));
        } finally {
            paused.signal("CONT");
        }
        // the stale owner stops at once; its own clients reconnect elsewhere
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> paused.output().stream().anyMatch(l -> l.contains("stops serving room " + ROOM)));
        Map<ClusterClient, Integer> acks = new HashMap<>();
        clients.forEach(c -> acks.put(c, c.ackedCount()));
        awaitClients(
                "every client progresses after SIGCONT",
                Duration.ofSeconds(15),
                () -> clients.stream().allMatch(c -> c.isConnected() && c.ackedCount() >= acks.get(c) + 5));
        convergeAndCheck();
        System.out.printf(
                "ClusterIT SIGSTOP: stale owner n%d log: %s%n",
                owner,
                paused.output().stream()
                        .filter(l -> l.contains("stops serving") || l.contains("stale owner"))
                        .toList());
    }

    @Test
    void redisOutage_midLoad_ownerKeepsServingLocalClients_andClusterRecovers() throws Exception {
        proxy = new TcpProxy(REDIS_PORT);
        startNodes(proxy.port(), "6s");
        startClients();
        startLoad();
        awaitClients(
                "20 acks each", Duration.ofSeconds(30), () -> clients.stream().allMatch(c -> c.ackedCount() >= 20));
        int owner = owner();
        List<ClusterClient> local =
                clients.stream().filter(c -> c.node() == owner).toList();
        Map<ClusterClient, Integer> acks = new HashMap<>();
        clients.forEach(c -> acks.put(c, c.ackedCount()));
        proxy.cut();
        try {
            // the owner's lease is still valid by its clock: its local clients keep being served
            await().atMost(Duration.ofSeconds(4))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> local.stream().allMatch(c -> c.ackedCount() >= acks.get(c) + 20));
            assertThat(nodes.get(owner).output()).anyMatch(l -> l.contains("lost Redis"));
        } finally {
            proxy.restore();
        }
        Map<ClusterClient, Integer> after = new HashMap<>();
        clients.forEach(c -> after.put(c, c.ackedCount()));
        await().atMost(Duration.ofSeconds(20))
                .pollInterval(Duration.ofMillis(50))
                .until(() -> clients.stream().allMatch(c -> c.isConnected() && c.ackedCount() >= after.get(c) + 10));
        assertThat(nodes.stream().allMatch(ServerProcess::isAlive)).isTrue();
        convergeAndCheck();
    }

    // ---- helpers ------------------------------------------------------------------------------------

    /** Waits for a condition, and on timeout fails with every client's state. */
    private void awaitClients(String what, Duration atMost, java.util.concurrent.Callable<Boolean> condition) {
        try {
            await().atMost(atMost).pollInterval(Duration.ofMillis(50)).until(condition);
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            throw new AssertionError(what + " within " + atMost + "; clients: " + clients, e);
        }
    }

    private void startNodes(int redisPort, String leaseTtl) throws Exception {
        List<CompletableFuture<ServerProcess>> starting = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            String nodeId = "n" + i;
            starting.add(CompletableFuture.supplyAsync(() -> {
                try {
                    return ServerProcess.startLight(
                            "--redis-url",
                            "redis://127.0.0.1:" + redisPort,
                            "--redis-prefix",
                            prefix,
                            "--node-id",
                            nodeId,
                            "--lease-ttl",
                            leaseTtl,
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
        try {
            for (CompletableFuture<ServerProcess> f : starting) {
                nodes.add(f.get(120, TimeUnit.SECONDS));
            }
        } finally {
            // on failure, the nodes that did start are stopped by tearDown
            for (CompletableFuture<ServerProcess> f : starting) {
                ServerProcess p = f.getNow(null);
                if (p != null && !nodes.contains(p)) {
                    nodes.add(p);
                }
            }
        }
    }

    private void startClients() {
        for (int i = 0; i < CLIENTS; i++) {
            ClusterClient c = new ClusterClient(
                    "c" + i, ROOM, n -> "ws://127.0.0.1:" + nodes.get(n).port(), nodes.size(), i % nodes.size());
            clients.add(c);
            c.start();
        }
    }

    /** Every client pushes every 20 ms while connected, at most 4 pushes in flight. */
    private void startLoad() {
        load = Executors.newScheduledThreadPool(2);
        for (ClusterClient c : clients) {
            load.scheduleAtFixedRate(() -> c.pushNext(4), 20, 20, TimeUnit.MILLISECONDS);
        }
    }

    private Integer ownerOrNull() {
        String holder = redisConnection.sync().get(prefix + ":lease:" + ROOM);
        return holder == null ? null : Integer.parseInt(holder.substring(1));
    }

    private int owner() {
        Integer o = ownerOrNull();
        assertThat(o).as("owner of %s", ROOM).isNotNull();
        return o;
    }

    private static long relayedIn(ServerProcess node) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(node.http() + "/metrics"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        Matcher m = RELAYED_IN.matcher(r.body());
        assertThat(m.find()).as(r.body()).isTrue();
        return (long) Double.parseDouble(m.group(1));
    }

    /**
     * Stops the load, waits until every client is connected with nothing in flight and sees the stored document,
     * then checks every acknowledged change is stored and every stored value was pushed by its client.
     */
    private void convergeAndCheck() throws Exception {
        load.shutdownNow();
        await().atMost(Duration.ofSeconds(15))
                .pollInterval(Duration.ofMillis(100))
                .until(() -> {
                    Map<String, Long> stored = storedDocument();
                    return clients.stream()
                            .allMatch(c -> c.isConnected()
                                    && c.inFlight() == 0
                                    && c.document().equals(stored));
                });
        Map<String, Long> stored = storedDocument();
        int acked = 0;
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
            acked += c.ackedCount();
        }
        assertThat(stored).hasSize(clients.size() * 4);
        System.out.printf(
                "ClusterIT: %d clients converged on %d records; %d pushes acknowledged%n",
                clients.size(), stored.size(), acked);
    }

    /** The room as the store holds it (its record tables and the commit log not folded into them yet). */
    private Map<String, Long> storedDocument() {
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
