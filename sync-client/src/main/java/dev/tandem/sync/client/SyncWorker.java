package dev.tandem.sync.client;

import dev.tandem.sync.client.internal.offline.HttpHandlers;
import dev.tandem.sync.client.internal.offline.InMemoryLocalStore;
import dev.tandem.sync.client.internal.offline.Worker;
import dev.tandem.sync.client.internal.offline.WorkerSettings;
import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.PushEvent;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Offline-first sync over HTTP for clients that are often offline: edits go to a durable outbox on local disk
 * and are pushed to the server in batches ({@code POST /sync/push}); the rooms' changes are pulled by cursor
 * ({@code POST /sync/pull}) into a {@link LocalStore}. The worker sees, and is seen by, live {@link SyncClient}s
 * of the same rooms. See {@code docs/offline.md}.
 *
 * <p>A cycle pushes the whole outbox in batches of {@link Builder#batchSize} (an event is removed only once
 * the server answered it; a rejected event is moved aside, reported to {@link Listener#onRejected} and never
 * sent again), then pulls every page of changes and applies it to the local store, saving the cursor only after
 * the changes are applied. After a transport failure, or an event the server could not answer, the next cycle
 * waits an exponential {@link Builder#backoff} with jitter instead of the {@link Builder#interval}.
 *
 * <p>The outbox is a directory of one small file per event, each written to a temporary file, forced to disk
 * and renamed, so an edit is durable when {@link #enqueue} returns and a process kill loses nothing; leftover
 * temporary files are ignored on open. One directory serves one worker at a time (it is locked). Re-sending an
 * event after a crash is harmless: the server answers an event id it has seen with its first result.
 *
 * <p>Thread-safe: edits, {@link #start}, {@link #stop}, {@link #forceSync} and {@link #syncNow} may be called
 * from any thread. Cycles run one at a time on the worker's own thread, where the handlers, the local store's
 * {@link LocalStore#apply} and the listener are called ({@link Listener#onStatus} also on the thread calling
 * {@link #start} or {@link #stop}); a listener must not block. {@link #statusPublisher()}'s subscribers are called on
 * the {@linkplain Builder#publisherExecutor publisher executor} instead. Lifecycle: {@link #start()} loops until
 * {@link #stop()}; {@link #close()} stops, releases the outbox and completes the status publisher's subscribers.
 *
 * <pre>{@code
 * try (SyncWorker worker = SyncWorker.builder()
 *         .baseUrl(URI.create("http://localhost:8787/"))
 *         .directory(Path.of("outbox"))
 *         .rooms(List.of("my-room"))
 *         .build()) {
 *     worker.create("my-room", Map.of("id", "note:1", "typeName", "note", "text", "hi"));
 *     worker.start();
 * }
 * }</pre>
 */
public interface SyncWorker extends AutoCloseable {

    /** Returns a new builder. */
    static Builder builder() {
        return new Builder();
    }

    /**
     * Writes an event to the outbox, durably, and returns its id. It is pushed in the next cycle.
     *
     * @throws java.io.UncheckedIOException if the outbox cannot be written
     * @throws IllegalStateException if the worker is closed
     */
    String enqueue(PushEvent event);

    /** Enqueues the creation of a record (with a string {@code id} and {@code typeName}); returns the event id. */
    String create(String roomId, Map<String, ?> record);

    /** Enqueues replacing a whole record (with a string {@code id} and {@code typeName}); returns the event id. */
    String update(String roomId, Map<String, ?> record);

    /** Enqueues a change of some of a record's fields; returns the event id. */
    String patch(String roomId, String recordId, String typeName, ObjectDiff patch);

    /** Enqueues the deletion of a record; returns the event id. */
    String delete(String roomId, String recordId, String typeName);

    /** Returns the events waiting in the outbox, oldest first. */
    List<PushEvent> pending();

    /** Returns the events the server rejected, oldest first; they stay aside until the directory is cleared. */
    List<PushEvent> failed();

    /** Returns the local copy of the pulled rooms. */
    LocalStore store();

    /** Returns the current status. */
    Status status();

    /**
     * Returns a publisher of the worker's status: each subscriber first receives the status at the time it
     * subscribed, then every later one. It <b>conflates</b>: a subscriber that has not requested keeps only the
     * latest status not yet delivered (intermediate ones, such as a short {@link Activity#PUSHING}, may be
     * skipped; the latest never is); it never overflows. Each subscriber receives {@code onComplete} when the
     * worker is closed, after the final status; a subscriber arriving after that receives only {@code
     * onComplete}.
     *
     * <p>Signals follow the Reactive Streams rules: nothing is delivered before {@code request(n)}, at most
     * {@code n} items after it; a subscriber's methods are called one at a time, never re-entrantly, on the
     * {@linkplain Builder#publisherExecutor publisher executor}, never on the worker's thread. {@code
     * cancel()} removes the subscriber's listener. A subscriber that throws is logged and its subscription
     * cancelled; other subscribers and the worker are unaffected. Thread-safe.
     */
    Flow.Publisher<Status> statusPublisher();

    /** Starts looping: a cycle now, then one per interval (or backoff). Does nothing if already looping. */
    void start();

    /** Stops looping after the running cycle, if any. The worker can be started again. */
    void stop();

    /**
     * Runs a cycle as soon as the running one (if any) ends, instead of waiting for the interval; the loop, if
     * started, goes on from there. Completes when the cycle ends, exceptionally with its error.
     */
    CompletableFuture<Void> forceSync();

    /** Runs one cycle without starting the loop. Completes when it ends, exceptionally with its error. */
    CompletableFuture<Void> syncNow();

    /** Stops, waits for the running cycle to end, and releases the outbox. Idempotent. */
    @Override
    void close();

    /** What the worker is doing. */
    enum Activity {
        IDLE,
        PUSHING,
        PULLING
    }

    /**
     * A snapshot of the worker's state.
     *
     * @param isLooping whether {@link #start()} is in effect
     * @param status what the worker is doing now
     * @param lastSyncTime when a cycle last completed without error, or null
     * @param lastError the error of the last cycle, or null if it succeeded
     */
    record Status(
            boolean isLooping,
            Activity status,
            @Nullable Instant lastSyncTime,
            @Nullable Throwable lastError) {
        public Status {
            Objects.requireNonNull(status, "status");
        }
    }

    /** Receives the worker's events on the worker's thread; every method has a no-op default. */
    interface Listener {
        /** The status changed. */
        default void onStatus(Status status) {}

        /** The server applied an event (possibly with no effect) and it left the outbox. */
        default void onApplied(PushEvent event, EventResult result) {}

        /** The server rejected an event; it left the outbox and is kept in {@link #failed()}. */
        default void onRejected(PushEvent event, EventResult result) {}

        /** A page of pulled changes was applied to the local store. */
        default void onPulled(List<PulledChange> changes) {}
    }

    /** Sends a batch of events to the server. Called on the worker's thread. */
    @FunctionalInterface
    interface PushHandler {
        /**
         * Pushes the events and returns the server's results for those it answered (applied or rejected); an
         * event without a result stays in the outbox and is sent again later.
         *
         * @throws IOException if the server could not be reached or did not answer; the cycle backs off
         */
        List<EventResult> push(List<PushEvent> events) throws IOException;
    }

    /** Fetches a page of changes from the server. Called on the worker's thread. */
    @FunctionalInterface
    interface PullHandler {
        /**
         * Returns the changes of {@code rooms} after {@code cursor} (null: from the start), at most {@code limit}.
         *
         * @throws IOException if the server could not be reached or did not answer; the cycle backs off
         */
        PullResult pull(@Nullable String cursor, List<String> rooms, int limit) throws IOException;
    }

    /**
     * One page of a pull.
     *
     * @param changes the changes, in order
     * @param cursor where the next pull starts
     * @param hasMore whether more changes wait
     * @param resyncRooms rooms whose changes on this page are part of a full resync: once the pull has no more
     *     pages, their local records that were not among the resync's changes are deleted
     */
    record PullResult(List<PulledChange> changes, String cursor, boolean hasMore, Set<String> resyncRooms) {
        public PullResult {
            changes = List.copyOf(changes);
            Objects.requireNonNull(cursor, "cursor");
            resyncRooms = Set.copyOf(resyncRooms);
        }
    }

    /**
     * One pulled change: a record's current state, or its deletion.
     *
     * @param roomId the room
     * @param recordId the record
     * @param typeName its type, or null for a deletion of unknown type
     * @param record the current state, or null for a deletion
     */
    record PulledChange(
            String roomId,
            String recordId,
            @Nullable String typeName,
            @Nullable Map<String, Object> record) {
        public PulledChange {
            Objects.requireNonNull(roomId, "roomId");
            Objects.requireNonNull(recordId, "recordId");
            if (record != null) {
                record = cast((Map<?, ?>) Objects.requireNonNull(dev.tandem.sync.core.Json.freeze(record)));
            }
        }

        /** Returns true for a deletion. */
        public boolean deleted() {
            return record == null;
        }

        @SuppressWarnings("unchecked")
        private static Map<String, Object> cast(Map<?, ?> m) {
            return (Map<String, Object>) m;
        }
    }

    /**
     * The worker's local copy of the rooms' records, as pulled from the server (the outbox's pending edits are
     * not applied to it). Implementations must be safe to read from any thread while the worker applies.
     */
    interface LocalStore {
        /** Applies a page of pulled changes: upserts and deletions. Called on the worker's thread. */
        void apply(List<PulledChange> changes);

        /** Returns the ids of a room's records. */
        Set<String> recordIds(String roomId);

        /** Returns one record, if present. */
        Optional<Map<String, Object>> get(String roomId, String recordId);

        /** Returns a new thread-safe store that keeps the records in memory. */
        static LocalStore inMemory() {
            return new InMemoryLocalStore();
        }
    }

    /** Configures a {@link SyncWorker}; each setter checks its value at once. Not thread-safe. */
    final class Builder {
        /** The default number of events per push. */
        public static final int DEFAULT_BATCH_SIZE = 10;
        /** The largest number of events per push (the server's default limit). */
        public static final int MAX_BATCH_SIZE = 100;
        /** The default wait between cycles. */
        public static final Duration DEFAULT_INTERVAL = Duration.ofSeconds(5);
        /** The default first backoff after a failed cycle. */
        public static final Duration DEFAULT_BACKOFF = Duration.ofSeconds(30);
        /** The default longest backoff. */
        public static final Duration DEFAULT_MAX_BACKOFF = Duration.ofMinutes(10);
        /** The default page size of a pull. */
        public static final int DEFAULT_PULL_LIMIT = 500;

        private @Nullable URI baseUrl;
        private @Nullable Path directory;
        private final LinkedHashSet<String> rooms = new LinkedHashSet<>();
        private @Nullable PushHandler pushHandler;
        private @Nullable PullHandler pullHandler;
        private int batchSize = DEFAULT_BATCH_SIZE;
        private int pullLimit = DEFAULT_PULL_LIMIT;
        private Duration interval = DEFAULT_INTERVAL;
        private Duration backoff = DEFAULT_BACKOFF;
        private Duration maxBackoff = DEFAULT_MAX_BACKOFF;
        private @Nullable Supplier<@Nullable String> getCursor;
        private @Nullable Consumer<String> setCursor;
        private LocalStore store = LocalStore.inMemory();
        private Listener listener = new Listener() {};
        private Map<String, String> headers = Map.of();
        private Executor publisherExecutor = ForkJoinPool.commonPool();

        private Builder() {}

        /** The server, e.g. {@code http://localhost:8787/}, for the default HTTP handlers. */
        public Builder baseUrl(URI baseUrl) {
            Objects.requireNonNull(baseUrl, "baseUrl");
            String scheme = baseUrl.getScheme();
            if (!"http".equals(scheme) && !"https".equals(scheme)) {
                throw new IllegalArgumentException("baseUrl must be http or https but was " + baseUrl);
            }
            this.baseUrl = baseUrl;
            return this;
        }

        /** Headers sent with every default HTTP request (e.g. {@code Authorization}). */
        public Builder headers(Map<String, String> headers) {
            this.headers = Map.copyOf(Objects.requireNonNull(headers, "headers"));
            return this;
        }

        /** The directory of the outbox (and of the default cursor file); created if missing. Required. */
        public Builder directory(Path directory) {
            this.directory = Objects.requireNonNull(directory, "directory");
            return this;
        }

        /** The rooms to pull. At least one is required. */
        public Builder rooms(Collection<String> rooms) {
            for (String r : rooms) {
                Objects.requireNonNull(r, "room");
                if (r.isEmpty()) {
                    throw new IllegalArgumentException("room ids must not be empty");
                }
            }
            this.rooms.addAll(rooms);
            return this;
        }

        /** Replaces the default HTTP push. */
        public Builder pushHandler(PushHandler pushHandler) {
            this.pushHandler = Objects.requireNonNull(pushHandler, "pushHandler");
            return this;
        }

        /** Replaces the default HTTP pull. */
        public Builder pullHandler(PullHandler pullHandler) {
            this.pullHandler = Objects.requireNonNull(pullHandler, "pullHandler");
            return this;
        }

        /** Events per push: 1 to 100, default 10. */
        public Builder batchSize(int batchSize) {
            if (batchSize < 1 || batchSize > MAX_BATCH_SIZE) {
                throw new IllegalArgumentException(
                        "batchSize must be between 1 and " + MAX_BATCH_SIZE + " but was " + batchSize);
            }
            this.batchSize = batchSize;
            return this;
        }

        /** Changes per pull page: 1 to 1000 (the server's default limit), default 500. */
        public Builder pullLimit(int pullLimit) {
            if (pullLimit < 1 || pullLimit > 1000) {
                throw new IllegalArgumentException("pullLimit must be between 1 and 1000 but was " + pullLimit);
            }
            this.pullLimit = pullLimit;
            return this;
        }

        /** The wait between successful cycles; > 0, default 5 s. */
        public Builder interval(Duration interval) {
            this.interval = positive("interval", interval);
            return this;
        }

        /**
         * The wait after a failed cycle: {@code base}, doubled after each further failure up to {@code max}, each
         * reduced by a random fraction of up to a half (jitter). Default 30 s, capped at 10 min.
         */
        public Builder backoff(Duration base, Duration max) {
            positive("backoff", base);
            positive("maxBackoff", max);
            if (max.compareTo(base) < 0) {
                throw new IllegalArgumentException("maxBackoff must be >= backoff " + base + " but was " + max);
            }
            this.backoff = base;
            this.maxBackoff = max;
            return this;
        }

        /**
         * Where the pull cursor is kept; default a file {@code cursor} in the outbox directory, replaced
         * atomically. {@code setCursor} is called only after the changes before it were applied.
         */
        public Builder cursor(Supplier<@Nullable String> getCursor, Consumer<String> setCursor) {
            this.getCursor = Objects.requireNonNull(getCursor, "getCursor");
            this.setCursor = Objects.requireNonNull(setCursor, "setCursor");
            return this;
        }

        /** The local store pulled changes are applied to; default {@link LocalStore#inMemory()}. */
        public Builder store(LocalStore store) {
            this.store = Objects.requireNonNull(store, "store");
            return this;
        }

        /** Receives status changes, results and pulled pages. */
        public Builder listener(Listener listener) {
            this.listener = Objects.requireNonNull(listener, "listener");
            return this;
        }

        /**
         * Runs the deliveries of {@link SyncWorker#statusPublisher()} to its subscribers (each subscriber's calls
         * one at a time, whatever the executor); defaults to {@link ForkJoinPool#commonPool()}.
         */
        public Builder publisherExecutor(Executor publisherExecutor) {
            this.publisherExecutor = Objects.requireNonNull(publisherExecutor, "publisherExecutor");
            return this;
        }

        /**
         * Opens the outbox (recovering what a crash left) and builds the worker, not yet looping.
         *
         * @throws IllegalStateException if a required setting is missing or the directory is in use
         * @throws java.io.UncheckedIOException if the directory cannot be opened
         */
        public SyncWorker build() {
            if (directory == null) {
                throw new IllegalStateException("set the outbox directory with directory(path)");
            }
            if (rooms.isEmpty()) {
                throw new IllegalStateException("set the rooms to pull with rooms(...)");
            }
            if ((pushHandler == null || pullHandler == null) && baseUrl == null) {
                throw new IllegalStateException("set baseUrl(uri), or both pushHandler and pullHandler");
            }
            HttpHandlers http = baseUrl == null ? null : new HttpHandlers(baseUrl, headers);
            return Worker.open(new WorkerSettings(
                    directory,
                    List.copyOf(rooms),
                    pushHandler != null ? pushHandler : http::push,
                    pullHandler != null ? pullHandler : http::pull,
                    batchSize,
                    pullLimit,
                    interval,
                    backoff,
                    maxBackoff,
                    getCursor,
                    setCursor,
                    store,
                    listener,
                    publisherExecutor));
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be > 0 but was " + d);
            }
            return d;
        }
    }
}
