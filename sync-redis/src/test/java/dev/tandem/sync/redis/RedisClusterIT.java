package dev.tandem.sync.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.sync.core.RoomCommit;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SocketHandler;
import dev.tandem.sync.core.VersionInfo;
import dev.tandem.sync.core.testing.RecordingSocket;
import io.lettuce.core.RedisClient;
import io.lettuce.core.api.StatefulRedisConnection;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * Two cluster nodes in this process on the local Redis (keys under a random prefix, deleted afterwards), sharing
 * an in-memory store behind an in-memory fence.
 */
class RedisClusterIT {
    private static final String REDIS = "redis://127.0.0.1:6379";
    private static final String CONNECT = "{\"type\":\"connect\",\"connectRequestId\":\"r1\",\"lastServerClock\":-1,"
            + "\"protocolVersion\":8,\"schema\":{\"schemaVersion\":2,\"sequences\":{\"com.example.note\":1}}}";

    private final RoomStore shared = RoomStore.inMemory();
    private final MemoryFence fence = new MemoryFence(shared);
    private final List<RedisCluster> nodes = new ArrayList<>();
    private String prefix;
    private RedisClient redis;
    private StatefulRedisConnection<String, String> connection;

    @BeforeEach
    void setUp() {
        prefix = "tandem-test-" + Long.toHexString(ThreadLocalRandom.current().nextLong() & Long.MAX_VALUE);
        redis = RedisClient.create(REDIS);
        connection = redis.connect();
    }

    @AfterEach
    void tearDown() {
        nodes.forEach(n -> n.rooms().close(Duration.ofSeconds(5)));
        nodes.forEach(RedisCluster::close);
        List<String> keys = connection.sync().keys(prefix + ":*");
        if (!keys.isEmpty()) {
            connection.sync().del(keys.toArray(String[]::new));
        }
        connection.close();
        redis.shutdown();
        shared.close();
    }

    private RedisCluster node(String id) {
        RedisCluster n = RedisCluster.start(
                ClusterOptions.builder()
                        .redisUri(REDIS)
                        .keyPrefix(prefix)
                        .nodeId(id)
                        .leaseTtl(Duration.ofSeconds(2))
                        .build(),
                RoomOptions.builder().schema(RoomSchema.pinned()).store(shared).build(),
                fence);
        nodes.add(n);
        return n;
    }

    private static String push(int clientClock, String id, long n) {
        return "{\"type\":\"push\",\"clientClock\":" + clientClock + ",\"diff\":{\"" + id + "\":[\"put\",{\"id\":\""
                + id + "\",\"typeName\":\"note\",\"n\":" + n + "}]}}";
    }

    private static String awaitFrame(RecordingSocket socket, String containing) {
        String[] found = new String[1];
        await().atMost(Duration.ofSeconds(10)).until(() -> {
            for (String f : socket.history()) {
                if (f.contains(containing)) {
                    found[0] = f;
                    return true;
                }
            }
            return false;
        });
        return found[0];
    }

    @Test
    void connect_onTwoNodes_oneOwnsTheRoomAndTheOtherRelays() {
        RedisCluster a = node("a");
        RedisCluster b = node("b");
        RecordingSocket onA = new RecordingSocket();
        SocketHandler ha = a.connect("room-1", onA, SessionOptions.of("s-a"));
        ha.onText(CONNECT);
        awaitFrame(onA, "\"type\":\"connect\"");
        assertThat(connection.sync().get(prefix + ":lease:room-1")).isEqualTo("a");

        RecordingSocket onB = new RecordingSocket();
        SocketHandler hb = b.connect("room-1", onB, SessionOptions.of("s-b"));
        hb.onText(CONNECT);
        awaitFrame(onB, "\"type\":\"connect\"");
        assertThat(a.stats().relayedInSessions()).isEqualTo(1);
        assertThat(b.stats().relayedOutSessions()).isEqualTo(1);
        assertThat(b.stats().roomsOwned()).isZero();

        // frames in order through the relay: push from b's client, acknowledged to it, broadcast to a's
        for (int i = 0; i < 20; i++) {
            hb.onText(push(i, "note:x", i));
        }
        awaitFrame(onB, "\"clientClock\":19");
        await().atMost(Duration.ofSeconds(10))
                .until(() -> String.join("", onA.history()).matches("(?s).*\"n\":(\\[\"put\",)?19\\D.*"));
        List<Integer> acked = new ArrayList<>();
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("\"clientClock\":(\\d+)").matcher(String.join("", onB.history()));
        while (m.find()) {
            acked.add(Integer.parseInt(m.group(1)));
        }
        assertThat(acked).isSorted().hasSize(20);

        // the client leaves: the relayed session ends on the owner too
        hb.onClose();
        await().atMost(Duration.ofSeconds(10)).until(() -> a.stats().relayedInSessions() == 0);
    }

