package dev.tandem.sync.server;

import static dev.tandem.sync.server.SyncClients.awaitPatchWith;
import static dev.tandem.sync.server.SyncClients.awaitPushResult;
import static dev.tandem.sync.server.SyncClients.note;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomAccess;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.SyncLimits;
import dev.tandem.sync.core.testing.Gen;
import dev.tandem.sync.core.testing.JsonGen;
import dev.tandem.sync.core.testing.Property;
import dev.tandem.sync.server.auth.JwtAuthenticator;
import dev.tandem.sync.server.auth.Tokens;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Abuse at a live server: random and malformed frames (fuzz), a client that stops reading (slow consumer) and
 * a client that pushes as fast as it can (flood). Honest clients of the same room must be unaffected.
 */
class AbuseIT {
    private static final MemoryMXBean MEMORY = ManagementFactory.getMemoryMXBean();

    private TandemServer server;
    private SyncClients clients;

    private void start(RoomOptions options, ConnectionSettings settings, ServerLimits limits) {
        server = TandemServer.builder()
                .port(0)
                .roomOptions(options)
                .connectionSettings(settings)
                .serverLimits(limits)
                .build()
                .start();
        clients = new SyncClients(server);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static long usedHeapAfterGc() {
        System.gc();
        System.gc();
        return MEMORY.getHeapMemoryUsage().getUsed();
    }

    // ------------------------------------------------------------------ fuzz

    /** One malicious connection's frames. */
    record Attack(String kind, List<String> frames) {
        @Override
        public String toString() {
            List<String> shown = new ArrayList<>();
            for (String f : frames) {
                shown.add(f.length() > 200 ? f.substring(0, 200) + "…(" + f.length() + " chars)" : f);
            }
            return kind + " " + shown;
        }
    }

    private static final List<String> FIELDS_OF_CONNECT =
            List.of("type", "connectRequestId", "lastServerClock", "protocolVersion", "schema");

    /** A JSON object that may hold nulls (unlike {@code Map.of}). */
    private static Map<String, Object> object(Object... keysAndValues) {
        Map<String, Object> out = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2) {
            out.put((String) keysAndValues[i], keysAndValues[i + 1]);
        }
        return out;
    }

    private static String json(Object value) {
        return TestJson.stringify(value);
    }

    static Gen<Attack> attacks() {
        return rand -> {
            int kind = rand.nextInt(9);
            return switch (kind) {
                case 0 -> new Attack("random json", List.of(json(JsonGen.value(rand, 4))));
                case 1 -> {
                    // a valid connect with one field of a wrong type, then a push with a wrong-typed field
                    Map<String, Object> connect = new LinkedHashMap<>(SyncClients.connectMessage());
                    String field = rand.pick(FIELDS_OF_CONNECT);
                    connect.put(field, JsonGen.leaf(rand));
                    yield new Attack("wrong type in connect." + field, List.of(json(connect)));
                }
                case 2 -> {
                    Map<String, Object> push = new LinkedHashMap<>();
                    push.put("type", "push");
                    push.put("clientClock", rand.chance(0.5) ? JsonGen.leaf(rand) : 1);
                    push.put("diff", rand.chance(0.5) ? JsonGen.value(rand, 3) : object("x", JsonGen.value(rand, 2)));
                    if (rand.chance(0.3)) {
                        push.put("presence", JsonGen.value(rand, 2));
                    }
                    yield new Attack("malformed push", List.of(json(SyncClients.connectMessage()), json(push)));
                }
                case 3 ->
                    new Attack(
                            "unknown type",
                            List.of(json(object("type", JsonGen.string(rand), "x", JsonGen.value(rand, 2)))));
                case 4 -> {
                    int depth = 2_000 + rand.nextInt(20_000);
                    String open = rand.chance(0.5) ? "[" : "{\"a\":";
                    String close = open.equals("[") ? "]" : "}";
                    yield new Attack("deep nesting " + depth, List.of(open.repeat(depth) + "1" + close.repeat(depth)));
                }
                case 5 ->
                    new Attack("huge frame", List.of("{\"type\":\"ping\",\"pad\":\"" + "x".repeat(900_000) + "\"}"));
                case 6 ->
                    new Attack(
                            "chunks that never finish",
                            List.of(
                                    "99_" + "{".repeat(rand.nextInt(1, 50_000)),
                                    "98_" + "x".repeat(rand.nextInt(1, 50_000))));
                case 7 -> new Attack("garbage", List.of(JsonGen.string(rand), "0_" + JsonGen.string(rand)));
                default ->
                    new Attack("chunks out of order", List.of("2_{\"type\":", "0_\"ping\"}", "{\"type\":\"ping\"}"));
            };
        };
    }

