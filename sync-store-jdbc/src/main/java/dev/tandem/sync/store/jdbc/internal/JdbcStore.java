package dev.tandem.sync.store.jdbc.internal;

import com.zaxxer.hikari.HikariDataSource;
import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.RoomCommit;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.StoreHealth;
import dev.tandem.sync.core.VersionInfo;
import dev.tandem.sync.store.jdbc.JdbcRoomStore;
import dev.tandem.sync.store.jdbc.RoomStoreException;
import java.io.IOException;
import java.nio.file.Files;
import java.sql.Connection;
import java.sql.SQLException;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** The {@link JdbcRoomStore}: a connection pool, committer threads for writes and a reader pool for reads. */
public final class JdbcStore implements JdbcRoomStore {
    private static final Logger LOG = LoggerFactory.getLogger(JdbcStore.class);

    /** The most reads waiting for a reader thread. */
    private static final int MAX_QUEUED_READS = 10_000;

    private final StoreSettings settings;
    private final DataSource dataSource;
    private final @Nullable HikariDataSource ownedPool;
    private final Committer[] committers;
    private final ThreadPoolExecutor readers;
    private final AtomicReference<StoreHealth> health = new AtomicReference<>(StoreHealth.OK);
    private final AtomicLong commits = new AtomicLong();
    private final AtomicLong versions = new AtomicLong();
    private final AtomicLong transactions = new AtomicLong();
    private final AtomicLong failedTransactions = new AtomicLong();
    private volatile boolean closed;

    private JdbcStore(StoreSettings settings, DataSource dataSource, @Nullable HikariDataSource ownedPool) {
        this.settings = settings;
        this.dataSource = dataSource;
        this.ownedPool = ownedPool;
        this.committers = new Committer[settings.committerThreads()];
        int capacity = Math.max(1, settings.maxQueuedWrites() / committers.length);
        for (int i = 0; i < committers.length; i++) {
            committers[i] = new Committer(this, dataSource, settings, i, capacity);
        }
        AtomicInteger readerIds = new AtomicInteger();
        this.readers = new ThreadPoolExecutor(
                settings.readerThreads(),
                settings.readerThreads(),
                0,
                TimeUnit.MILLISECONDS,
                new ArrayBlockingQueue<>(MAX_QUEUED_READS),
                r -> {
                    Thread t = new Thread(r, "tandem-store-reader-" + readerIds.incrementAndGet());
                    t.setDaemon(true);
                    return t;
                });
    }

    /**
     * Connects, migrates the schema and starts the threads.
     *
     * @throws IllegalStateException with one line naming the database if it cannot be reached or migrated
     */
    public static JdbcStore open(StoreSettings settings) {
        Dialect dialect = settings.dialect();
        String where = dialect.location(settings);
        if (settings.dataDir() != null) {
            try {
                Files.createDirectories(settings.dataDir());
            } catch (IOException | RuntimeException e) {
                throw new IllegalStateException(
                        "cannot open " + dialect.displayName() + " at " + where + ": " + rootMessage(e), e);
            }
        }
        DataSource dataSource;
        HikariDataSource ownedPool = null;
        DataSource given = settings.dataSource();
        if (given != null) {
            dataSource = new ManualCommitDataSource(given);
        } else {
            try {
                ownedPool = new HikariDataSource(dialect.poolConfig(settings));
            } catch (RuntimeException e) {
                throw new IllegalStateException(
                        "cannot connect to " + dialect.displayName() + " at " + where + ": " + rootMessage(e), e);
            }
            dataSource = ownedPool;
        }
        int before;
        try (Connection c = dataSource.getConnection()) {
            before = Migrations.migrate(c, dialect);
        } catch (SQLException | RuntimeException e) {
            if (ownedPool != null) {
                ownedPool.close();
            }
            throw new IllegalStateException(
                    "cannot migrate the schema of " + dialect.displayName() + " at " + where + ": " + rootMessage(e),
                    e);
        }
        JdbcStore store = new JdbcStore(settings, dataSource, ownedPool);
        for (Committer c : store.committers) {
            c.start();
        }
        LOG.info(
                "Opened {} room store at {} (schema version {} → {})",
                dialect.displayName(),
                where,
                before,
                Migrations.latest());
        return store;
    }

    @Override
    public CompletableFuture<@Nullable RoomSnapshot> load(String roomId) {
        Objects.requireNonNull(roomId, "roomId");
        return read("load", c -> {
            settings.dialect().beginConsistentRead(c);
            try {
                return RoomTables.load(c, roomId);
            } finally {
                settings.dialect().endConsistentRead(c);
            }
        });
    }

