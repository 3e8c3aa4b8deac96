package dev.tandem.sync.client.offline;

import dev.tandem.sync.client.SyncWorker;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

/**
 * A worker in a child JVM, for the kill test: {@code <dir> <baseUrl> <room> <events>}. Enqueues the events of
 * {@link Edits#counter} while offline (nothing is sent), prints {@code ENQUEUED}, then syncs on a loop with
 * small batches until killed.
 */
public final class WorkerProcessMain {
    private WorkerProcessMain() {}

    public static void main(String[] args) throws Exception {
        Path dir = Path.of(args[0]);
        URI base = URI.create(args[1]);
        String room = args[2];
        int count = Integer.parseInt(args[3]);
        SyncWorker worker = SyncWorker.builder()
                .baseUrl(base)
                .directory(dir)
                .rooms(List.of(room))
                .batchSize(3)
                .interval(Duration.ofMillis(20))
                .backoff(Duration.ofMillis(20), Duration.ofMillis(100))
                .build();
        Edits.counter(worker, room, "note:counter", count);
        System.out.println("ENQUEUED " + worker.pending().size());
        System.out.flush();
        worker.start();
        Thread.currentThread().join();
    }
}
