package dev.tandem.sync.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.client.testing.ManualExecutor;
import dev.tandem.sync.client.testing.ScriptedTransport;
import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.internal.protocol.ChunkAssembler;
import dev.tandem.sync.core.internal.protocol.Chunker;
import dev.tandem.sync.core.internal.protocol.ClientMessage;
import dev.tandem.sync.core.testing.ManualScheduler;
import java.net.URI;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** SyncClient's wire behaviour against a server scripted frame by frame. */
class SyncClientProtocolTest {
    private final ManualScheduler clock = new ManualScheduler();
    private final ManualExecutor lane = new ManualExecutor();
    private final ScriptedTransport server = new ScriptedTransport();
    private final SyncClient client = SyncClient.builder()
            .uri(URI.create("http://example.test/connect/r1"))
            .sessionId("s1")
            .schema(Map.of("schemaVersion", 2, "sequences", Map.of()))
            .scheduler(clock)
            .executor(lane)
            .transport(server)
            .random(new Random(1))
            .build();

    @AfterEach
    void close() {
        client.close();
        lane.runAll();
    }

    private void advance(Duration d) {
        clock.advance(d);
        lane.runAll();
    }

    /** Takes the client's connect frame and answers it. */
    private void handshake(String hydration, long clock, String diff) {
        lane.runAll();
        String connect = server.last().take();
        assertThat(connect).startsWith("{\"type\":\"connect\"");
        server.last()
                .reply(ScriptedTransport.connectReply(
                        ScriptedTransport.connectRequestId(connect), hydration, clock, diff, false));
        lane.runAll();
    }