    @Override
    public CompletableFuture<Void> commit(RoomCommit commit) {
        Objects.requireNonNull(commit, "commit");
        CompletableFuture<Void> done = new CompletableFuture<>();
        enqueue(new Committer.CommitWrite(commit, done));
        return done;
    }

    @Override
    public CompletableFuture<Void> commit(RoomCommit commit, long ownerEpoch) {
        Objects.requireNonNull(commit, "commit");
        if (ownerEpoch < 1) {
            throw new IllegalArgumentException("ownerEpoch must be >= 1 but was " + ownerEpoch);
        }
        CompletableFuture<Void> done = new CompletableFuture<>();
        enqueue(new Committer.CommitWrite(commit, ownerEpoch, done));
        return done;
    }

    @Override
    public CompletableFuture<Long> claimOwnership(String roomId) {
        Objects.requireNonNull(roomId, "roomId");
        return read("claim ownership", c -> {
            try {
                long epoch = RoomTables.claimOwnership(c, roomId);
                c.commit();
                return epoch;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        });
    }

    @Override
    public CompletableFuture<VersionInfo> saveVersion(String roomId, RoomSnapshot snapshot) {
        Objects.requireNonNull(roomId, "roomId");
        Objects.requireNonNull(snapshot, "snapshot");
        CompletableFuture<VersionInfo> done = new CompletableFuture<>();
        enqueue(new Committer.VersionWrite(roomId, snapshot, done));
        return done;
    }

    @Override
    public CompletableFuture<VersionInfo> saveVersion(String roomId, RoomSnapshot snapshot, long ownerEpoch) {
        Objects.requireNonNull(roomId, "roomId");
        Objects.requireNonNull(snapshot, "snapshot");
        if (ownerEpoch < 1) {
            throw new IllegalArgumentException("ownerEpoch must be >= 1 but was " + ownerEpoch);
        }
        CompletableFuture<VersionInfo> done = new CompletableFuture<>();
        enqueue(new Committer.VersionWrite(roomId, snapshot, ownerEpoch, done));
        return done;
    }

    @Override
    public CompletableFuture<List<VersionInfo>> listVersions(String roomId) {
        Objects.requireNonNull(roomId, "roomId");
        return read("list versions", c -> {
            try {
                return RoomTables.listVersions(c, roomId);
            } finally {
                c.rollback();
            }
        });
    }

    @Override
    public CompletableFuture<@Nullable RoomSnapshot> loadVersion(String roomId, String versionId) {
        Objects.requireNonNull(roomId, "roomId");
        Objects.requireNonNull(versionId, "versionId");
        return read("load version", c -> {
            try {
                return RoomTables.loadVersion(c, roomId, versionId);
            } finally {
                c.rollback();
            }
        });
    }

    @Override
    public CompletableFuture<Map<String, EventResult>> loadEventResults(String roomId, Collection<String> eventIds) {
        Objects.requireNonNull(roomId, "roomId");
        List<String> ids = List.copyOf(eventIds);
        if (ids.isEmpty()) {
            return CompletableFuture.completedFuture(Map.of());
        }
        return read("load event results", c -> {
            try {
                return RoomTables.loadEventResults(c, roomId, ids);
            } finally {
                c.rollback();
            }
        });
    }

    @Override
    public CompletableFuture<@Nullable String> loadAttribute(String roomId, String key) {
        Objects.requireNonNull(roomId, "roomId");
        Objects.requireNonNull(key, "key");
        return read("load attribute", c -> {
            try {
                return RoomTables.loadAttribute(c, roomId, key);
            } finally {
                c.rollback();
            }
        });
    }

    /**
     * Writes the attribute in its own transaction on a reader thread: attributes change rarely, and their
     * writes need not be ordered with the room's commits.
     */
    @Override
    public CompletableFuture<Void> saveAttribute(String roomId, String key, @Nullable String value) {
        Objects.requireNonNull(roomId, "roomId");
        Objects.requireNonNull(key, "key");
        return read("save attribute", c -> {
            try {
                RoomTables.saveAttribute(c, roomId, key, value);
                c.commit();
                return null;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        });
    }

    /**
     * Writes the reservation in its own transaction on a reader thread, like an attribute: a reservation only
     * moves up, so it need not be ordered with the room's commits.
     */
    @Override
    public CompletableFuture<Void> reserveClock(String roomId, long clock) {
        Objects.requireNonNull(roomId, "roomId");
        return read("reserve clock", c -> {
            try {
                RoomTables.reserveClock(c, roomId, clock);
                c.commit();
                return null;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        });
    }

    /** Lowers the reservation only if it is still {@code reserved}, so its order with other writes does not matter. */
    @Override
    public CompletableFuture<Void> releaseClock(String roomId, long reserved, long documentClock) {
        Objects.requireNonNull(roomId, "roomId");
        return read("release clock", c -> {
            try {
                RoomTables.releaseClock(c, roomId, reserved, documentClock);
                c.commit();
                return null;
            } catch (SQLException | RuntimeException e) {
                c.rollback();
                throw e;
            }
        });
    }

    /**
     * Returns what stops a committer if anything does ({@code write path stopped: …}, {@code not committing: …}),
     * otherwise the outcome of the last operation; successful reads cannot hide a write path that is not committing.
     */
    @Override
    public StoreHealth health() {
        long now = System.nanoTime();
        long stall = settings.commitStallTimeout().toNanos();
        for (Committer c : committers) {
            String problem = c.writePathProblem(now, stall);
            if (problem != null) {
                return StoreHealth.degraded(settings.dialect().displayName() + " " + problem);
            }
        }
        return health.get();
    }

    @Override
    public Stats stats() {
        int queued = 0;
        for (Committer c : committers) {
            queued += c.queued();
        }
        return new Stats(commits.get(), versions.get(), transactions.get(), failedTransactions.get(), queued);
    }

    @Override
    public void close() {
        synchronized (this) {
            if (closed) {
                return;
            }
            closed = true;
        }
        try {
            for (Committer c : committers) {
                c.join();
            }
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
        RoomStoreException error = new RoomStoreException("the room store is closed");
        for (Committer c : committers) {
            c.failRemaining(error);
        }
        readers.shutdown();
        try {
            if (!readers.awaitTermination(30, TimeUnit.SECONDS)) {
                readers.shutdownNow();
            }
        } catch (InterruptedException e) {
            readers.shutdownNow();
            Thread.currentThread().interrupt();
        }
        if (ownedPool != null) {
            ownedPool.close();
        }
        LOG.info("Closed {} room store", settings.dialect().displayName());
    }

    boolean isClosed() {
        return closed;
    }

    void recordWriteSuccess(int commitCount, int versionCount) {
        transactions.incrementAndGet();
        commits.addAndGet(commitCount);
        versions.addAndGet(versionCount);
        health.set(StoreHealth.OK);
    }

    void recordWriteFailure(String reason) {
        failedTransactions.incrementAndGet();
        health.set(StoreHealth.degraded(settings.dialect().displayName() + " write failed: " + reason));
    }

    private void enqueue(Committer.Write write) {
        if (closed) {
            write.fail(new RoomStoreException("the room store is closed"));
            return;
        }
        // A room always goes to the same committer, so its writes are applied in the order they were made.
        Committer committer = committers[Math.floorMod(write.roomId().hashCode(), committers.length)];
        if (!committer.offer(write)) {
            write.fail(new RoomStoreException(
                    "the room store's write queue is full (" + settings.maxQueuedWrites() + " writes waiting)"));
            return;
        }
        // Closed after the offer: the committer may have finished already, so take the write back and fail it.
        if (closed && committer.remove(write)) {
            write.fail(new RoomStoreException("the room store is closed"));
        }
    }

    @FunctionalInterface
    private interface Read<T> {
        T run(Connection c) throws SQLException;
    }

    private <T> CompletableFuture<T> read(String what, Read<T> read) {
        if (closed) {
            return CompletableFuture.failedFuture(new RoomStoreException("the room store is closed"));
        }
        CompletableFuture<T> done = new CompletableFuture<>();
        try {
            readers.execute(() -> {
                T result;
                try (Connection c = dataSource.getConnection()) {
                    result = read.run(c);
                } catch (SQLException | RuntimeException e) {
                    String reason = rootMessage(e);
                    health.set(
                            StoreHealth.degraded(settings.dialect().displayName() + " " + what + " failed: " + reason));
                    done.completeExceptionally(new RoomStoreException(what + " failed: " + reason, e));
                    return;
                }
                health.set(StoreHealth.OK);
                done.complete(result);
            });
        } catch (RejectedExecutionException e) {
            done.completeExceptionally(new RoomStoreException(
                    closed ? "the room store is closed" : "the room store's read queue is full", e));
        }
        return done;
    }

    /** Returns the message of the innermost cause, the one that says what went wrong. */
    static String rootMessage(Throwable e) {
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        String message = root.getMessage();
        return message == null || message.isBlank()
                ? root.getClass().getSimpleName()
                : message.strip().lines().findFirst().orElse("");
    }
}
