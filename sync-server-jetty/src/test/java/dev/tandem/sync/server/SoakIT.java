package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.sync.core.testing.Rand;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The standalone server at {@code -Xmx256m} under a mix of the attacks of the security audit, from many
 * connections and client addresses ({@code 127.0.0.x}), while honest clients in rooms of their own keep pushing.
 *
 * <p>Asserts: the server never runs out of memory (it runs with {@code -XX:+ExitOnOutOfMemoryError}, so an OOM
 * would end it), {@code /healthz} answers every poll, every honest client stays connected and keeps getting its
 * pushes acknowledged during the attacks, and every acknowledged push is durable across a {@code kill -9}. The
 * honest clients' acknowledgement latency (p50/p99, unloaded and under attack) is measured and printed, not
 * asserted: timing is a benchmark's business ({@code docs/security.md} records the figures).
 *
 * <p>Bounded: about 15 s unloaded, 45 s of attacks, then recovery and checks; every attacker stops by itself at
 * the attack deadline and every socket is closed when the test ends.
 */
class SoakIT {
    private static final Duration WARM_UP = Duration.ofSeconds(5);
    private static final Duration UNLOADED = Duration.ofSeconds(15);
    private static final Duration ATTACK = Duration.ofSeconds(45);
    /** The part of the attack window before measuring, while the attackers ramp up. */
    private static final Duration RAMP = Duration.ofSeconds(5);

    private static final List<String> HONEST_ROOMS = List.of("soak-honest-a", "soak-honest-b", "soak-honest-c");
    private static final int HONEST_PER_ROOM = 2;
    private static final Duration HONEST_INTERVAL = Duration.ofMillis(20);

    /** 520,000 times U+0100: 1,040,000 bytes of UTF-8, 1,040,000 bytes of heap as UTF-16, under the frame limit. */
    private static final String BIG_CHUNK_BODY = "\u0100".repeat(520_000);

    @TempDir
    Path data;

    private final HttpClient http =
            HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();
    private final Set<RawPeer> peers = ConcurrentHashMap.newKeySet();
    private final Map<String, AtomicInteger> counters = new ConcurrentHashMap<>();
    /** The server's port, once started. */
    private volatile int port;

    private void count(String what) {
        counters.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    }

    private RawPeer open(String address, int port) throws IOException {
        RawPeer p = RawPeer.connect(address, port);
        peers.add(p);
        return p;
    }

    private void drop(RawPeer p) {
        if (p != null) {
            p.close();
            peers.remove(p);
        }
    }

