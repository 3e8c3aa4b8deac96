package dev.tandem.sync.redis;

import dev.tandem.sync.core.RoomCommit;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.VersionInfo;
import java.util.concurrent.CompletableFuture;

/**
 * Store-side fencing of room owners, the SPI a {@link RedisCluster} needs from the shared store: a node that
 * takes a room claims a new owner epoch, and every commit it makes carries that epoch, so a commit of a stale
 * owner (one that paused past its lease) is refused instead of overwriting the new owner's history.
 *
 * <p>Implementations are thread-safe and never block; for PostgreSQL the server adapts {@code JdbcRoomStore}'s
 * {@code claimOwnership}, fenced {@code commit} and
 * fenced {@code saveVersion}.
 */
public interface RoomFence {

    /**
     * Makes the caller the room's only fenced writer and completes with the new epoch, greater than every epoch
     * claimed before. A commit made with an older epoch either committed before this completes or is refused.
     */
    CompletableFuture<Long> claim(String roomId);

    /**
     * Commits like {@link dev.tandem.sync.core.RoomStore#commit}, if {@code epoch} is still the room's epoch;
     * otherwise completes exceptionally with an error for which {@link #isFenced} returns true.
     */
    CompletableFuture<Void> commit(RoomCommit commit, long epoch);

    /**
     * Saves a version like {@link dev.tandem.sync.core.RoomStore#saveVersion}, if {@code epoch} is still the
     * room's epoch; otherwise completes exceptionally with an error for which {@link #isFenced} returns true, and
     * saves nothing (a stale owner's snapshot was never the room's durable state).
     */
    CompletableFuture<VersionInfo> saveVersion(String roomId, RoomSnapshot snapshot, long epoch);

    /** Returns whether a failure of {@link #commit} means the epoch was superseded (retrying is useless). */
    boolean isFenced(Throwable error);
}
