package dev.tandem.sync.client.internal.offline;

import dev.tandem.sync.client.Subscription;
import dev.tandem.sync.client.SyncWorker;
import dev.tandem.sync.client.internal.flow.ListenerPublisher;
import dev.tandem.sync.client.internal.flow.SubscriberRegistry;
import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.PushEvent;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.Flow;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link SyncWorker}: a file outbox and a single thread that runs push → pull cycles, on a loop or on
 * demand. Cycle state (backoff, cursor) is confined to that thread; the status is published under the
 * worker's lock.
 */
public final class Worker implements SyncWorker {
    private static final Logger LOG = LoggerFactory.getLogger(Worker.class);

    private final WorkerSettings settings;
    private final FileOutbox outbox;
    private final Supplier<@Nullable String> getCursor;
    private final Consumer<String> setCursor;
    private final ScheduledThreadPoolExecutor thread;
    private final SubscriberRegistry subscribers = new SubscriberRegistry();
    private final CopyOnWriteArrayList<Consumer<Status>> statusSinks = new CopyOnWriteArrayList<>();
    private final ListenerPublisher<Status> statusPublisher;

    // guarded by this
    private boolean looping;
    private boolean closed;
    private @Nullable ScheduledFuture<?> next;
    private Status status = new Status(false, Activity.IDLE, null, null);

    // confined to the worker thread
    private int failures;

    private Worker(WorkerSettings settings, FileOutbox outbox) {
        this.settings = settings;
        this.outbox = outbox;
        Path cursorFile = settings.directory().resolve("cursor");
        this.getCursor = settings.getCursor() != null
                ? settings.getCursor()
                : () -> {
                    try {
                        return FileOutbox.read(cursorFile);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot read the cursor " + cursorFile, e);
                    }
                };
        this.setCursor = settings.setCursor() != null
                ? settings.setCursor()
                : cursor -> {
                    try {
                        FileOutbox.writeAtomically(cursorFile, cursor);
                    } catch (IOException e) {
                        throw new UncheckedIOException("cannot write the cursor " + cursorFile, e);
                    }
                };
        this.thread = new ScheduledThreadPoolExecutor(1, r -> {
            Thread t = new Thread(r, "tandem-sync-worker");
            t.setDaemon(true);
            return t;
        });
        thread.setRemoveOnCancelPolicy(true);
        this.statusPublisher = ListenerPublisher.conflating(
                "the sync worker's status", subscribers, settings.publisherExecutor(), this::attachStatus);
    }

    /** Opens the outbox in the settings' directory and returns a worker that is not looping. */
    public static Worker open(WorkerSettings settings) {
        try {
            FileOutbox outbox = FileOutbox.open(settings.directory());
            LOG.info("Sync worker opened {} with {} pending events", settings.directory(), outbox.size());
            return new Worker(settings, outbox);
        } catch (IOException e) {
            throw new UncheckedIOException("cannot open the outbox " + settings.directory(), e);
        }
    }

    // ------------------------------------------------------------------------------------------ edits

    @Override
    public String enqueue(PushEvent event) {
        Objects.requireNonNull(event, "event");
        outbox.add(event);
        return event.id();
    }

    @Override
    public String create(String roomId, Map<String, ?> record) {
        return enqueue(recordEvent(roomId, record, PushEvent.Operation.CREATE));
    }

    @Override
    public String update(String roomId, Map<String, ?> record) {
        return enqueue(recordEvent(roomId, record, PushEvent.Operation.UPDATE));
    }

    @Override
    public String patch(String roomId, String recordId, String typeName, ObjectDiff patch) {
        Objects.requireNonNull(patch, "patch");
        return enqueue(
                new PushEvent(newId(), roomId, recordId, typeName, PushEvent.Operation.UPDATE, null, patch, now()));
    }

    @Override
    public String delete(String roomId, String recordId, String typeName) {
        return enqueue(
                new PushEvent(newId(), roomId, recordId, typeName, PushEvent.Operation.DELETE, null, null, now()));
    }

