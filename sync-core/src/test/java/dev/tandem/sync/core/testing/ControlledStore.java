package dev.tandem.sync.core.testing;

import dev.tandem.sync.core.RoomCommit;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.VersionInfo;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * A {@link RoomStore} whose commits complete only when the test says so (or at once in auto mode), over an
 * in-memory store that holds what was committed. Lets tests hold a commit in flight, fail it, or watch what
 * the room sends before and after durability. Thread-safe.
 */
public final class ControlledStore implements RoomStore {
    private record Waiting(RoomCommit commit, CompletableFuture<Void> done) {}

    private final RoomStore delegate = RoomStore.inMemory();
    private final ArrayDeque<Waiting> waiting = new ArrayDeque<>();
    private final List<RoomCommit> applied = new ArrayList<>();
    private final List<String> savedVersions = new ArrayList<>();
    private boolean auto;
    private int failLoads;

    /** Completes every commit at once from now on. */
    public synchronized ControlledStore autoComplete() {
        auto = true;
        while (!waiting.isEmpty()) {
            completeNext();
        }
        return this;
    }

    /** Makes the next {@code n} loads fail. */
    public synchronized void failLoads(int n) {
        failLoads = n;
    }

    @Override
    public CompletableFuture<@Nullable RoomSnapshot> load(String roomId) {
        synchronized (this) {
            if (failLoads > 0) {
                failLoads--;
                return CompletableFuture.failedFuture(new IllegalStateException("store down"));
            }
        }
        return delegate.load(roomId);
    }

    @Override
    public CompletableFuture<Void> commit(RoomCommit commit) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        boolean now;
        synchronized (this) {
            now = auto;
            if (!now) {
                waiting.add(new Waiting(commit, done));
            }
        }
        if (now) {
            apply(commit);
            done.complete(null);
        }
        return done;
    }

    private void apply(RoomCommit commit) {
        delegate.commit(commit).join();
        synchronized (this) {
            applied.add(commit);
        }
    }

    /** Returns how many commits wait for a decision. */
    public synchronized int waitingCommits() {
        return waiting.size();
    }

    /** Returns the oldest waiting commit without deciding it. */
    public synchronized RoomCommit peekWaiting() {
        return waiting.peek().commit();
    }

    /** Applies the oldest waiting commit and completes it. */
    public void completeNext() {
        Waiting w;
        synchronized (this) {
            w = waiting.poll();
        }
        apply(w.commit());
        w.done().complete(null);
    }

    /** Fails the oldest waiting commit without applying it. */
    public void failNext() {
        Waiting w;
        synchronized (this) {
            w = waiting.poll();
        }
        w.done().completeExceptionally(new IllegalStateException("store down"));
    }

    /** Returns every commit applied, in order. */
    public synchronized List<RoomCommit> applied() {
        return List.copyOf(applied);
    }

    /** Returns the ids of versions saved, in order. */
    public synchronized List<String> savedVersions() {
        return List.copyOf(savedVersions);
    }

    @Override
    public CompletableFuture<VersionInfo> saveVersion(String roomId, RoomSnapshot snapshot) {
        return delegate.saveVersion(roomId, snapshot).thenApply(v -> {
            synchronized (this) {
                savedVersions.add(v.id());
            }
            return v;
        });
    }

    @Override
    public CompletableFuture<List<VersionInfo>> listVersions(String roomId) {
        return delegate.listVersions(roomId);
    }

    @Override
    public CompletableFuture<@Nullable RoomSnapshot> loadVersion(String roomId, String versionId) {
        return delegate.loadVersion(roomId, versionId);
    }

    @Override
    public CompletableFuture<java.util.Map<String, dev.tandem.sync.core.EventResult>> loadEventResults(
            String roomId, java.util.Collection<String> eventIds) {
        return delegate.loadEventResults(roomId, eventIds);
    }

    private final List<Long> reservations = new ArrayList<>();
    private final ArrayDeque<Runnable> heldReservations = new ArrayDeque<>();
    private boolean holdReservations;

    /** Keeps clock reservations waiting until {@link #completeReservations()}. */
    public synchronized void holdReservations() {
        holdReservations = true;
    }

    /** Completes the waiting clock reservations and every later one at once. */
    public void completeReservations() {
        List<Runnable> now;
        synchronized (this) {
            holdReservations = false;
            now = List.copyOf(heldReservations);
            heldReservations.clear();
        }
        now.forEach(Runnable::run);
    }

    /** Returns the clocks reserved so far, in order. */
    public synchronized List<Long> reservations() {
        return List.copyOf(reservations);
    }

    @Override
    public CompletableFuture<Void> reserveClock(String roomId, long clock) {
        CompletableFuture<Void> done = new CompletableFuture<>();
        Runnable complete = () -> delegate.reserveClock(roomId, clock).whenComplete((ok, e) -> {
            if (e != null) {
                done.completeExceptionally(e);
            } else {
                done.complete(null);
            }
        });
        synchronized (this) {
            reservations.add(clock);
            if (holdReservations) {
                heldReservations.add(complete);
                return done;
            }
        }
        complete.run();
        return done;
    }

    @Override
    public CompletableFuture<Void> releaseClock(String roomId, long reserved, long documentClock) {
        return delegate.releaseClock(roomId, reserved, documentClock);
    }

    @Override
    public void close() {
        delegate.close();
    }
}