    @Test
    void fuzz_malformedFrames_neverHurtHonestClientsOrTheServer() {
        start(
                RoomOptions.builder()
                        .schema(RoomSchema.pinned())
                        .batchInterval(Duration.ZERO)
                        .build(),
                ConnectionSettings.defaults(),
                ServerLimits.builder().connectionsPerIpPerMinute(100_000).build());
        WebSocketRecorder writer = clients.join("fuzz", "honest-w", null);
        WebSocketRecorder reader = clients.join("fuzz", "honest-r", null);
        long heapBefore = usedHeapAfterGc();
        AtomicInteger round = new AtomicInteger();
        List<String> committed = Collections.synchronizedList(new ArrayList<>());

        Property.check("malformed frames leave the room working", 400, attacks(), attack -> {
            WebSocketRecorder bad = clients.open("fuzz", "fuzzer", null);
            try {
                for (String frame : attack.frames()) {
                    if (bad.isClosed()) {
                        break;
                    }
                    try {
                        bad.send(frame);
                    } catch (RuntimeException closedMeanwhile) {
                        break;
                    }
                }
            } finally {
                bad.abort();
            }
            if (round.incrementAndGet() % 25 == 0) {
                String id = "note:r" + round.get();
                writer.send(clients.push(note(id, "round " + round.get())));
                assertThat(awaitPushResult(writer)).isEqualTo("commit");
                awaitPatchWith(reader, id);
                committed.add(id);
            }
        });

        clients.assertRoomWorks("fuzz", writer, reader, null, committed, List.of());
        long grown = usedHeapAfterGc() - heapBefore;
        System.out.printf("fuzz: heap grew by %,d bytes over %d attacks%n", grown, round.get());
        assertThat(grown).as("heap growth").isLessThan(256L << 20);
    }

    // ------------------------------------------------------------------ slow consumer

    /** A WebSocket client on a raw TCP socket that completes the handshake, sends frames and never reads. */
    static final class NonReadingClient implements AutoCloseable {
        private final Socket socket = new Socket();

