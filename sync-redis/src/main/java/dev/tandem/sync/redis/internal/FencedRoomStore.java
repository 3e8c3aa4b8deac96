package dev.tandem.sync.redis.internal;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.RoomCommit;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.StoreHealth;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.core.VersionInfo;
import dev.tandem.sync.redis.RoomFence;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The store of one room instance owned at one epoch: commits and version saves go through the fence with that epoch, so once a
 * newer owner claimed the room they are refused. Once retired (the node gave the room up) it refuses every
 * write at once, so a closed room's retries never reach the database. Reads go to the shared store.
 *
 * <p>Thread-safe. One instance per room instance: a new owner term gets a new store and a new room.
 */
final class FencedRoomStore implements RoomStore {
    private final RoomStore shared;
    private final RoomFence fence;
    private final String roomId;
    private final long epoch;
    private final Runnable onFenced;
    private volatile boolean retired;
    private volatile boolean abandoned;
    /** Writes sent to the fence and not completed yet. */
    private final java.util.Set<CompletableFuture<?>> sent = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Writes held while the room is being handed over, in order; null when not holding. */
    private @Nullable List<Runnable> held;

    FencedRoomStore(RoomStore shared, RoomFence fence, String roomId, long epoch, Runnable onFenced) {
        this.shared = shared;
        this.fence = fence;
        this.roomId = roomId;
        this.epoch = epoch;
        this.onFenced = onFenced;
    }

    long epoch() {
        return epoch;
    }

    /** Refuses every later write: the node no longer owns this term of the room. */
    void retire() {
        retired = true;
        release();
    }

    /**
     * Called once the room is closed and has no session left: later commits complete without being written, so
     * the closed room stops retrying and a shutdown's flush does not wait for them. Nothing they hold was ever
     * acknowledged (durability sync) and its sessions are gone; their clients resend to the next owner.
     */
    void abandon() {
        retired = true;
        abandoned = true;
        release();
    }

    /**
     * Holds every later write (unsent, unacknowledged) while the room is handed to another node, so this owner
     * never races the new one's claim: once the hand-over succeeds the held writes are refused (their clients
     * resend them to the new owner); if it fails, {@link #release} sends them.
     */
    CompletableFuture<Void> hold() {
        synchronized (this) {
            if (held == null) {
                held = new ArrayList<>();
            }
        }
        // the writes already sent either commit or fail before the lease moves: none meets the new claim
        return CompletableFuture.allOf(sent.toArray(CompletableFuture[]::new)).handle((v, e) -> null);
    }

    /** Sends the held writes, in order, and stops holding. */
    void release() {
        List<Runnable> writes;
        synchronized (this) {
            writes = held;
            held = null;
        }
        if (writes != null) {
            writes.forEach(Runnable::run);
        }
    }

    /** Runs {@code write} now, or later if holding; the returned future completes with its result. */
    private <T> CompletableFuture<T> whenNotHeld(java.util.function.Supplier<CompletableFuture<T>> write) {
        synchronized (this) {
            if (held != null) {
                CompletableFuture<T> later = new CompletableFuture<>();
                held.add(() -> {
                    CompletableFuture<T> refused = refusedIfRetired();
                    (refused != null ? refused : write.get()).whenComplete((v, e) -> {
                        if (e != null) {
                            later.completeExceptionally(e);
                        } else {
                            later.complete(v);
                        }
                    });
                });
                return later;
            }
        }
        return tracked(write.get());
    }

    private <T> CompletableFuture<T> tracked(CompletableFuture<T> f) {
        sent.add(f);
        f.whenComplete((v, e) -> sent.remove(f));
        return f;
    }

    private <T> @Nullable CompletableFuture<T> refusedIfRetired() {
        if (abandoned) {
            return CompletableFuture.completedFuture(null);
        }
        return retired
                ? CompletableFuture.failedFuture(new SyncException(
                        CloseReason.UNKNOWN_ERROR, "room " + roomId + " is no longer owned at epoch " + epoch))
                : null;
    }

    @Override
    public CompletableFuture<@Nullable RoomSnapshot> load(String id) {
        return shared.load(id);
    }

    @Override
    public CompletableFuture<Void> commit(RoomCommit commit) {
        CompletableFuture<Void> refused = refusedIfRetired();
        if (refused != null) {
            return refused;
        }
        return whenNotHeld(() -> {
            CompletableFuture<Void> f;
            try {
                f = fence.commit(commit, epoch);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            return f.whenComplete((ok, error) -> onFencedError(error));
        });
    }

    private void onFencedError(@Nullable Throwable error) {
        if (error != null && fence.isFenced(error)) {
            retired = true;
            onFenced.run();
        }
    }

    @Override
    public CompletableFuture<VersionInfo> saveVersion(String id, RoomSnapshot snapshot) {
        CompletableFuture<VersionInfo> refused = refusedIfRetired();
        if (refused != null) {
            return refused;
        }
        return whenNotHeld(() -> {
            CompletableFuture<VersionInfo> f;
            try {
                f = fence.saveVersion(id, snapshot, epoch);
            } catch (RuntimeException e) {
                f = CompletableFuture.failedFuture(e);
            }
            return f.whenComplete((ok, error) -> onFencedError(error));
        });
    }

    @Override
    public CompletableFuture<List<VersionInfo>> listVersions(String id) {
        return shared.listVersions(id);
    }

    @Override
    public CompletableFuture<@Nullable RoomSnapshot> loadVersion(String id, String versionId) {
        return shared.loadVersion(id, versionId);
    }

    @Override
    public CompletableFuture<Map<String, EventResult>> loadEventResults(String id, Collection<String> eventIds) {
        return shared.loadEventResults(id, eventIds);
    }

    @Override
    public CompletableFuture<@Nullable String> loadAttribute(String id, String key) {
        return shared.loadAttribute(id, key);
    }

    @Override
    public CompletableFuture<Void> saveAttribute(String id, String key, @Nullable String value) {
        CompletableFuture<Void> refused = refusedIfRetired();
        return refused != null ? refused : shared.saveAttribute(id, key, value);
    }

    /** A reservation only moves up, so a stale owner's cannot hide a newer owner's; still refused once retired. */
    @Override
    public CompletableFuture<Void> reserveClock(String id, long clock) {
        CompletableFuture<Void> refused = refusedIfRetired();
        return refused != null ? refused : shared.reserveClock(id, clock);
    }

    @Override
    public CompletableFuture<Void> releaseClock(String id, long reserved, long documentClock) {
        CompletableFuture<Void> refused = refusedIfRetired();
        return refused != null ? refused : shared.releaseClock(id, reserved, documentClock);
    }

    @Override
    public StoreHealth health() {
        return shared.health();
    }

    /** The shared store belongs to the server; closing one room's view does nothing. */
    @Override
    public void close() {}
}
