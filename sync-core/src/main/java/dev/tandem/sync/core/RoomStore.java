package dev.tandem.sync.core;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * Durable storage of rooms: the SPI behind persistence. Implementations: {@link #inMemory()} (tests and
 * ephemeral servers) and the JDBC store (SQLite, PostgreSQL) in {@code sync-store-jdbc}.
 *
 * <p>Thread-safe. Every method returns at once and completes its future from the store's own threads; a
 * future never completes on the caller's thread while the call is still running. A room continues a completed
 * commit on the completing thread when its lane is idle (its work there is short and never blocks), so a store
 * must not complete futures while holding a lock that its own methods take. Rooms call {@link
 * #commit} with at most one commit of a room in flight at a time, in clock order, and retry a failed
 * commit with the same or a larger (coalesced) change set, so applying a commit must be idempotent: a
 * record is only overwritten by a state with a {@code lastChangedClock} at least as new as the stored one.
 */
public interface RoomStore extends AutoCloseable {

    /** Completes with the room's stored document, or null if the room was never stored. */
    CompletableFuture<@Nullable RoomSnapshot> load(String roomId);

    /**
     * Makes one room transaction durable. Completes normally only once the change survives a crash of this
     * process (for a database: the transaction committed), exceptionally if it was not applied.
     */
    CompletableFuture<Void> commit(RoomCommit commit);

    /** Stores a version snapshot of a room and completes with its description. */
    CompletableFuture<VersionInfo> saveVersion(String roomId, RoomSnapshot snapshot);

    /** Completes with a room's versions, newest first. */
    CompletableFuture<List<VersionInfo>> listVersions(String roomId);

    /** Completes with one version's snapshot, or null if there is no such version. */
    CompletableFuture<@Nullable RoomSnapshot> loadVersion(String roomId, String versionId);

    /**
     * Completes with the stored results of those of the given HTTP push events that were answered before
     * (see {@link RoomCommit#events()}), by the key they were committed under (a room's key names both the
     * pushing principal and the event id; a store treats it as an opaque string, and each result's {@code id}
     * is that key). Stores keep them for a retention window; the default keeps none.
     */
    default CompletableFuture<Map<String, EventResult>> loadEventResults(String roomId, Collection<String> eventIds) {
        return CompletableFuture.completedFuture(Map.of());
    }

    /**
     * Completes with a room attribute (host data stored with the room, such as its access policy or its
     * read-only link slugs), or null if unset. The default supports none and completes exceptionally.
     */
    default CompletableFuture<@Nullable String> loadAttribute(String roomId, String key) {
        return CompletableFuture.failedFuture(
                new UnsupportedOperationException(getClass().getSimpleName() + " does not store attributes"));
    }

    /** Stores (or with null, removes) a room attribute durably. The default completes exceptionally. */
    default CompletableFuture<Void> saveAttribute(String roomId, String key, @Nullable String value) {
        return CompletableFuture.failedFuture(
                new UnsupportedOperationException(getClass().getSimpleName() + " does not store attributes"));
    }

    /**
     * Durably reserves document clocks of a room up to {@code clock}: with {@link Durability#ASYNC} a room sends
     * clients clocks whose changes are not durable yet, and reserves them first, in blocks. A stored reservation
     * only moves up here. Completes once the reservation survives a crash of this process.
     *
     * <p>A store that keeps reservations makes {@link #load} start a room whose reservation is above its stored
     * document clock (an unclean stop lost changes that clients may have seen) at clock {@code reservation + 1},
     * with its tombstone history starting there: every client that saw an older clock then gets the whole room
     * when it reconnects, and no clock a client saw is handed out again for other changes. The default keeps no
     * reservation and completes at once; after an unclean stop in async mode, reconnecting clients may then
     * keep records that were lost.
     */
    default CompletableFuture<Void> reserveClock(String roomId, long clock) {
        return CompletableFuture.completedFuture(null);
    }

    /**
     * After a room was flushed and closed cleanly at {@code documentClock}: lowers its reservation to {@code
     * documentClock} if it still is {@code reserved} and the stored document clock is at least {@code
     * documentClock}, so the next load continues from the stored clock and clients catch up incrementally.
     * Otherwise changes nothing (a newer reservation or an unstored clock keeps the next load's jump). The
     * default does nothing.
     */
    default CompletableFuture<Void> releaseClock(String roomId, long reserved, long documentClock) {
        return CompletableFuture.completedFuture(null);
    }

    /** Returns whether the store currently works; never blocks. */
    default StoreHealth health() {
        return StoreHealth.OK;
    }

    /** Releases the store's resources. Idempotent. */
    @Override
    void close();

    /** Returns a new store that keeps everything in this process's memory. */
    static RoomStore inMemory() {
        return new dev.tandem.sync.core.internal.store.InMemoryRoomStore();
    }
}
