package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.Durability;
import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.RoomCommit;
import dev.tandem.sync.core.RoomEvents;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.Scheduler;
import dev.tandem.sync.core.VersionInfo;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A room's link to its {@link RoomStore}, confined to the room's lane.
 *
 * <p>Invariants: at most one commit of the room is in flight; changes made meanwhile coalesce into the next
 * one, so commits reach the store in clock order. A failed commit is merged with what came after it and
 * retried with exponential backoff and jitter, forever, so nothing is dropped. In {@link Durability#SYNC}
 * mode every outgoing message produced at a document clock that is not yet durable waits, in production
 * order, until the store has that clock: no client ever sees, or is acknowledged, a change a crash could
 * lose.
 */
final class RoomPersistence {
    private static final Logger LOG = LoggerFactory.getLogger(RoomPersistence.class);
    private static final long FIRST_RETRY_NANOS = Duration.ofMillis(50).toNanos();

    private record Held(long clock, Runnable send) {}

    private record FlushWaiter(long clock, CompletableFuture<Void> done) {}

    private final String roomId;
    private final @Nullable RoomStore store;
    private final boolean gating;
    private final Scheduler scheduler;
    private final SerialLane lane;
    private final RoomOptions options;
    private final RoomEvents events;
    private final Runnable afterRelease;

    /** The highest document clock the store has made durable. */
    long durableClock;

    /** Changes recorded since the last submit, coalesced in place. */
    private @Nullable PendingCommit pending;

    private @Nullable RoomCommit inFlight;
    private long inFlightSince;
    private int failures;
    private Scheduler.@Nullable Cancellable retryTimer;
    private Scheduler.@Nullable Cancellable flushTimer;
    private Scheduler.@Nullable Cancellable versionTimer;
    private long lastVersionClock = -1;
    /** The durable clock when this load first recorded a change; -1 until then. Versions need a newer clock. */
    private long baseClock = -1;

    private final ArrayDeque<Held> held = new ArrayDeque<>();
    private final List<FlushWaiter> waiters = new ArrayList<>();

    RoomPersistence(String roomId, RoomOptions options, SerialLane lane, Runnable afterRelease) {
        this.roomId = roomId;
        this.options = options;
        this.store = options.store();
        this.gating = store != null && options.durability() == Durability.SYNC;
        this.scheduler = options.scheduler();
        this.lane = lane;
        this.events = options.events();
        this.afterRelease = afterRelease;
    }

    boolean hasStore() {
        return store != null;
    }

    /** Sends now if nothing earlier waits and {@code clock} is durable; otherwise queues behind. */
    void emit(long clock, Runnable send) {
        if (!gating || (held.isEmpty() && clock <= durableClock)) {
            send.run();
        } else {
            held.add(new Held(clock, send));
        }
    }

    /** Records a committed room transaction, to be made durable. */
    void record(RoomCommit delta, Supplier<RoomSnapshot> snapshot) {
        if (baseClock < 0) {
            baseClock = durableClock;
        }
        if (store == null) {
            durableClock = Math.max(durableClock, delta.documentClock());
            return;
        }
        if (pending == null) {
            pending = new PendingCommit(delta);
        } else {
            pending.add(delta);
        }
        if (gating) {
            submit();
        } else if (flushTimer == null) {
            flushTimer = scheduler.schedule(
                    options.asyncFlushInterval(),
                    () -> lane.execute(() -> {
                        flushTimer = null;
                        submit();
                    }));
        }
        scheduleVersion(snapshot);
    }

    /** Returns true when every recorded change is durable. */
    boolean isFlushed() {
        return pending == null && inFlight == null;
    }

    /** Completes once every change recorded so far is durable. */
    CompletableFuture<Void> flush(long clock) {
        if (store == null || (isFlushed() && durableClock >= clock)) {
            return CompletableFuture.completedFuture(null);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        waiters.add(new FlushWaiter(clock, done));
        if (flushTimer != null) {
            flushTimer.cancel();
            flushTimer = null;
        }
        submit();
        return done;
    }

    private void submit() {
        if (inFlight != null || pending == null || retryTimer != null || store == null) {
            return;
        }
        RoomCommit commit = pending.build();
        inFlight = commit;
        pending = null;
        inFlightSince = scheduler.nanoTime();
        CompletableFuture<Void> f;
        try {
            f = store.commit(commit);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        // on the store's thread while the lane is idle: saves a hand-off and a wake-up per commit
        f.whenComplete((ok, error) -> lane.executeHere(() -> committed(commit, error)));
    }

    private void committed(RoomCommit commit, @Nullable Throwable error) {
        inFlight = null;
        if (error != null) {
            PendingCommit retry = new PendingCommit(commit);
            if (pending != null) {
                retry.add(pending.build());
            }
            pending = retry;
            failures++;
            long cap = options.maxCommitRetryDelay().toNanos();
            long backoff = Math.min(cap, FIRST_RETRY_NANOS << Math.min(20, failures - 1));
            long delay = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
            if (failures == 1 || failures % 20 == 0) {
                LOG.warn(
                        "room {}: commit at clock {} failed (attempt {}), retrying: {}",
                        roomId,
                        commit.documentClock(),
                        failures,
                        error.toString());
            }
            events.commitFailed(roomId, error);
            retryTimer = scheduler.schedule(
                    Duration.ofNanos(delay),
                    () -> lane.execute(() -> {
                        retryTimer = null;
                        submit();
                    }));
            return;
        }
        if (failures > 0) {
            LOG.info("room {}: store commits succeed again after {} failures", roomId, failures);
        }
        failures = 0;
        durableClock = Math.max(durableClock, commit.documentClock());
        events.changesPersisted(roomId, durableClock, Duration.ofNanos(scheduler.nanoTime() - inFlightSince));
        while (!held.isEmpty() && held.peek().clock() <= durableClock) {
            held.poll().send().run();
        }
        afterRelease.run();
        if (isFlushed()) {
            for (FlushWaiter w : List.copyOf(waiters)) {
                if (w.clock() <= durableClock) {
                    waiters.remove(w);
                    w.done().complete(null);
                }
            }
        }
        if (gating || !waiters.isEmpty()) {
            submit();
        } else if (pending != null && flushTimer == null) {
            flushTimer = scheduler.schedule(
                    options.asyncFlushInterval(),
                    () -> lane.execute(() -> {
                        flushTimer = null;
                        submit();
                    }));
        }
    }

    private void scheduleVersion(Supplier<RoomSnapshot> snapshot) {
        Duration every = options.versionInterval();
        if (store == null || every.isZero() || versionTimer != null) {
            return;
        }
        versionTimer = scheduler.schedule(
                every,
                () -> lane.execute(() -> {
                    versionTimer = null;
                    saveVersionIfMoved(snapshot.get());
                }));
    }

    /**
     * Stores a version of the given document if its clock moved since the last one and since the room loaded: a
     * room only read (or only migrated, or only refused events) leaves no version.
     */
    void saveVersionIfMoved(RoomSnapshot snapshot) {
        if (store != null
                && baseClock >= 0
                && snapshot.documentClock() > baseClock
                && snapshot.documentClock() != lastVersionClock) {
            saveVersion(snapshot);
        }
    }

    /** Stores a version of the given document. */
    CompletableFuture<VersionInfo> saveVersion(RoomSnapshot snapshot) {
        if (store == null) {
            return CompletableFuture.failedFuture(new IllegalStateException("room " + roomId + " has no store"));
        }
        lastVersionClock = snapshot.documentClock();
        return store.saveVersion(roomId, snapshot).whenComplete((v, e) -> {
            if (e != null) {
                LOG.warn("room {}: saving a version failed: {}", roomId, e.toString());
            }
        });
    }

    /** Stops timers that only matter while the room is loaded; commits and retries go on. */
    void stopTimers() {
        if (versionTimer != null) {
            versionTimer.cancel();
            versionTimer = null;
        }
    }

    /**
     * {@link RoomCommit#followedBy} with the same effect, merged in place: coalescing a push into the pending
     * change costs the push's size, not the pending change's (which grows while a store commit is in flight).
     */
    private static final class PendingCommit {
        private final String roomId;
        private long documentClock;
        private long tombstoneHistoryStartsAtClock;
        private @Nullable Map<String, Object> schema;
        private final LinkedHashMap<String, RoomSnapshot.Document> puts;
        private final LinkedHashMap<String, Long> tombstones;
        private final LinkedHashMap<String, EventResult> events;

        PendingCommit(RoomCommit first) {
            roomId = first.roomId();
            documentClock = first.documentClock();
            tombstoneHistoryStartsAtClock = first.tombstoneHistoryStartsAtClock();
            schema = first.schema();
            puts = new LinkedHashMap<>(first.puts());
            tombstones = new LinkedHashMap<>(first.tombstones());
            events = new LinkedHashMap<>(first.events());
        }

        void add(RoomCommit later) {
            if (!later.roomId().equals(roomId)) {
                throw new IllegalArgumentException(
                        "cannot merge commits of rooms " + roomId + " and " + later.roomId());
            }
            later.puts().forEach((id, d) -> {
                tombstones.remove(id);
                puts.put(id, d);
            });
            later.tombstones().forEach((id, clock) -> {
                puts.remove(id);
                tombstones.put(id, clock);
            });
            later.events().forEach(events::putIfAbsent);
            documentClock = Math.max(documentClock, later.documentClock());
            tombstoneHistoryStartsAtClock =
                    Math.max(tombstoneHistoryStartsAtClock, later.tombstoneHistoryStartsAtClock());
            if (later.schema() != null) {
                schema = later.schema();
            }
        }

        RoomCommit build() {
            return new RoomCommit(
                    roomId, documentClock, puts, tombstones, tombstoneHistoryStartsAtClock, schema, events);
        }
    }
}