        NonReadingClient(int port, String path) throws Exception {
            socket.setReceiveBufferSize(4096);
            socket.connect(new java.net.InetSocketAddress("127.0.0.1", port));
            String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
            OutputStream out = socket.getOutputStream();
            out.write(("GET " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n"
                            + "Sec-WebSocket-Key: " + key + "\r\nSec-WebSocket-Version: 13\r\n\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.flush();
            // read exactly the response headers, nothing more
            InputStream in = socket.getInputStream();
            StringBuilder head = new StringBuilder();
            while (!head.toString().endsWith("\r\n\r\n")) {
                int b = in.read();
                assertThat(b).isNotEqualTo(-1);
                head.append((char) b);
            }
            assertThat(head.toString()).startsWith("HTTP/1.1 101");
        }

        /** Sends one masked text frame. */
        void sendText(String text) throws Exception {
            byte[] payload = text.getBytes(StandardCharsets.UTF_8);
            java.io.ByteArrayOutputStream frame = new java.io.ByteArrayOutputStream();
            frame.write(0x81);
            if (payload.length < 126) {
                frame.write(0x80 | payload.length);
            } else {
                frame.write(0x80 | 126);
                frame.write(payload.length >>> 8);
                frame.write(payload.length & 0xff);
            }
            byte[] mask = {1, 2, 3, 4};
            frame.write(mask);
            for (int i = 0; i < payload.length; i++) {
                frame.write(payload[i] ^ mask[i % 4]);
            }
            socket.getOutputStream().write(frame.toByteArray());
            socket.getOutputStream().flush();
        }

        @Override
        public void close() throws java.io.IOException {
            socket.close();
        }
    }

    @Test
    void slowConsumer_isDisconnected_andHeapStaysBounded() throws Exception {
        start(
                RoomOptions.builder()
                        .schema(RoomSchema.pinned())
                        .limits(SyncLimits.builder()
                                .messagesPerSecond(100_000)
                                .messageBurst(100_000)
                                .build())
                        .build(),
                ConnectionSettings.defaults().withMaxQueuedChars(1 << 20),
                ServerLimits.DEFAULTS);
        WebSocketRecorder writer = clients.join("slow", "writer", null);
        WebSocketRecorder reader = clients.join("slow", "reader", null);
        long heapBefore = usedHeapAfterGc();
        Room room = server.ownedRooms().map(m -> m.room("slow")).orElseThrow();

        try (NonReadingClient slow = new NonReadingClient(server.port(), "/connect/slow?sessionId=slow")) {
            slow.sendText(TestJson.stringify(SyncClients.connectMessage()));
            await().atMost(Duration.ofSeconds(10))
                    .until(() -> room.sessions().join().stream()
                            .anyMatch(s ->
                                    s.sessionId().equals("slow") && s.state().equals("connected")));
            // push at full speed until the slow client is gone: 8 KB per push, far past its 1 MiB queue and the
            // socket buffers; every 50 pushes the honest reader catches up (its backlog stays ~400 KB)
            String text = "y".repeat(8_000);
            int pushes = 0;
            while (room.sessions().join().stream().anyMatch(s -> s.sessionId().equals("slow"))) {
                assertThat(pushes)
                        .as("pushes before the slow client is dropped")
                        .isLessThan(20_000);
                String id = "note:p" + (pushes % 50);
                writer.send(clients.push(note(id, text + pushes)));
                pushes++;
                if (pushes % 50 == 0) {
                    awaitPatchWith(reader, id);
                }
            }
            System.out.printf("slow consumer: dropped after %d pushes of 8 KB%n", pushes);
        }
        // the honest clients got everything
        clients.assertRoomWorks("slow", writer, reader, null, List.of("note:p0"), List.of());
        long grown = usedHeapAfterGc() - heapBefore;
        System.out.printf("slow consumer: heap grew by %,d bytes%n", grown);
        assertThat(grown).as("heap growth").isLessThan(128L << 20);
        assertThat(server.handler().queuedChars()).isLessThan(2L << 20);
    }

    // ------------------------------------------------------------------ flood

    private static long p99(List<Long> nanos) {
        List<Long> sorted = new ArrayList<>(nanos);
        Collections.sort(sorted);
        return sorted.get((int) Math.ceil(sorted.size() * 0.99) - 1);
    }

    /** Round trips: the writer pushes, the time until the reader sees the patch. */
    private List<Long> latencies(WebSocketRecorder writer, WebSocketRecorder reader, String prefix, int count) {
        List<Long> out = new ArrayList<>();
        for (int i = 0; i < count; i++) {
            String id = "note:" + prefix + (i % 20);
            long start = System.nanoTime();
            writer.send(clients.push(note(id, prefix + i)));
            awaitPatchWith(reader, id);
            out.add(System.nanoTime() - start);
            awaitPushResult(writer);
        }
        return out;
    }

    @Test
    void flood_isRateLimited_whileHonestClientsKeepConverging() throws Exception {
        // the flooder's 1 KB pushes hit the character rate; the honest writer's ~100-character pushes, even at a
        // round trip per millisecond, never do
        SyncLimits limits = SyncLimits.builder()
                .messagesPerSecond(2_000)
                .messageBurst(4_000)
                .charsPerSecond(256 << 10)
                .charBurst(512 << 10)
                .build();
        // honest and flooding clients are different users, so the flooder's cooldown is its own
        server = TandemServer.builder()
                .port(0)
                .roomOptions(RoomOptions.builder()
                        .schema(RoomSchema.pinned())
                        .batchInterval(Duration.ZERO)
                        .limits(limits)
                        .build())
                .security(new ServerSecurity(
                        JwtAuthenticator.builder().hmacSecret(Tokens.SECRET).build(),
                        RoomAccess.allowAll(),
                        ServerLimits.DEFAULTS))
                .build()
                .start();
        clients = new SyncClients(server);
        String alice = Tokens.hs256(Tokens.claims("alice"));
        String mallory = Tokens.hs256(Tokens.claims("mallory"));
        WebSocketRecorder writer = clients.join("flood", "writer", alice);
        WebSocketRecorder reader = clients.join("flood", "reader", alice);
        latencies(writer, reader, "warm", 100);
        List<Long> unloaded = latencies(writer, reader, "calm", 300);

        AtomicBoolean stop = new AtomicBoolean();
        AtomicInteger sessions = new AtomicInteger();
        AtomicInteger rateLimited = new AtomicInteger();
        AtomicInteger floodFrames = new AtomicInteger();
        Thread flooder = new Thread(() -> {
            // reconnects at once after every close, as an attacker would, for as long as the test measures
            long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
            while (!stop.get() && System.nanoTime() < deadline) {
                WebSocketRecorder f = clients.open("flood", "flooder-" + sessions.getAndIncrement(), mallory);
                try {
                    f.send(SyncClients.connectMessage());
                    while (!stop.get() && !f.isClosed()) {
                        f.send(Map.of(
                                "type",
                                "push",
                                "clientClock",
                                floodFrames.incrementAndGet(),
                                "diff",
                                Map.of("note:flood", List.of("put", note("note:flood", "z".repeat(1000))))));
                    }
                } catch (RuntimeException closed) {
                    // the server closed the socket under our feet
                }
                if (stop.get() && !f.isClosed()) {
                    f.abort();
                    break;
                }
                WebSocketRecorder.Closed c = f.awaitClose();
                if (c.code() == CloseReason.CLOSE_CODE && c.reason().equals(CloseReason.RATE_LIMITED.wireName())) {
                    rateLimited.incrementAndGet();
                }
                f.abort();
            }
        });
        flooder.start();
        List<Long> flooded;
        try {
            await().atMost(Duration.ofSeconds(10)).until(() -> rateLimited.get() > 0);
            flooded = latencies(writer, reader, "storm", 300);
        } finally {
            stop.set(true);
            flooder.join(Duration.ofSeconds(10).toMillis());
        }

        System.out.printf(
                "flood: honest p99 unloaded %.2f ms, under flood %.2f ms (flooder opened %d sessions, sent %d pushes,"
                        + " was closed RATE_LIMITED %d times)%n",
                p99(unloaded) / 1e6, p99(flooded) / 1e6, sessions.get(), floodFrames.get(), rateLimited.get());
        assertThat(rateLimited.get()).isPositive();
        clients.assertRoomWorks("flood", writer, reader, alice, List.of("note:calm0", "note:storm0"), List.of());
    }
}