    @SuppressWarnings("unchecked")
    private static PushEvent recordEvent(String roomId, Map<String, ?> record, PushEvent.Operation op) {
        Objects.requireNonNull(record, "record");
        if (!(record.get("id") instanceof String id) || !(record.get("typeName") instanceof String type)) {
            throw new IllegalArgumentException("a record needs a string id and typeName");
        }
        return new PushEvent(newId(), roomId, id, type, op, (Map<String, Object>) record, null, now());
    }

    private static String newId() {
        return UUID.randomUUID().toString();
    }

    private static long now() {
        return System.currentTimeMillis();
    }

    @Override
    public List<PushEvent> pending() {
        return outbox.pending();
    }

    @Override
    public List<PushEvent> failed() {
        return outbox.failed();
    }

    @Override
    public LocalStore store() {
        return settings.store();
    }

    @Override
    public synchronized Status status() {
        return status;
    }

    @Override
    public Flow.Publisher<Status> statusPublisher() {
        return statusPublisher;
    }

    /** Hands the current status, then every later one, to {@code sink}: under the lock that publishes them. */
    private synchronized Subscription attachStatus(Consumer<Status> sink) {
        sink.accept(status);
        statusSinks.add(sink);
        return () -> statusSinks.remove(sink);
    }

    // ------------------------------------------------------------------------------------------ lifecycle

    @Override
    public synchronized void start() {
        checkOpen();
        if (looping) {
            return;
        }
        looping = true;
        publish(status.status(), status.lastSyncTime(), status.lastError());
        reschedule(Duration.ZERO, null);
    }

    @Override
    public synchronized void stop() {
        if (!looping) {
            return;
        }
        looping = false;
        if (next != null) {
            next.cancel(false);
            next = null;
        }
        publish(status.status(), status.lastSyncTime(), status.lastError());
    }

    @Override
    public synchronized CompletableFuture<Void> forceSync() {
        checkOpen();
        CompletableFuture<Void> done = new CompletableFuture<>();
        reschedule(Duration.ZERO, done);
        return done;
    }