    @Test
    void leaseTakenByAnotherNode_ownerStopsServingAtOnce() {
        RedisCluster a = node("a");
        RecordingSocket socket = new RecordingSocket();
        a.connect("room-2", socket, SessionOptions.of("s1")).onText(CONNECT);
        awaitFrame(socket, "\"type\":\"connect\"");
        connection.sync().set(prefix + ":lease:room-2", "someone-else");

        await().atMost(Duration.ofSeconds(5)).until(() -> !socket.isOpen());
        assertThat(socket.closeCode())
                .as("a normal close: the client reconnects")
                .isEqualTo(1000);
        assertThat(a.stats().roomsOwned()).isZero();
        assertThat(connection.sync().get(prefix + ":lease:room-2"))
                .as("not released: it is not ours")
                .isEqualTo("someone-else");
    }

    @Test
    void staleOwner_commitAfterANewerClaim_isFencedNeverAcknowledged_andTheRoomCloses() {
        RedisCluster a = node("a");
        RecordingSocket socket = new RecordingSocket();
        SocketHandler h = a.connect("room-3", socket, SessionOptions.of("s1"));
        h.onText(CONNECT);
        awaitFrame(socket, "\"type\":\"connect\"");
        h.onText(push(0, "note:a", 1));
        awaitFrame(socket, "\"clientClock\":0");

        // as if the node paused past its lease and another node took the room: a newer epoch is claimed
        fence.claim("room-3").join();
        h.onText(push(1, "note:a", 2));

        await().atMost(Duration.ofSeconds(5)).until(() -> !socket.isOpen());
        assertThat(socket.closeCode()).isEqualTo(1000);
        assertThat(String.join("", socket.history())).doesNotContain("\"clientClock\":1");
        assertThat(fence.refused).hasValue(1);
        assertThat(shared.load("room-3").join().documentClock()).isEqualTo(1);
        assertThat(a.stats().roomsOwned()).isZero();
    }

    @Test
    void relayToAnOwnerThatIsGone_isClosedNormally() {
        RedisCluster b = node("b");
        connection.sync().set(prefix + ":lease:room-4", "dead-node");
        RecordingSocket socket = new RecordingSocket();
        b.connect("room-4", socket, SessionOptions.of("s1")).onText(CONNECT);
        await().atMost(Duration.ofSeconds(5)).until(() -> !socket.isOpen());
        assertThat(socket.closeCode()).isEqualTo(1000);
        assertThat(b.stats().relayedOutSessions()).isZero();
    }

