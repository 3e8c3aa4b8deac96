package dev.tandem.sync.client.testing;

import dev.tandem.sync.client.SyncClient;
import dev.tandem.sync.client.SyncStatus;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.testing.ManualScheduler;
import java.net.URI;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;

/**
 * A room on a manual clock with SyncClients wired to it in memory: every client runs on its own {@link
 * ManualExecutor}, so a test decides when each client processes what it received. Not thread-safe.
 */
public final class ClientRig implements AutoCloseable {
    /** The clients' schema, equal to the room's. */
    public static final Map<String, Object> SCHEMA =
            Map.of("schemaVersion", 2L, "sequences", Map.of("com.example.shape", 2L, "com.example.store", 1L));

    public final ManualScheduler clock = new ManualScheduler();
    public final Room room;
    public final RoomTransport transport;
    private final List<SyncClient> clients = new ArrayList<>();
    private final List<ManualExecutor> lanes = new ArrayList<>();
    private final long seed;

    public ClientRig() {
        this(Duration.ZERO, 1);
    }

    public ClientRig(Duration batchInterval, long seed) {
        this(batchInterval, seed, schema());
    }

    public ClientRig(Duration batchInterval, long seed, RoomSchema schema) {
        AtomicInteger ids = new AtomicInteger();
        this.seed = seed;
        room = Room.create(
                "room-1",
                RoomOptions.builder()
                        .schema(schema)
                        .batchInterval(batchInterval)
                        .scheduler(clock)
                        .executor(Runnable::run)
                        .idGenerator(() -> "p" + ids.incrementAndGet())
                        .build());
        transport = new RoomTransport(room);
    }

    public static RoomSchema schema() {
        return RoomSchema.builder()
                .sequence("com.example.shape", 2)
                .sequence("com.example.store", 1)
                .documentType("page")
                .documentType("shape", r -> {
                    if (!(r.get("x") instanceof Number)) {
                        throw new IllegalArgumentException("x must be a number");
                    }
                })
                .presenceType("instance_presence")
                .build();
    }

    /** Returns a builder for a client of this rig (not yet built). */
    public SyncClient.Builder builder(String sessionId, boolean readOnly) {
        ManualExecutor lane = new ManualExecutor();
        lanes.add(lane);
        return SyncClient.builder()
                .uri(URI.create("ws://test/" + (readOnly ? "ro" : "connect") + "/room-1"))
                .sessionId(sessionId)
                .schema(SCHEMA)
                .scheduler(clock)
                .executor(lane)
                .transport(transport)
                .random(new Random(seed + lanes.size()));
    }

    /** Builds a read-write client, tracked for {@link #pump()} and {@link #close()}. */
    public SyncClient client(String sessionId) {
        return client(builder(sessionId, false));
    }

    public SyncClient client(SyncClient.Builder builder) {
        SyncClient c = builder.build();
        clients.add(c);
        return c;
    }

    /** Returns the lane of the i-th client built. */
    public ManualExecutor lane(int i) {
        return lanes.get(i);
    }

    /** Runs every client's lane until all are idle. */
    public void pump() {
        boolean ran = true;
        while (ran) {
            ran = false;
            for (ManualExecutor lane : lanes) {
                ran |= lane.runAll() > 0;
            }
        }
    }

    /** Moves time forward and then pumps. */
    public void advance(Duration by) {
        clock.advance(by);
        pump();
    }

    /**
     * Advances time in small steps until every client is online with nothing unconfirmed, for at most a
     * minute of simulated time.
     */
    public void settle() {
        pump();
        for (int i = 0; i < 1200; i++) {
            if (clients.stream().allMatch(c -> c.status().equals(SyncStatus.ONLINE) && !c.hasUnconfirmedChanges())
                    && lanes.stream().allMatch(ManualExecutor::isIdle)) {
                // one more round so batched room output and last flushes land
                advance(Duration.ofMillis(100));
                if (clients.stream().noneMatch(SyncClient::hasUnconfirmedChanges)) {
                    return;
                }
            }
            advance(Duration.ofMillis(50));
        }
        throw new AssertionError("clients did not settle: "
                + clients.stream()
                        .map(c -> c.sessionId() + "=" + c.status() + "/" + c.hasUnconfirmedChanges())
                        .toList());
    }

    /** Returns the room's documents by id. */
    public TreeMap<String, Map<String, Object>> serverDocuments() {
        RoomSnapshot snap = room.snapshot().join();
        TreeMap<String, Map<String, Object>> out = new TreeMap<>();
        for (RoomSnapshot.Document d : snap.documents()) {
            out.put((String) d.state().get("id"), d.state());
        }
        return out;
    }

    /** Returns a client's document records (not presence) by id. */
    public static TreeMap<String, Map<String, Object>> documents(SyncClient client) {
        TreeMap<String, Map<String, Object>> out = new TreeMap<>();
        for (Map<String, Object> r : client.store().all()) {
            if (!"instance_presence".equals(r.get("typeName"))) {
                out.put((String) r.get("id"), r);
            }
        }
        return out;
    }

    @Override
    public void close() {
        for (SyncClient c : clients) {
            c.close();
        }
        pump();
        room.close();
    }

    /** Applies {@code change} to every client built so far. */
    public void forEach(Consumer<SyncClient> change) {
        clients.forEach(change);
    }
}
