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
import java.util.function.Consumer;
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
 *
 * <p>In {@link Durability#ASYNC} mode a room sends clocks before they are durable, so it first reserves them
 * in the store ({@link RoomStore#reserveClock}), a block at a time and ahead of use: a message at a clock
 * above both the durable clock and the reservation waits, in production order, for the reservation. After an
 * unclean stop the store starts the room above its reservation, so no clock a client saw is reused. A clean
 * close releases the reservation ({@link RoomStore#releaseClock}) once everything is durable.
 */
final class RoomPersistence {
    private static final Logger LOG = LoggerFactory.getLogger(RoomPersistence.class);
    private static final long FIRST_RETRY_NANOS = Duration.ofMillis(50).toNanos();

    /** Async durability reserves clocks this many at a time, the next block when half of one is left. */
    static final long RESERVATION_BLOCK = 1_000;

    private record Held(long clock, Outbox.Message message) {}

    private record FlushWaiter(long clock, CompletableFuture<Void> done) {}

    private final String roomId;
    private final @Nullable RoomStore store;
    private final boolean gating;
    /** Async durability with a store: clocks are reserved before they are sent. */
    private final boolean reserving;

    private final Scheduler scheduler;
    private final SerialLane lane;
    private final RoomOptions options;
    private final RoomEvents events;
    /** Where held messages go once their clock is durable. */
    private final Consumer<Outbox.Message> release;

    /** The highest document clock the store has made durable. */
    private long durableClock;

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

    /** The highest clock the store has reserved for this room instance, or -1. */
    private long reservedClock = -1;
    /** The reservation being written, or -1. */
    private long reservingTo = -1;
    /** The highest clock recorded or emitted. */
    private long highestClock;

    private int reserveFailures;
    private Scheduler.@Nullable Cancellable reserveRetry;
    /** Set once the room closed: the reservation is released when everything is durable. */
    private boolean closing;

    RoomPersistence(String roomId, RoomOptions options, SerialLane lane, Consumer<Outbox.Message> release) {
        this.roomId = roomId;
        this.options = options;
        this.store = options.store();
        this.gating = store != null && options.durability() == Durability.SYNC;
        this.reserving = store != null && options.durability() == Durability.ASYNC;
        this.scheduler = options.scheduler();
        this.lane = lane;
        this.events = options.events();
        this.release = release;
    }

    boolean hasStore() {
        return store != null;
    }

    /** Sets where durability starts: the clock of the document as loaded (or created) is durable. */
    void loaded(long clock) {
        durableClock = clock;
    }

    /**
     * Releases a message produced at {@code clock} now if nothing earlier waits and the clock may be sent
     * (durable; in async mode durable or reserved); otherwise holds it behind the others until it may.
     */
    void emit(long clock, Outbox.Message message) {
        if (!gating && !reserving || (held.isEmpty() && clock <= sendableClock())) {
            release.accept(message);
        } else {
            held.add(new Held(clock, message));
            if (reserving) {
                highestClock = Math.max(highestClock, clock);
                reserve();
            }
        }
    }

    /** The highest clock a message may carry now. */
    private long sendableClock() {
        return reserving ? Math.max(durableClock, reservedClock) : durableClock;
    }

    /** Releases the held messages whose clock may now be sent, in order. */
    private void releaseHeld() {
        long sendable = sendableClock();
        while (!held.isEmpty() && held.peek().clock() <= sendable) {
            release.accept(held.poll().message());
        }
    }

    /**
     * Follows a committed room transaction at {@code clock}: with a store, its durable change (built only then)
     * is recorded to be made durable; without one, memory is as durable as it gets.
     */
    void recordCommitted(long clock, Supplier<RoomCommit> change, Supplier<RoomSnapshot> snapshot) {
        if (store == null) {
            durableClock = clock;
        } else {
            record(change.get(), snapshot);
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
        if (reserving) {
            highestClock = Math.max(highestClock, delta.documentClock());
            if (highestClock > reservedClock - RESERVATION_BLOCK / 2) {
                reserve();
            }
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
        releaseHeld();
        if (isFlushed()) {
            releaseReservationIfClosed();
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

    /**
     * Reserves clocks up to a block above the highest one produced, unless a reservation is being written or
     * waits for a retry (which then reserves from the highest clock of its time).
     */
    private void reserve() {
        if (store == null || reservingTo >= 0 || reserveRetry != null) {
            return;
        }
        long target = highestClock + RESERVATION_BLOCK;
        reservingTo = target;
        CompletableFuture<Void> f;
        try {
            f = store.reserveClock(roomId, target);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((ok, error) -> lane.executeHere(() -> reserved(target, error)));
    }

    private void reserved(long target, @Nullable Throwable error) {
        reservingTo = -1;
        if (error != null) {
            reserveFailures++;
            long cap = options.maxCommitRetryDelay().toNanos();
            long backoff = Math.min(cap, FIRST_RETRY_NANOS << Math.min(20, reserveFailures - 1));
            long delay = backoff / 2 + ThreadLocalRandom.current().nextLong(backoff / 2 + 1);
            if (reserveFailures == 1 || reserveFailures % 20 == 0) {
                LOG.warn(
                        "room {}: reserving clocks up to {} failed (attempt {}), retrying: {}",
                        roomId,
                        target,
                        reserveFailures,
                        error.toString());
            }
            events.commitFailed(roomId, error);
            reserveRetry = scheduler.schedule(
                    Duration.ofNanos(delay),
                    () -> lane.execute(() -> {
                        reserveRetry = null;
                        reserve();
                    }));
            return;
        }
        reserveFailures = 0;
        reservedClock = Math.max(reservedClock, target);
        releaseHeld();
        if (highestClock > reservedClock - RESERVATION_BLOCK / 2) {
            reserve();
        } else if (isFlushed()) {
            releaseReservationIfClosed();
        }
    }

    /**
     * Once the room is closed and every change is durable, lowers the reservation to the durable clock, so the
     * next load of the room continues from it instead of starting above the reservation. Never retried: a
     * reservation that stays only costs the next load's clients a reload.
     */
    private void releaseReservationIfClosed() {
        if (!reserving
                || store == null
                || !closing
                || reservingTo >= 0
                || reserveRetry != null
                || reservedClock <= durableClock
                || durableClock < highestClock) {
            return;
        }
        long reserved = reservedClock;
        reservedClock = durableClock;
        CompletableFuture<Void> f;
        try {
            f = store.releaseClock(roomId, reserved, durableClock);
        } catch (RuntimeException e) {
            f = CompletableFuture.failedFuture(e);
        }
        f.whenComplete((ok, error) -> {
            if (error != null) {
                LOG.debug("room {}: releasing the clock reservation failed: {}", roomId, error.toString());
            }
        });
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

    /**
     * Stops timers that only matter while the room is loaded; commits and retries go on, and once they are
     * durable the clock reservation is released.
     */
    void stopTimers() {
        closing = true;
        if (isFlushed()) {
            releaseReservationIfClosed();
        }
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
