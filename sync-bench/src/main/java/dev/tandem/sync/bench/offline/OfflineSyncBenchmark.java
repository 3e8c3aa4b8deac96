package dev.tandem.sync.bench.offline;

import dev.tandem.sync.client.SyncWorker;
import dev.tandem.sync.client.internal.offline.HttpHandlers;
import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.PushEvent;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.server.NodeBudget;
import dev.tandem.sync.server.TandemServer;
import dev.tandem.sync.store.jdbc.JdbcRoomStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

/**
 * Push and pull throughput of offline HTTP sync, end to end over loopback HTTP into a server with a SQLite
 * store in {@code durability=sync} (each push is answered after its changes are committed):
 *
 * <ul>
 *   <li>push: events per second at 50 events per request, from 1 and from 4 concurrent clients (each its own
 *       room);
 *   <li>pull: changes per second for a backlog of 100,000 changes, 1000 per page, incrementally (from a cursor
 *       inside the tombstone history) and as a full resync (from no cursor).
 * </ul>
 *
 * <p>Run: {@code java -cp sync-bench/target/benchmarks.jar dev.tandem.sync.bench.offline.OfflineSyncBenchmark}
 */
public final class OfflineSyncBenchmark {
    private static final int BATCH = 50;
    private static final int PUSH_EVENTS = 20_000;
    private static final int BACKLOG = 100_000;
    private static final int PAGE = 1_000;

    private OfflineSyncBenchmark() {}

    public static void main(String[] args) throws Exception {
        Path data = Files.createTempDirectory("tandem-offline-bench");
        try (JdbcRoomStore store = JdbcRoomStore.builder().sqlite(data).build();
                TandemServer server = TandemServer.builder()
                        .port(0)
                        .roomOptions(RoomOptions.builder()
                                .schema(RoomSchema.pinned())
                                .store(store)
                                .batchInterval(Duration.ZERO)
                                .build())
                        // the benchmark pushes as fast as it can from one address: no HTTP rate limit
                        .budget(NodeBudget.builder()
                                .httpRequestRate(1_000_000, 1_000_000)
                                .build())
                        .build()
                        .start()) {
            HttpHandlers http = new HttpHandlers(server.uri(), Map.of());
            push(http, 1, "warmup", 2_000);
            for (int clients : new int[] {1, 4}) {
                double rate = push(http, clients, "push" + clients, PUSH_EVENTS);
                System.out.printf(
                        "push: %,d events, batch %d, %d client(s): %,.0f events/s%n",
                        PUSH_EVENTS, BATCH, clients, rate);
            }
            Room room = server.ownedRooms().orElseThrow().room("backlog");
            room.update(tx -> tx.put(Map.of("id", "note:seed", "typeName", "note")))
                    .join();
            String cursor = http.pull(null, List.of("backlog"), PAGE).cursor();
            for (int t = 0; t < BACKLOG / PAGE; t++) {
                int base = t * PAGE;
                room.update(tx -> {
                            for (int i = 0; i < PAGE; i++) {
                                tx.put(Map.of(
                                        "id",
                                        "note:" + (base + i),
                                        "typeName",
                                        "note",
                                        "text",
                                        "change " + (base + i),
                                        "x",
                                        (long) i));
                            }
                        })
                        .join();
            }
            room.flush().join();
            pull(http, "incremental", cursor, BACKLOG);
            pull(http, "incremental", cursor, BACKLOG);
            pull(http, "full resync", null, BACKLOG + 1);
        }
    }

    private static double push(HttpHandlers http, int clients, String roomPrefix, int total) throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(clients);
        int perClient = total / clients;
        long start = System.nanoTime();
        List<Future<?>> done = new ArrayList<>();
        for (int c = 0; c < clients; c++) {
            String room = roomPrefix + "-" + c;
            done.add(pool.submit(() -> {
                for (int b = 0; b < perClient / BATCH; b++) {
                    List<PushEvent> events = new ArrayList<>(BATCH);
                    for (int i = 0; i < BATCH; i++) {
                        String id = "note:" + (b * BATCH + i);
                        events.add(new PushEvent(
                                room + "/" + id,
                                room,
                                id,
                                "note",
                                PushEvent.Operation.CREATE,
                                Map.of("id", id, "typeName", "note", "text", "hello " + i, "x", (long) i),
                                null,
                                System.currentTimeMillis()));
                    }
                    List<EventResult> results = http.push(events);
                    if (results.size() != BATCH || !results.stream().allMatch(EventResult::applied)) {
                        throw new IllegalStateException("not all applied: " + results);
                    }
                }
                return null;
            }));
        }
        for (Future<?> f : done) {
            f.get();
        }
        pool.shutdown();
        return perClient * clients / ((System.nanoTime() - start) / 1e9);
    }

    private static void pull(HttpHandlers http, String what, String cursor, int expected) throws IOException {
        long start = System.nanoTime();
        int changes = 0;
        int pages = 0;
        String at = cursor;
        while (true) {
            SyncWorker.PullResult page = http.pull(at, List.of("backlog"), PAGE);
            changes += page.changes().size();
            pages++;
            at = page.cursor();
            if (!page.hasMore()) {
                break;
            }
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (changes != expected) {
            throw new IllegalStateException(what + ": pulled " + changes + " changes, expected " + expected);
        }
        System.out.printf(
                "pull (%s): %,d changes in %d pages of %d: %.2f s, %,.0f changes/s%n",
                what, changes, pages, PAGE, seconds, changes / seconds);
    }
}
