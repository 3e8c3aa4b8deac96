package dev.tandem.sync.server.internal.cluster;

import dev.tandem.sync.core.RoomCommit;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.VersionInfo;
import dev.tandem.sync.redis.RoomFence;
import dev.tandem.sync.store.jdbc.JdbcRoomStore;
import dev.tandem.sync.store.jdbc.RoomFencedException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;

/** A {@link RoomFence} over the JDBC store's owner epochs (table {@code room_owners}). Thread-safe. */
public final class JdbcRoomFence implements RoomFence {
    private final JdbcRoomStore store;

    public JdbcRoomFence(JdbcRoomStore store) {
        this.store = store;
    }

    @Override
    public CompletableFuture<Long> claim(String roomId) {
        return store.claimOwnership(roomId);
    }

    @Override
    public CompletableFuture<Void> commit(RoomCommit commit, long epoch) {
        return store.commit(commit, epoch);
    }

    @Override
    public CompletableFuture<VersionInfo> saveVersion(String roomId, RoomSnapshot snapshot, long epoch) {
        return store.saveVersion(roomId, snapshot, epoch);
    }

    @Override
    public boolean isFenced(Throwable error) {
        Throwable e = error;
        while (e instanceof CompletionException && e.getCause() != null) {
            e = e.getCause();
        }
        return e instanceof RoomFencedException;
    }
}
