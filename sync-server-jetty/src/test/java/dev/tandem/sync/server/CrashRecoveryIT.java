package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.Statement;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code kill -9} of the standalone server under load from many clients: after a restart on the same data,
 * every change whose {@code push_result} a client received is present, and every record holds a value its
 * client pushed, at least the last one acknowledged.
 */
class CrashRecoveryIT {
    private static final String PG = "jdbc:postgresql://127.0.0.1:5432/";
    private static final List<String> ROOMS = List.of("crash-a", "crash-b");
    private static final int CLIENTS_PER_ROOM = 3;
    private static final int ACKS_BEFORE_KILL = 150;

    @TempDir
    Path data;

    @Test
    void kill9_underLoad_sqlite_keepsEveryAcknowledgedChange() throws Exception {
        crashAndRecover("sqlite", "--store", "sqlite", "--data", data.toString());
    }

    @Test
    void kill9_underLoad_postgres_keepsEveryAcknowledgedChange() throws Exception {
        String db =
                "tandem_crash_" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", "");
                Statement s = c.createStatement()) {
            s.execute("CREATE DATABASE " + db);
        }
        try {
            crashAndRecover("postgres", "--store", "postgres", "--jdbc-url", PG + db, "--jdbc-user", "postgres");
        } finally {
            try (Connection c = DriverManager.getConnection(PG + "postgres", "postgres", "");
                    Statement s = c.createStatement()) {
                s.execute("DROP DATABASE IF EXISTS " + db + " WITH (FORCE)");
            }
        }
    }

    private void crashAndRecover(String dialect, String... args) throws Exception {
        long started = System.nanoTime();
        List<LoadClient> clients = new ArrayList<>();
        Map<LoadClient, String> roomOf = new HashMap<>();
        AtomicBoolean stop = new AtomicBoolean();
        List<Thread> pushers = new ArrayList<>();
        long killedAt;
        try (ServerProcess server = ServerProcess.start(args)) {
            for (String room : ROOMS) {
                for (int i = 0; i < CLIENTS_PER_ROOM; i++) {
                    String name = room + "-c" + i;
                    LoadClient c = LoadClient.connect(server.ws(room, name), name, -1);
                    clients.add(c);
                    roomOf.put(c, room);
                }
            }
            for (LoadClient c : clients) {
                Thread t = new Thread(
                        () -> {
                            try {
                                while (!stop.get() && c.pushNext()) {
                                    // push as fast as acknowledgements allow
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "pusher");
                t.setDaemon(true);
                t.start();
                pushers.add(t);
            }
            await().atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> clients.stream().allMatch(c -> c.ackedCount() >= ACKS_BEFORE_KILL));
            // kill while pushes are in flight: nothing gets flushed or closed
            server.kill();
            killedAt = System.nanoTime();
            stop.set(true);
            for (LoadClient c : clients) {
                c.closed().get();
            }
            for (Thread t : pushers) {
                t.join(5_000);
            }
        }
        int acked = clients.stream().mapToInt(LoadClient::ackedCount).sum();
        int sentTotal = clients.stream()
                .mapToInt(c -> c.sent().values().stream().mapToInt(List::size).sum())
                .sum();

        try (ServerProcess again = ServerProcess.start(args)) {
            for (String room : ROOMS) {
                Map<String, Long> stored = documentOf(again, room);
                Set<String> pushedIds = new HashSet<>();
                for (LoadClient c : clients) {
                    if (!roomOf.get(c).equals(room)) {
                        continue;
                    }
                    Map<String, List<Long>> sent = c.sent();
                    Map<String, Long> ackedN = c.acked();
                    pushedIds.addAll(sent.keySet());
                    for (Map.Entry<String, List<Long>> e : sent.entrySet()) {
                        String id = e.getKey();
                        Long ack = ackedN.get(id);
                        Long value = stored.get(id);
                        if (ack != null) {
                            assertThat(value)
                                    .as("%s acknowledged at n=%s", id, ack)
                                    .isNotNull();
                            assertThat(value)
                                    .as("%s: acknowledged n=%s", id, ack)
                                    .isGreaterThanOrEqualTo(ack);
                        }
                        if (value != null) {
                            assertThat(e.getValue())
                                    .as("%s holds a value its client pushed", id)
                                    .contains(value);
                        }
                    }
                }
                assertThat(pushedIds).as("records in %s", room).containsAll(stored.keySet());
            }
        }
        System.out.printf(
                "CrashRecoveryIT[%s]: %d clients, %d pushes sent, %d acknowledged before kill -9;"
                        + " recovered and checked in %d ms; total %d ms%n",
                dialect,
                clients.size(),
                sentTotal,
                acked,
                (System.nanoTime() - killedAt) / 1_000_000,
                (System.nanoTime() - started) / 1_000_000);
    }

    /** Reads a room's document over HTTP: record id → n. */
    @SuppressWarnings("unchecked")
    static Map<String, Long> documentOf(ServerProcess server, String room) throws Exception {
        HttpResponse<String> r = HttpClient.newHttpClient()
                .send(
                        HttpRequest.newBuilder(URI.create(server.http() + "/rooms/" + room + "/snapshot"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
        Map<String, Object> snapshot = (Map<String, Object>) TestJson.parse(r.body());
        Map<String, Long> out = new HashMap<>();
        for (Object d : (List<Object>) snapshot.get("documents")) {
            Map<String, Object> state = (Map<String, Object>) ((Map<String, Object>) d).get("state");
            out.put((String) state.get("id"), ((Number) state.get("n")).longValue());
        }
        return out;
    }
}