    @Test
    void attacksFromManyConnections_neverStarveHonestClients() throws Exception {
        ScheduledExecutorService honestPacer = Executors.newScheduledThreadPool(HONEST_ROOMS.size() * HONEST_PER_ROOM);
        ScheduledExecutorService health = Executors.newSingleThreadScheduledExecutor();
        List<ScheduledExecutorService> attackers = new ArrayList<>();
        ServerProcess server = ServerProcess.startWith(
                List.of(
                        "-XX:+ExitOnOutOfMemoryError",
                        "-Xlog:gc:file=" + Path.of("target", "soak-gc.log").toAbsolutePath()),
                "--store",
                "sqlite",
                "--data",
                data.toString());
        try {
            port = server.port();
            putBigRoom(server, "soak-big", 2_000, 2_000);

            // honest clients: two per room, each pushing every 20 ms with up to 8 pushes in flight
            List<LoadClient> honest = new ArrayList<>();
            CountDownLatch honestClosed = new CountDownLatch(1);
            for (String room : HONEST_ROOMS) {
                for (int i = 0; i < HONEST_PER_ROOM; i++) {
                    LoadClient c = LoadClient.connect(server.ws(room, room + "-" + i), room + "-" + i, -1);
                    c.closed().thenRun(honestClosed::countDown);
                    honest.add(c);
                    honestPacer.scheduleAtFixedRate(
                            () -> pushQuietly(c), 0, HONEST_INTERVAL.toMillis(), TimeUnit.MILLISECONDS);
                }
            }

            // /healthz four times a second, each answer within 5 s
            AtomicInteger healthPolls = new AtomicInteger();
            AtomicInteger healthFailures = new AtomicInteger();
            AtomicLong healthMaxNanos = new AtomicLong();
            health.scheduleWithFixedDelay(
                    () -> pollHealth(server, healthPolls, healthFailures, healthMaxNanos),
                    0,
                    250,
                    TimeUnit.MILLISECONDS);

            assertThat(honestClosed.await(WARM_UP.toMillis(), TimeUnit.MILLISECONDS))
                    .as("an honest client was closed while warming up")
                    .isFalse();
            honest.forEach(LoadClient::drainLatencies);
            assertThat(honestClosed.await(UNLOADED.toMillis(), TimeUnit.MILLISECONDS))
                    .as("an honest client was closed before the attacks")
                    .isFalse();
            List<Long> unloaded = latencies(honest);
            int[] acksBefore = honest.stream().mapToInt(LoadClient::ackedCount).toArray();

            long attackEnd = System.nanoTime() + ATTACK.toNanos();
            attackers.add(chunkHoarders(64, attackEnd));
            attackers.add(nonReaders(32, attackEnd));
            attackers.add(slowBodies(100, attackEnd));
            attackers.add(bigBodies(6, attackEnd));
            attackers.add(fuzzers(4, attackEnd));
            attackers.add(connectionFlood(600, attackEnd));

            assertThat(honestClosed.await(RAMP.toMillis(), TimeUnit.MILLISECONDS))
                    .as("an honest client was closed by the attacks")
                    .isFalse();
            honest.forEach(LoadClient::drainLatencies);
            assertThat(honestClosed.await(ATTACK.minus(RAMP).toMillis(), TimeUnit.MILLISECONDS))
                    .as("an honest client was closed by the attacks")
                    .isFalse();
            List<Long> attacked = latencies(honest);
            for (ScheduledExecutorService a : attackers) {
                a.shutdownNow();
            }
            peers.forEach(RawPeer::close);
            for (ScheduledExecutorService a : attackers) {
                assertThat(a.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            }

            honestPacer.shutdown();
            assertThat(honestPacer.awaitTermination(30, TimeUnit.SECONDS)).isTrue();
            // every push sent is acknowledged, none refused (LoadClient fails on any non-commit result)
            await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
                for (LoadClient c : honest) {
                    assertThat(c.acked()).isEqualTo(lastSent(c));
                }
            });
            health.shutdown();
            assertThat(health.awaitTermination(30, TimeUnit.SECONDS)).isTrue();

            String report = String.format(
                    "soak: honest acks p50/p99 unloaded %.1f/%.1f ms (%d pushes), under attack %.1f/%.1f ms (%d pushes),"
                            + " p99 ratio %.2f; /healthz %d polls, slowest %.0f ms; attackers %s",
                    percentile(unloaded, 0.50) / 1e6,
                    percentile(unloaded, 0.99) / 1e6,
                    unloaded.size(),
                    percentile(attacked, 0.50) / 1e6,
                    percentile(attacked, 0.99) / 1e6,
                    attacked.size(),
                    (double) percentile(attacked, 0.99) / percentile(unloaded, 0.99),
                    healthPolls.get(),
                    healthMaxNanos.get() / 1e6,
                    new TreeMap<>(counters));
            System.out.println(report);
            Files.writeString(Path.of("target", "soak-report.txt"), report + "\n", StandardCharsets.UTF_8);

            assertThat(server.isAlive()).as("server alive after the attacks").isTrue();
            for (int i = 0; i < honest.size(); i++) {
                LoadClient c = honest.get(i);
                assertThat(c.closed()).as("honest client %d still connected", i).isNotDone();
                assertThat(c.ackedCount() - acksBefore[i])
                        .as("honest client %d's acknowledgements during the attacks", i)
                        .isGreaterThan(100);
            }
            assertThat(healthFailures.get())
                    .as("/healthz polls without a 200 within 5 s, of %d", healthPolls.get())
                    .isZero();
            List<String> log = server.output();
            assertThat(log).noneMatch(l -> l.contains("OutOfMemoryError"));

            // durable: after kill -9 and a restart on the same data, every acknowledged value is there
            Map<String, Map<String, Long>> ackedByRoom = new LinkedHashMap<>();
            for (int i = 0; i < honest.size(); i++) {
                ackedByRoom
                        .computeIfAbsent(HONEST_ROOMS.get(i / HONEST_PER_ROOM), k -> new LinkedHashMap<>())
                        .putAll(honest.get(i).acked());
                honest.get(i).abort();
            }
            server.kill();
            try (ServerProcess again = ServerProcess.start("--store", "sqlite", "--data", data.toString())) {
                for (Map.Entry<String, Map<String, Long>> room : ackedByRoom.entrySet()) {
                    Map<String, Long> stored = storedValues(again, room.getKey());
                    room.getValue()
                            .forEach((id, n) -> assertThat(stored.get(id))
                                    .as("%s in %s after kill -9", id, room.getKey())
                                    .isGreaterThanOrEqualTo(n));
                }
            }
        } catch (AssertionError | Exception e) {
            List<String> log = server.output();
            System.out.println("soak: the server's last lines:");
            log.subList(Math.max(0, log.size() - 40), log.size()).forEach(System.out::println);
            throw e;
        } finally {
            for (ScheduledExecutorService a : attackers) {
                a.shutdownNow();
            }
            honestPacer.shutdownNow();
            health.shutdownNow();
            peers.forEach(RawPeer::close);
            server.close();
        }
    }

    private static void pushQuietly(LoadClient c) {
        try {
            c.pushNext();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Map<String, Long> lastSent(LoadClient c) {
        Map<String, Long> out = new LinkedHashMap<>();
        c.sent().forEach((id, ns) -> out.put(id, ns.get(ns.size() - 1)));
        return out;
    }

    private static List<Long> latencies(List<LoadClient> clients) {
        List<Long> all = new ArrayList<>();
        clients.forEach(c -> all.addAll(c.drainLatencies()));
        assertThat(all).as("acknowledged pushes in the window").isNotEmpty();
        return all;
    }

    private static long percentile(List<Long> nanos, double p) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return sorted.get(Math.max(0, (int) Math.ceil(sorted.size() * p) - 1));
    }

    private void pollHealth(ServerProcess server, AtomicInteger polls, AtomicInteger failures, AtomicLong maxNanos) {
        long start = System.nanoTime();
        try {
            HttpResponse<String> r = http.send(
                    HttpRequest.newBuilder(URI.create(server.http() + "/healthz"))
                            .timeout(Duration.ofSeconds(5))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (r.statusCode() != 200) {
                failures.incrementAndGet();
                System.out.println("soak: /healthz answered " + r.statusCode() + " " + r.body());
            }
        } catch (IOException e) {
            failures.incrementAndGet();
            System.out.println("soak: " + java.time.Instant.now() + " /healthz failed: " + e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return;
        }
        polls.incrementAndGet();
        long took = System.nanoTime() - start;
        maxNanos.accumulateAndGet(took, Math::max);
        if (took > 1_000_000_000L) {
            System.out.printf("soak: %s /healthz took %d ms%n", java.time.Instant.now(), took / 1_000_000);
        }
    }

    /** Writes a room of {@code records} notes of {@code chars} characters each with a snapshot PUT. */
    private void putBigRoom(ServerProcess server, String room, int records, int chars) throws Exception {
        StringBuilder body = new StringBuilder("{\"documentClock\":1,\"documents\":[");
        String text = "b".repeat(chars);
        for (int i = 0; i < records; i++) {
            if (i > 0) {
                body.append(',');
            }
            body.append("{\"state\":{\"id\":\"note:big")
                    .append(i)
                    .append("\",\"typeName\":\"note\",\"text\":\"")
                    .append(text)
                    .append("\"},\"lastChangedClock\":1}");
        }
        body.append("],\"tombstones\":{},\"schema\":")
                .append(TestJson.stringify(LoadClient.SCHEMA))
                .append('}');
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(server.http() + "/rooms/" + room + "/snapshot"))
                        .header("Content-Type", "application/json")
                        .PUT(HttpRequest.BodyPublishers.ofString(body.toString()))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("PUT %s: %s", room, r.body()).isEqualTo(200);
    }

    @SuppressWarnings("unchecked")
    private Map<String, Long> storedValues(ServerProcess server, String room) throws Exception {
        HttpResponse<String> r = http.send(
                HttpRequest.newBuilder(URI.create(server.http() + "/rooms/" + room + "/snapshot"))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
        assertThat(r.statusCode()).as("GET %s snapshot", room).isEqualTo(200);
        Map<String, Long> out = new LinkedHashMap<>();
        Map<String, Object> snapshot = (Map<String, Object>) TestJson.parse(r.body());
        for (Object d : (List<Object>) snapshot.get("documents")) {
            Map<String, Object> state = (Map<String, Object>) ((Map<String, Object>) d).get("state");
            if (state.get("n") instanceof Number n) {
                out.put((String) state.get("id"), n.longValue());
            }
        }
        return out;
    }

    // ------------------------------------------------------------------ attackers

    /** A pool whose tasks stop by themselves at {@code end}; the test closes their sockets then. */
    private static ScheduledExecutorService pool(int threads) {
        return Executors.newScheduledThreadPool(threads, r -> {
            Thread t = new Thread(r, "soak-attacker");
            t.setDaemon(true);
            return t;
        });
    }

    /** One attacking socket, replaced whenever the server drops it, until the deadline. */
    private abstract class Attacker implements Runnable {
        final String address;
        final long end;
        RawPeer peer;
        int step;

        Attacker(String address, long end) {
            this.address = address;
            this.end = end;
        }

        @Override
        public final void run() {
            if (System.nanoTime() > end) {
                drop(peer);
                peer = null;
                return;
            }
            try {
                if (peer == null) {
                    peer = open(address, port);
                    step = 0;
                    begin(peer);
                } else {
                    step++;
                    next(peer);
                }
            } catch (IOException e) {
                count(kind() + ": dropped by the server");
                drop(peer);
                peer = null;
            }
        }

        abstract String kind();

        abstract void begin(RawPeer p) throws IOException;

        abstract void next(RawPeer p) throws IOException;

        /** Opens a WebSocket and counts how the server answered the upgrade. */
        void upgrade(RawPeer p, String path) throws IOException {
            String status = p.upgrade(path);
            if (status.startsWith("HTTP/1.1 101")) {
                count(kind() + ": upgraded");
            } else {
                count(kind() + ": refused " + (status.length() > 12 ? status.substring(9, 12) : status));
                throw new IOException("refused: " + status);
            }
        }
    }

    /**
     * Sockets that each send chunks of 520,000 {@code Ā} (a tldraw chunked message) and never the last one, so
     * the server would hold every chunk for assembly.
     */
    private ScheduledExecutorService chunkHoarders(int sockets, long end) {
        ScheduledExecutorService pool = pool(8);
        for (int i = 0; i < sockets; i++) {
            String address = "127.0.0." + (10 + i);
            int n = i;
            pool.scheduleWithFixedDelay(
                    new Attacker(address, end) {
                        @Override
                        String kind() {
                            return "chunk hoarder";
                        }

                        @Override
                        void begin(RawPeer p) throws IOException {
                            upgrade(p, "/connect/soak-chunks?sessionId=hoard" + n);
                        }

                        @Override
                        void next(RawPeer p) throws IOException {
                            // chunk numbers count down to 1, never 0: the message never completes
                            p.sendText((1000 - step) + "_" + (step <= 30 ? BIG_CHUNK_BODY : "\u0100"));
                        }
                    },
                    0,
                    100,
                    TimeUnit.MILLISECONDS);
        }
        return pool;
    }

    /** Sockets that ask for the whole 4 MB room and never read; each is replaced every 10 s. */
    private ScheduledExecutorService nonReaders(int sockets, long end) {
        ScheduledExecutorService pool = pool(4);
        String connect = TestJson.stringify(Map.of(
                "type",
                "connect",
                "connectRequestId",
                "nr",
                "lastServerClock",
                -1,
                "protocolVersion",
                8,
                "schema",
                LoadClient.SCHEMA));
        for (int i = 0; i < sockets; i++) {
            int n = i;
            pool.scheduleWithFixedDelay(
                    new Attacker("127.0.0." + (80 + i), end) {
                        @Override
                        String kind() {
                            return "non-reader";
                        }

                        @Override
                        void begin(RawPeer p) throws IOException {
                            upgrade(p, "/connect/soak-big?sessionId=nr" + n);
                            p.sendText(connect);
                        }

                        @Override
                        void next(RawPeer p) throws IOException {
                            if (step >= 5) {
                                drop(p);
                                peer = null;
                            }
                        }
                    },
                    0,
                    2,
                    TimeUnit.SECONDS);
        }
        return pool;
    }

    /** HTTP requests announcing a 1 MB body and sending one byte a second. */
    private ScheduledExecutorService slowBodies(int sockets, long end) {
        ScheduledExecutorService pool = pool(4);
        for (int i = 0; i < sockets; i++) {
            pool.scheduleWithFixedDelay(
                    new Attacker("127.0.0." + (120 + i), end) {
                        @Override
                        String kind() {
                            return "slow body";
                        }

                        @Override
                        void begin(RawPeer p) throws IOException {
                            p.write("POST /sync/push HTTP/1.1\r\nHost: 127.0.0.1\r\nContent-Type: application/json\r\n"
                                    + "Content-Length: 1000000\r\n\r\n{");
                        }

                        @Override
                        void next(RawPeer p) throws IOException {
                            p.write(" ");
                        }
                    },
                    0,
                    1,
                    TimeUnit.SECONDS);
        }
        return pool;
    }

    /** Snapshot PUTs of 30 MiB each, one after the other per socket, read to their answer. */
    private ScheduledExecutorService bigBodies(int sockets, long end) {
        ScheduledExecutorService pool = pool(sockets);
        int size = 30 << 20;
        byte[] slice = "x".repeat(64 << 10).getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < sockets; i++) {
            int n = i;
            pool.scheduleWithFixedDelay(
                    new Attacker("127.0.0." + (230 + i), end) {
                        @Override
                        String kind() {
                            return "big body";
                        }

                        @Override
                        void begin(RawPeer p) throws IOException {
                            String head = "{\"documentClock\":0,\"documents\":[],\"tombstones\":{},\"pad\":\"";
                            p.write("PUT /rooms/soak-bulk" + n + "/snapshot HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                                    + "Content-Type: application/json\r\nContent-Length: " + size + "\r\n\r\n" + head);
                            int sent = head.length();
                            while (sent + slice.length <= size - 2 && System.nanoTime() < end) {
                                p.write(slice);
                                sent += slice.length;
                            }
                            String status = p.readHead();
                            count("big body: answered " + (status.length() >= 12 ? status.substring(9, 12) : status));
                            drop(p);
                            peer = null;
                        }

                        @Override
                        void next(RawPeer p) {
                            // begin() finishes each request
                        }
                    },
                    0,
                    10,
                    TimeUnit.MILLISECONDS);
        }
        return pool;
    }

    /** Sockets sending the fuzz corpus of {@link AbuseIT}: malformed, deep, huge and unfinished frames. */
    private ScheduledExecutorService fuzzers(int sockets, long end) {
        ScheduledExecutorService pool = pool(sockets);
        for (int i = 0; i < sockets; i++) {
            int n = i;
            Rand rand = new Rand(20261204L + i, 10);
            pool.scheduleWithFixedDelay(
                    new Attacker("127.0.0." + (240 + i), end) {
                        @Override
                        String kind() {
                            return "fuzz";
                        }

                        @Override
                        void begin(RawPeer p) throws IOException {
                            upgrade(p, "/connect/soak-fuzz?sessionId=fuzz" + n);
                            for (String frame : AbuseIT.attacks().next(rand).frames()) {
                                p.sendText(frame);
                            }
                            drop(p);
                            peer = null;
                        }

                        @Override
                        void next(RawPeer p) {
                            // begin() sends each attack whole
                        }
                    },
                    0,
                    20,
                    TimeUnit.MILLISECONDS);
        }
        return pool;
    }

    /** One address opening WebSockets that stay idle, 20 more every 100 ms, up to {@code total}. */
    private ScheduledExecutorService connectionFlood(int total, long end) {
        ScheduledExecutorService pool = pool(1);
        AtomicInteger opened = new AtomicInteger();
        pool.scheduleWithFixedDelay(
                () -> {
                    for (int k = 0; k < 20 && opened.get() < total && System.nanoTime() < end; k++) {
                        int n = opened.incrementAndGet();
                        try {
                            RawPeer p = open("127.0.0.250", port);
                            String status = p.upgrade("/connect/soak-flood?sessionId=flood" + n);
                            count("flood: " + (status.startsWith("HTTP/1.1 101") ? "upgraded" : "refused"));
                        } catch (IOException e) {
                            count("flood: failed");
                        }
                    }
                },
                0,
                100,
                TimeUnit.MILLISECONDS);
        return pool;
    }
}
