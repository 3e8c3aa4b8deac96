package dev.tandem.sync.bench.persist;

import dev.tandem.sync.core.RoomCommit;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.store.jdbc.JdbcRoomStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.stream.Stream;

/**
 * CPU per written record of the SQLite store alone, without a server: rounds of one commit per room (each of
 * {@code --records} small records, as the load generator makes them: 20 writers per room, each creating a
 * record and then changing it), all of a round's commits waited for before the next round. Measures this
 * process's user and system CPU over the second half of the rounds (the first half warms up) and prints one
 * JSON line.
 *
 * <pre>
 * java -cp sync-bench/target/benchmarks.jar dev.tandem.sync.bench.persist.StoreCommitBenchmark \
 *     [--rooms 10] [--records 3] [--rounds 6000] [--commit-delay-ms 2] [--fold-interval-ms 2000]
 * </pre>
 */
public final class StoreCommitBenchmark {
    private static final double TICKS_PER_SECOND = 100.0;

    private StoreCommitBenchmark() {}

    public static void main(String[] args) throws Exception {
        Map<String, String> o = new LinkedHashMap<>(Map.of(
                "rooms", "10", "records", "3", "rounds", "6000", "commit-delay-ms", "2", "fold-interval-ms", "2000"));
        for (int i = 0; i + 1 < args.length; i += 2) {
            String key = args[i].replaceFirst("^--", "");
            if (!o.containsKey(key)) {
                throw new IllegalArgumentException("unknown option " + args[i] + "; options: " + o.keySet());
            }
            o.put(key, args[i + 1]);
        }
        int rooms = Integer.parseInt(o.get("rooms"));
        int perCommit = Integer.parseInt(o.get("records"));
        int rounds = Integer.parseInt(o.get("rounds"));
        Path dir = Files.createTempDirectory("tandem-store-bench");
        try (JdbcRoomStore store = JdbcRoomStore.builder()
                .sqlite(dir)
                .commitDelay(Duration.ofMillis(Long.parseLong(o.get("commit-delay-ms"))))
                .logFoldInterval(Duration.ofMillis(Long.parseLong(o.get("fold-interval-ms"))))
                .build()) {
            long[] clocks = new long[rooms];
            int[] changes = new int[rooms];
            Map<String, Object> schema = Map.of("schemaVersion", 2, "sequences", Map.of("com.example.page", 1));
            Random random = new Random(1);
            long[] start = null;
            long startNanos = 0;
            long records = 0;
            for (int round = 0; round < rounds; round++) {
                if (round == rounds / 2) {
                    start = cpuTicks();
                    startNanos = System.nanoTime();
                }
                List<CompletableFuture<Void>> done = new ArrayList<>(rooms);
                for (int room = 0; room < rooms; room++) {
                    Map<String, RoomSnapshot.Document> puts = new LinkedHashMap<>();
                    for (int k = 0; k < perCommit; k++) {
                        int change = changes[room]++;
                        String id = "page:w" + random.nextInt(20) + "-" + change / 2;
                        long clock = ++clocks[room];
                        puts.put(id, new RoomSnapshot.Document(page(id, change), clock));
                    }
                    if (round >= rounds / 2) {
                        records += puts.size();
                    }
                    done.add(store.commit(new RoomCommit("room-" + room, clocks[room], puts, Map.of(), 0, schema)));
                }
                CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)).join();
            }
            long[] end = cpuTicks();
            double wall = (System.nanoTime() - startNanos) / 1e3;
            System.out.printf(
                    Locale.ROOT,
                    "{\"rooms\":%d,\"recordsPerCommit\":%d,\"records\":%d,\"commitDelayMs\":%s,\"foldIntervalMs\":%s,"
                            + "\"userUsPerRecord\":%.1f,\"systemUsPerRecord\":%.1f,\"cpuUsPerRecord\":%.1f,"
                            + "\"wallUsPerRecord\":%.1f}%n",
                    rooms,
                    perCommit,
                    records,
                    o.get("commit-delay-ms"),
                    o.get("fold-interval-ms"),
                    (end[0] - start[0]) / TICKS_PER_SECOND * 1e6 / records,
                    (end[1] - start[1]) / TICKS_PER_SECOND * 1e6 / records,
                    (end[0] - start[0] + end[1] - start[1]) / TICKS_PER_SECOND * 1e6 / records,
                    wall / records);
        } finally {
            try (Stream<Path> files = Files.walk(dir)) {
                for (Path p : files.sorted(Comparator.reverseOrder()).toList()) {
                    Files.deleteIfExists(p);
                }
            }
        }
    }

    private static Map<String, Object> page(String id, int change) {
        return Map.of("id", id, "typeName", "page", "name", "lg", "index", "a1", "meta", Map.of("lg_t", change));
    }

    /** Returns this process's user and system CPU ticks, from {@code /proc/self/stat}. */
    private static long[] cpuTicks() throws IOException {
        String stat = Files.readString(Path.of("/proc/self/stat"));
        String[] f = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
        return new long[] {Long.parseLong(f[11]), Long.parseLong(f[12])};
    }
}