    private static Map<String, Object> shape(String id, Object x) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id);
        r.put("typeName", "shape");
        r.put("x", x);
        return r;
    }

    @Test
    void uri_isWebSocketWithSessionAndStoreIds() {
        assertThat(client.uri().toString()).startsWith("ws://example.test/connect/r1?sessionId=s1&storeId=");
    }

    @Test
    void connect_sendsProtocolVersionClockAndSchema() {
        lane.runAll();
        String connect = server.last().take();
        assertThat(connect)
                .matches("\\{\"type\":\"connect\",\"connectRequestId\":\"[-0-9a-f]+\","
                        + "\"schema\":\\{[^{}]*\\{}[^{}]*},\"protocolVersion\":8,"
                        + "\"lastServerClock\":-1}");
    }

    @Test
    void connectReply_withStaleRequestId_isIgnored() {
        lane.runAll();
        server.last().take();
        server.last().reply(ScriptedTransport.connectReply("old", "wipe_all", 3, "{}", false));
        lane.runAll();
        assertThat(client.status()).isEqualTo(SyncStatus.CONNECTING);
    }

    @Test
    void largePush_isChunked() {
        handshake("wipe_all", 0, "{}");
        client.store().put(shape("shape:big", "x".repeat(300_000)));
        lane.runAll();
        List<String> frames = server.last().drain();
        assertThat(frames).hasSize(2);
        assertThat(frames.get(0)).startsWith("1_{\"type\":\"push\"");
        assertThat(frames.get(1)).startsWith("0_");
        assertThat(frames).allSatisfy(f -> assertThat(f.length()).isLessThanOrEqualTo(Chunker.MAX_SAFE_MESSAGE_SIZE));
        ChunkAssembler assembler = new ChunkAssembler(1 << 24);
        assembler.accept(frames.get(0));
        assertThat(assembler.accept(frames.get(1)))
                .isInstanceOfSatisfying(
                        ChunkAssembler.Message.class,
                        m -> assertThat(m.message()).isInstanceOf(ClientMessage.Push.class));
    }

    @Test
    void mismatchedPushResult_resetsTheConnection() {
        handshake("wipe_all", 0, "{}");
        client.store().put(shape("shape:1", 1));
        lane.runAll();
        assertThat(server.last().take()).startsWith("{\"type\":\"push\",\"clientClock\":0");
        server.last()
                .reply("{\"type\":\"data\",\"data\":[{\"type\":\"push_result\",\"clientClock\":5,\"serverClock\":1,"
                        + "\"action\":\"commit\"}]}");
        lane.runAll();
        assertThat(server.last().closedByClient()).isTrue();
        assertThat(client.status()).isEqualTo(SyncStatus.OFFLINE);
        assertThat(client.store().get("shape:1")).isPresent(); // kept as a speculative change

        advance(Duration.ofSeconds(1));
        assertThat(server.count()).isEqualTo(2);
        handshake("wipe_presence", 0, "{}");
        // the change is pushed again on the new connection, with the next client clock
        assertThat(server.last().take())
                .startsWith("{\"type\":\"push\",\"clientClock\":1,\"diff\":{\"shape:1\":[\"put\"");
    }

    @Test
    void malformedFrame_resetsTheConnection() {
        handshake("wipe_all", 0, "{}");
        server.last().reply("{\"type\":\"data\",\"data\":[{\"type\":\"nonsense\"}]}");
        lane.runAll();
        assertThat(server.last().closedByClient()).isTrue();
        assertThat(client.status()).isEqualTo(SyncStatus.OFFLINE);
    }

    @Test
    void close4099_withoutReason_isUnknownError() {
        handshake("wipe_all", 0, "{}");
        server.last().serverClose(4099, "");
        lane.runAll();
        assertThat(client.status()).isEqualTo(SyncStatus.error("UNKNOWN_ERROR"));
        advance(Duration.ofMinutes(1));
        assertThat(server.count()).isEqualTo(1);
    }

    @Test
    void silentServer_withUnansweredPing_isDeadAfterTenSeconds() {
        handshake("wipe_all", 0, "{}");
        advance(Duration.ofSeconds(5));
        assertThat(server.last().take()).isEqualTo("{\"type\":\"ping\"}");
        advance(Duration.ofSeconds(4));
        assertThat(client.status()).isEqualTo(SyncStatus.ONLINE);
        advance(Duration.ofSeconds(1));
        assertThat(client.status()).isEqualTo(SyncStatus.OFFLINE);
        assertThat(server.last().closedByClient()).isTrue();
    }

    @Test
    void answeredPings_keepTheConnection() {
        handshake("wipe_all", 0, "{}");
        for (int i = 0; i < 10; i++) {
            advance(Duration.ofSeconds(5));
            assertThat(server.last().take()).isEqualTo("{\"type\":\"ping\"}");
            server.last().reply("{\"type\":\"pong\"}");
            lane.runAll();
        }
        assertThat(client.status()).isEqualTo(SyncStatus.ONLINE);
        assertThat(server.count()).isEqualTo(1);
    }

    @Test
    void noConnectReply_retriesAfterTheConnectTimeout() {
        lane.runAll();
        advance(Duration.ofSeconds(10));
        assertThat(client.status()).isEqualTo(SyncStatus.OFFLINE);
        advance(Duration.ofSeconds(1));
        assertThat(server.count()).isEqualTo(2);
    }

    @Test
    void reconnectDelays_growExponentially_upToTheMaximum() {
        handshake("wipe_all", 0, "{}");
        long last = clock.nanoTime();
        List<Long> delays = new java.util.ArrayList<>();
        for (int i = 0; i < 6; i++) {
            int before = server.count();
            server.last().serverClose(1006, "");
            lane.runAll();
            while (server.count() == before) {
                advance(Duration.ofMillis(10));
            }
            delays.add((clock.nanoTime() - last) / 1_000_000);
            last = clock.nanoTime();
        }
        // 500, 750, 1125, 1687, 2000, 2000 ms, each shortened by at most 25 %
        long[] nominal = {500, 750, 1125, 1687, 2000, 2000};
        for (int i = 0; i < nominal.length; i++) {
            assertThat(delays.get(i)).isBetween((long) (nominal[i] * 0.75) - 10, nominal[i] + 10);
        }
    }

    @Test
    void wipeAll_withOfflineChanges_replacesTheDocumentAndPushesTheChangesOnce() {
        handshake(
                "wipe_all",
                3,
                "{\"shape:1\":[\"put\",{\"id\":\"shape:1\",\"typeName\":\"shape\",\"x\":1}],"
                        + "\"shape:2\":[\"put\",{\"id\":\"shape:2\",\"typeName\":\"shape\",\"x\":2}]}");
        server.last().serverClose(1006, "");
        lane.runAll();
        client.store().update("shape:1", r -> shape("shape:1", 10));
        client.store().put(shape("shape:3", 3));
        advance(Duration.ofSeconds(1));
        String connect = server.last().take();
        assertThat(connect).endsWith("\"lastServerClock\":3}");
        // the server lost history: shape:2 is gone, shape:1 changed
        server.last()
                .reply(ScriptedTransport.connectReply(
                        ScriptedTransport.connectRequestId(connect),
                        "wipe_all",
                        9,
                        "{\"shape:1\":[\"put\",{\"id\":\"shape:1\",\"typeName\":\"shape\",\"x\":1,\"y\":5}]}",
                        false));
        lane.runAll();
        assertThat(client.store().get("shape:2")).isEmpty();
        assertThat(client.store().get("shape:1").orElseThrow())
                .isEqualTo(Json.freeze(Map.of("id", "shape:1", "typeName", "shape", "x", 10, "y", 5)));
        assertThat(server.last().drain())
                .containsExactly("{\"type\":\"push\",\"clientClock\":0,\"diff\":{"
                        + "\"shape:1\":[\"patch\",{\"x\":[\"put\",10]}],"
                        + "\"shape:3\":[\"put\",{\"id\":\"shape:3\",\"typeName\":\"shape\",\"x\":3}]}}");
    }

    @Test
    void unsentChange_survivesARebase() {
        handshake("wipe_all", 0, "{\"shape:1\":[\"put\",{\"id\":\"shape:1\",\"typeName\":\"shape\",\"x\":1}]}");
        client.store().put(shape("shape:9", 9));
        lane.runAll(); // pushed at once
        server.last().drain();
        client.store().update("shape:1", r -> shape("shape:1", 2)); // throttled: still unsent
        lane.runAll();
        assertThat(server.last().drain()).isEmpty();
        server.last()
                .reply("{\"type\":\"data\",\"data\":[{\"type\":\"patch\",\"diff\":{\"shape:1\":[\"patch\","
                        + "{\"y\":[\"put\",7]}]},\"serverClock\":1}]}");
        lane.runAll();
        assertThat(client.store().get("shape:1").orElseThrow())
                .isEqualTo(Json.freeze(Map.of("id", "shape:1", "typeName", "shape", "x", 2, "y", 7)));
        assertThat(client.store().get("shape:9")).isPresent();
        advance(Duration.ofMillis(40));
        assertThat(server.last().take())
                .isEqualTo("{\"type\":\"push\",\"clientClock\":1,\"diff\":{"
                        + "\"shape:1\":[\"patch\",{\"x\":[\"put\",2]}]}}");
    }

    @Test
    void rebaseWithDiff_replacesTheSpeculativeChange() {
        handshake("wipe_all", 0, "{\"shape:1\":[\"put\",{\"id\":\"shape:1\",\"typeName\":\"shape\",\"x\":1}]}");
        client.store().update("shape:1", r -> shape("shape:1", 2));
        lane.runAll();
        server.last().take();
        server.last()
                .reply("{\"type\":\"data\",\"data\":[{\"type\":\"push_result\",\"clientClock\":0,\"serverClock\":4,"
                        + "\"action\":{\"rebaseWithDiff\":{\"shape:1\":[\"patch\",{\"x\":[\"put\",3]}]}}}]}");
        lane.runAll();
        assertThat(client.store().get("shape:1").orElseThrow().get("x")).isEqualTo(3L);
        assertThat(client.hasUnconfirmedChanges()).isFalse();
        assertThat(client.lastServerClock()).isEqualTo(4);
    }

    @Test
    void customMessage_reachesTheListener() {
        List<Object> got = new java.util.concurrent.CopyOnWriteArrayList<>();
        client.addListener(new SyncListener() {
            @Override
            public void onCustomMessage(Object data) {
                got.add(data);
            }
        });
        handshake("wipe_all", 0, "{}");
        server.last().reply("{\"type\":\"custom\",\"data\":{\"hello\":1}}");
        lane.runAll();
        assertThat(got).containsExactly(Json.freeze(Map.of("hello", 1)));
    }
}
