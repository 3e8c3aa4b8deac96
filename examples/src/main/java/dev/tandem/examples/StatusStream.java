package dev.tandem.examples;

import dev.tandem.sync.client.ChangeSource;
import dev.tandem.sync.client.StoreChange;
import dev.tandem.sync.client.SyncClient;
import dev.tandem.sync.client.SyncStatus;
import java.io.PrintStream;
import java.net.URI;
import java.util.Map;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;

/**
 * Follows a room as two streams: the client's connection status and its store changes, consumed as {@link
 * Flow.Publisher}s. Each stream is pulled one item at a time ({@code request(1)} after each item: back-pressure
 * in its plainest form); the status stream conflates, so a slow reader sees the latest status, while the change
 * stream buffers up to {@link SyncClient#DEFAULT_CHANGES_BUFFER} changes and fails rather than drop one.
 *
 * <pre>
 * StatusStream &lt;baseUrl&gt; &lt;roomId&gt; [changesToPrint]
 * </pre>
 *
 * <p>With {@code changesToPrint} it stops after printing that many store changes; without it, it runs until
 * killed. The same publishers plug into Reactor ({@code JdkFlowAdapter.flowPublisherToFlux}), RxJava (via
 * Reactive Streams' {@code FlowAdapters}) or Kotlin ({@code asFlow()}).
 */
public final class StatusStream {
    private static final Map<String, Object> SCHEMA =
            Map.of("schemaVersion", 2, "sequences", Map.of("com.tandem.example.note", 1));

    private StatusStream() {}

    public static void main(String[] args) throws InterruptedException {
        System.exit(run(args, System.out));
    }

    /** Prints the room's status and changes; returns the exit code. */
    static int run(String[] args, PrintStream out) throws InterruptedException {
        if (args.length < 2) {
            out.println("usage: StatusStream <baseUrl> <roomId> [changesToPrint]");
            return 2;
        }
        long limit = args.length > 2 ? Long.parseLong(args[2]) : Long.MAX_VALUE;
        CountDownLatch printed = new CountDownLatch((int) Math.min(limit, Integer.MAX_VALUE));
        CountDownLatch completed = new CountDownLatch(2);
        // subscribers get a thread of their own: whatever they do, the client's thread never waits for them
        ExecutorService deliveries = Executors.newSingleThreadExecutor();
        try (SyncClient client = SyncClient.builder()
                .baseUrl(URI.create(args[0]))
                .roomId(args[1])
                .schema(SCHEMA)
                .publisherExecutor(deliveries)
                .build()) {
            client.statusPublisher()
                    .subscribe(new OneAtATime<SyncStatus>(
                            "status", out, completed, status -> out.println("status " + status)));
            client.changes().subscribe(new OneAtATime<StoreChange>("changes", out, completed, change -> {
                print(out, change);
                printed.countDown();
            }));
            printed.await();
        }
        // closing the client completes both streams, after their last items
        boolean done = completed.await(10, TimeUnit.SECONDS);
        deliveries.shutdown();
        return done ? 0 : 1;
    }

    private static void print(PrintStream out, StoreChange change) {
        String who = change.source() == ChangeSource.LOCAL ? "local" : "remote";
        change.added().forEach((id, r) -> out.println(who + " + " + id + " " + r.getOrDefault("text", "")));
        change.updated().forEach((id, u) -> out.println(who + " ~ " + id + " " + u.to().getOrDefault("text", "")));
        change.removed().forEach((id, r) -> out.println(who + " - " + id));
    }

    /**
     * Requests one item, handles it, requests the next. Its methods are never called concurrently, so it needs
     * no locking of its own.
     */
    private static final class OneAtATime<T> implements Flow.Subscriber<T> {
        private final String name;
        private final PrintStream out;
        private final CountDownLatch completed;
        private final Consumer<T> handler;
        private Flow.Subscription subscription;

        OneAtATime(String name, PrintStream out, CountDownLatch completed, Consumer<T> handler) {
            this.name = name;
            this.out = out;
            this.completed = completed;
            this.handler = handler;
        }

        @Override
        public void onSubscribe(Flow.Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(T item) {
            handler.accept(item);
            subscription.request(1);
        }

        @Override
        public void onError(Throwable error) {
            out.println(name + " failed: " + error.getMessage());
            completed.countDown();
        }

        @Override
        public void onComplete() {
            out.println(name + " complete");
            completed.countDown();
        }
    }
}