    @Override
    public synchronized CompletableFuture<Void> syncNow() {
        checkOpen();
        CompletableFuture<Void> done = new CompletableFuture<>();
        thread.execute(() -> runCycle(done, false));
        return done;
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            stop();
            closed = true;
        }
        thread.shutdown();
        try {
            if (!thread.awaitTermination(60, TimeUnit.SECONDS)) {
                thread.shutdownNow();
            }
        } catch (InterruptedException e) {
            thread.shutdownNow();
            Thread.currentThread().interrupt();
        }
        try {
            outbox.close();
        } finally {
            subscribers.completeAll();
        }
    }

    private void checkOpen() {
        if (closed) {
            throw new IllegalStateException("the worker is closed");
        }
    }

    /** Replaces the next looped cycle by one after {@code delay}. Called with the lock held. */
    private void reschedule(Duration delay, @Nullable CompletableFuture<Void> done) {
        if (next != null) {
            next.cancel(false);
        }
        next = thread.schedule(
                () -> runCycle(done != null ? done : new CompletableFuture<>(), true),
                delay.toNanos(),
                TimeUnit.NANOSECONDS);
    }

    // ------------------------------------------------------------------------------------------ the cycle

    private void runCycle(CompletableFuture<Void> done, boolean scheduled) {
        Throwable error = null;
        try {
            pushAll();
            pullAll();
        } catch (Exception | Error e) {
            error = e;
        }
        Instant lastSync;
        Duration wait;
        synchronized (this) {
            lastSync = error == null ? Instant.now() : status.lastSyncTime();
            if (error == null) {
                failures = 0;
                wait = settings.interval();
            } else {
                failures++;
                wait = backoff(failures);
                LOG.info("Sync cycle failed (attempt {}), next in {}: {}", failures, wait, error.toString());
            }
            publish(Activity.IDLE, lastSync, error);
            if (scheduled && looping && !closed) {
                reschedule(wait, null);
            }
        }
        if (error == null) {
            done.complete(null);
        } else {
            done.completeExceptionally(error);
        }
    }

    /** {@code base · 2^(n-1)}, capped, less a random fraction of up to a half. */
    private Duration backoff(int n) {
        long base = settings.backoff().toMillis();
        long max = settings.maxBackoff().toMillis();
        long exp = n >= 32 ? max : Math.min(max, base << Math.min(30, n - 1));
        if (exp < 0) {
            exp = max;
        }
        long jittered = exp - (long) (exp * 0.5 * ThreadLocalRandom.current().nextDouble());
        return Duration.ofMillis(Math.max(1, jittered));
    }

    private void pushAll() throws IOException {
        while (true) {
            List<FileOutbox.Entry> batch = outbox.peek(settings.batchSize());
            if (batch.isEmpty()) {
                return;
            }
            setActivity(Activity.PUSHING);
            List<PushEvent> events = new ArrayList<>(batch.size());
            for (FileOutbox.Entry e : batch) {
                events.add(e.event());
            }
            List<EventResult> results = settings.pushHandler().push(events);
            Map<String, EventResult> byId = new HashMap<>();
            for (EventResult r : results) {
                byId.putIfAbsent(r.id(), r);
            }
            int unanswered = 0;
            for (FileOutbox.Entry e : batch) {
                EventResult r = byId.get(e.event().id());
                if (r == null) {
                    unanswered++;
                } else if (r.applied()) {
                    outbox.remove(e.seq());
                    settings.listener().onApplied(e.event(), r);
                } else {
                    outbox.markFailed(e.seq());
                    LOG.info("Event {} was rejected: {}", e.event().id(), r.reason());
                    settings.listener().onRejected(e.event(), r);
                }
            }
            if (unanswered > 0) {
                throw new IOException("the server did not answer " + unanswered + " of " + batch.size() + " events");
            }
        }
    }

    private void pullAll() throws IOException {
        setActivity(Activity.PULLING);
        String cursor = getCursor.get();
        Map<String, Set<String>> resyncSeen = new LinkedHashMap<>();
        while (true) {
            PullResult page = settings.pullHandler().pull(cursor, settings.rooms(), settings.pullLimit());
            for (String room : page.resyncRooms()) {
                resyncSeen.computeIfAbsent(room, r -> new HashSet<>());
            }
            for (PulledChange c : page.changes()) {
                Set<String> seen = resyncSeen.get(c.roomId());
                if (seen != null && !c.deleted()) {
                    seen.add(c.recordId());
                }
            }
            if (!page.changes().isEmpty()) {
                settings.store().apply(page.changes());
                settings.listener().onPulled(page.changes());
            }
            cursor = page.cursor();
            if (!page.hasMore()) {
                break;
            }
            // during a full resync the cursor is saved only at its end, so a crash restarts the resync
            if (resyncSeen.isEmpty()) {
                setCursor.accept(cursor);
            }
        }
        List<PulledChange> gone = new ArrayList<>();
        resyncSeen.forEach((room, seen) -> {
            for (String id : settings.store().recordIds(room)) {
                if (!seen.contains(id)) {
                    gone.add(new PulledChange(room, id, null, null));
                }
            }
        });
        if (!gone.isEmpty()) {
            settings.store().apply(gone);
            settings.listener().onPulled(gone);
        }
        setCursor.accept(cursor);
    }

    private synchronized void setActivity(Activity activity) {
        if (status.status() != activity) {
            publish(activity, status.lastSyncTime(), status.lastError());
        }
    }

    /** Publishes a new status. Called with the lock held; the listener runs on the caller's thread. */
    private void publish(Activity activity, @Nullable Instant lastSync, @Nullable Throwable error) {
        status = new Status(looping, activity, lastSync, error);
        try {
            settings.listener().onStatus(status);
        } catch (RuntimeException e) {
            LOG.warn("Status listener failed", e);
        }
        for (Consumer<Status> sink : statusSinks) {
            sink.accept(status); // buffers for the subscriber; never blocks
        }
    }
}
