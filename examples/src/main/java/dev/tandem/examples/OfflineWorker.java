package dev.tandem.examples;

import dev.tandem.sync.client.SyncWorker;
import java.io.PrintStream;
import java.net.URI;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.TimeUnit;

/**
 * An offline-first client: each run writes a note to a durable outbox on disk (it survives a crash or a
 * missing network), runs one sync cycle — push the outbox over HTTP, pull the room's changes — and prints
 * the room as the worker now knows it. Run it while the server is down, then again once it is up: the
 * earlier notes arrive exactly once.
 *
 * <pre>
 * ./mvnw -q -pl examples exec:java -Dexec.mainClass=dev.tandem.examples.OfflineWorker \
 *     -Dexec.args="http://127.0.0.1:8787/ demo ./worker-outbox 'written offline'"
 * </pre>
 */
public final class OfflineWorker {
    private OfflineWorker() {}

    public static void main(String[] args) throws Exception {
        System.exit(run(args, System.out));
    }

    /** Runs one enqueue-and-sync round; returns the exit code (0 when the cycle reached the server). */
    static int run(String[] args, PrintStream out) throws Exception {
        if (args.length < 3) {
            out.println("usage: OfflineWorker <baseUrl> <roomId> <outboxDir> [note text]");
            return 2;
        }
        String room = args[1];
        try (SyncWorker worker = SyncWorker.builder()
                .baseUrl(URI.create(args[0]))
                .directory(Path.of(args[2]))
                .rooms(List.of(room))
                .build()) {
            if (args.length > 3) {
                String id = "note:" + UUID.randomUUID().toString().substring(0, 8);
                worker.create(room, Map.of("id", id, "typeName", "note", "text", args[3]));
                out.println("queued " + id + " (" + worker.pending().size() + " waiting in the outbox)");
            }
            try {
                worker.syncNow().get(30, TimeUnit.SECONDS);
            } catch (Exception e) {
                out.println("offline: " + e.getCause() + "; the outbox keeps "
                        + worker.pending().size() + " edits");
                return 1;
            }
            out.println("synced; " + worker.pending().size() + " edits still waiting");
            for (String id : worker.store().recordIds(room)) {
                out.println(id + "  "
                        + worker.store().get(room, id).map(r -> r.get("text")).orElse(""));
            }
            return 0;
        }
    }
}