    @Test
    void drain_handsTheRoomToTheOtherNode_whichLoadsItBeforeSessionsCloseWith1013() {
        RedisCluster a = node("a");
        RedisCluster b = node("b");
        RecordingSocket onA = new RecordingSocket();
        SocketHandler ha = a.connect("room-5", onA, SessionOptions.of("s-a"));
        ha.onText(CONNECT);
        awaitFrame(onA, "\"type\":\"connect\"");
        ha.onText(push(0, "note:x", 1));
        awaitFrame(onA, "\"clientClock\":0");
        RecordingSocket onB = new RecordingSocket();
        SocketHandler hb = b.connect("room-5", onB, SessionOptions.of("s-b"));
        hb.onText(CONNECT);
        awaitFrame(onB, "\"type\":\"connect\"");
        assertThat(connection.sync().get(prefix + ":lease:room-5")).isEqualTo("a");

        assertThat(a.drain(Duration.ofSeconds(10))).isEqualTo(1);

        assertThat(connection.sync().get(prefix + ":lease:room-5")).isEqualTo("b");
        assertThat(b.stats().roomsOwned()).isEqualTo(1);
        assertThat(b.rooms().find("room-5"))
                .hasValueSatisfying(r -> assertThat(r.documentClock()).isEqualTo(1));
        await().atMost(Duration.ofSeconds(5)).until(() -> !onA.isOpen() && !onB.isOpen());
        assertThat(onA.closeCode()).isEqualTo(1013);
        assertThat(onB.closeCode()).isEqualTo(1013);
        assertThat(fence.refused)
                .as("no write of the old owner met the new claim")
                .hasValue(0);
        // a drained node takes no room, and relays to the owner
        RecordingSocket again = new RecordingSocket();
        a.connect("room-5", again, SessionOptions.of("s-a")).onText(CONNECT);
        awaitFrame(again, "\"type\":\"connect\"");
        assertThat(b.stats().relayedInSessions()).isEqualTo(1);
        RecordingSocket fresh = new RecordingSocket();
        a.connect("room-6", fresh, SessionOptions.of("s-f")).onText(CONNECT);
        await().atMost(Duration.ofSeconds(5)).until(() -> !fresh.isOpen());
        assertThat(connection.sync().get(prefix + ":lease:room-6")).isNull();
    }

    @Test
    void room_onANodeThatDoesNotOwnIt_runsOperationsOnTheOwner() {
        RedisCluster a = node("a");
        RedisCluster b = node("b");
        RecordingSocket onA = new RecordingSocket();
        SocketHandler ha = a.connect("room-7", onA, SessionOptions.of("s-a"));
        ha.onText(CONNECT);
        awaitFrame(onA, "\"type\":\"connect\"");
        ha.onText(push(0, "note:x", 7));
        awaitFrame(onA, "\"clientClock\":0");

        assertThat(b.find("room-7")).isPresent();
        assertThat(b.find("room-8")).as("no node has it").isEmpty();
        dev.tandem.sync.core.Room remote = b.room("room-7");
        RoomSnapshot snapshot = remote.snapshot().join();
        assertThat(snapshot.documents()).hasSize(1);
        assertThat(remote.documentClock()).isEqualTo(1);
        assertThat(remote.sessions().join())
                .extracting(dev.tandem.sync.core.Room.SessionInfo::sessionId)
                .containsExactly("s-a");
        VersionInfo version = remote.saveVersion().join();
        assertThat(version.documentClock()).isEqualTo(1);
        assertThat(b.stats().roomsOwned()).as("the room stayed on its owner").isZero();
        // a room nobody owns is taken by the node asked
        assertThat(b.room("room-8").snapshot().join().documents()).isEmpty();
        assertThat(connection.sync().get(prefix + ":lease:room-8")).isEqualTo("b");
    }

    /** Owner epochs in memory, fencing commits to a shared in-memory store. */
    static final class MemoryFence implements RoomFence {
        private final RoomStore store;
        private final Map<String, Long> epochs = new ConcurrentHashMap<>();
        final java.util.concurrent.atomic.AtomicInteger refused = new java.util.concurrent.atomic.AtomicInteger();

        MemoryFence(RoomStore store) {
            this.store = store;
        }

        @Override
        public CompletableFuture<Long> claim(String roomId) {
            return CompletableFuture.completedFuture(epochs.merge(roomId, 1L, Long::sum));
        }

        @Override
        public synchronized CompletableFuture<Void> commit(RoomCommit commit, long epoch) {
            if (epochs.getOrDefault(commit.roomId(), 0L) != epoch) {
                refused.incrementAndGet();
                return CompletableFuture.failedFuture(new Fenced());
            }
            return store.commit(commit);
        }

        @Override
        public synchronized CompletableFuture<VersionInfo> saveVersion(
                String roomId, RoomSnapshot snapshot, long epoch) {
            if (epochs.getOrDefault(roomId, 0L) != epoch) {
                refused.incrementAndGet();
                return CompletableFuture.failedFuture(new Fenced());
            }
            return store.saveVersion(roomId, snapshot);
        }

        @Override
        public boolean isFenced(Throwable error) {
            return error instanceof Fenced || error.getCause() instanceof Fenced;
        }

        static final class Fenced extends RuntimeException {
            private static final long serialVersionUID = 1L;
        }
    }
}
