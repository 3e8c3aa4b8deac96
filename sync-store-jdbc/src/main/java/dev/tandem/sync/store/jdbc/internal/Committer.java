package dev.tandem.sync.store.jdbc.internal;

import dev.tandem.sync.core.RoomCommit;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.VersionInfo;
import dev.tandem.sync.store.jdbc.RoomFencedException;
import dev.tandem.sync.store.jdbc.RoomStoreException;
import java.io.IOException;
import java.sql.SQLException;
import java.sql.SQLNonTransientConnectionException;
import java.sql.SQLTransientConnectionException;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ArrayBlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One committer thread and its bounded queue: takes the queued writes in batches of at most {@code
 * maxBatchSize} (under load waiting up to {@code commitDelay} for more), writes a batch in one transaction, and
 * completes the batch's futures after it commits (or fails them all if it does not). A batch holds at most one
 * commit per room, so a room's commits are written in the order they were queued and each as its own change.
 * Every {@code logFoldInterval} it folds the commit log of the rooms it wrote into the record tables.
 */
final class Committer implements Runnable {
    private static final Logger LOG = LoggerFactory.getLogger(Committer.class);

    /** A write waiting for its transaction. */
    sealed interface Write permits CommitWrite, VersionWrite {
        String roomId();

        void fail(Throwable error);
    }

    /** A commit; with an {@code ownerEpoch} >= 0 it is applied only while that is the room's owner epoch. */
    record CommitWrite(RoomCommit commit, long ownerEpoch, CompletableFuture<Void> done) implements Write {
        CommitWrite(RoomCommit commit, CompletableFuture<Void> done) {
            this(commit, -1, done);
        }

        @Override
        public String roomId() {
            return commit.roomId();
        }

        @Override
        public void fail(Throwable error) {
            done.completeExceptionally(error);
        }
    }

    /** A version save; with an {@code ownerEpoch} >= 0 it is saved only while that is the room's owner epoch. */
    record VersionWrite(String roomId, RoomSnapshot snapshot, long ownerEpoch, CompletableFuture<VersionInfo> done)
            implements Write {
        VersionWrite(String roomId, RoomSnapshot snapshot, CompletableFuture<VersionInfo> done) {
            this(roomId, snapshot, -1, done);
        }

        @Override
        public void fail(Throwable error) {
            done.completeExceptionally(error);
        }
    }

    private static final long EVENT_PRUNE_INTERVAL_MILLIS = 60_000;

    /** Logged records past which the log is folded before its interval is up, bounding what a load replays. */
    private static final int MAX_UNFOLDED_RECORDS = 50_000;

    private final JdbcStore store;
    private final DataSource dataSource;
    private final StoreSettings settings;
    private final ArrayBlockingQueue<Write> queue;
    private final Thread thread;
    /** Whether this committer deletes expired push event results (only one of a store's committers does). */
    private final boolean prunesEvents;
    /** When expired push event results were last deleted (epoch milliseconds); confined to the thread. */
    private long lastEventPrune;

    private final long delayNanos;
    /** When the last batch was written ({@link System#nanoTime}); confined to the thread. */
    private long lastTransactionEnd = System.nanoTime() - TimeUnit.DAYS.toNanos(1);

    /** How long the committer keeps one pooled connection at most. */
    private static final long WRITER_MAX_AGE_NANOS = TimeUnit.MINUTES.toNanos(1);

    /** The connection kept between transactions, or null; confined to the thread. */
    private @Nullable WriterConnection writer;

    private final long foldIntervalNanos;
    /** Rooms this thread committed to since their log was last folded; thread-confined. */
    private final Set<String> unfolded = new HashSet<>();

    private int unfoldedRecords;
    /** A schema this committer stored for a room: the object the room passed, and the owner epoch then. */
    private record StoredSchema(Map<String, Object> schema, long ownerEpoch) {}

    /** Rooms in {@link #storedSchemas} past which it is cleared (rooms come and go). */
    private static final int MAX_STORED_SCHEMAS = 10_000;

    /** The schema this committer last stored for each room; confined to the thread. */
    private final Map<String, StoredSchema> storedSchemas = new HashMap<>();

    /** When the first of {@link #unfolded} was committed ({@link System#nanoTime}). */
    private long unfoldedSince;
    /** Before this ({@link System#nanoTime}) a failed fold is not tried again, however large the log grew. */
    private long foldRetryAt = System.nanoTime();

    /** A write taken from the queue that starts the next batch (its room was already in the last one). */
    private volatile @Nullable Write carried;

    private static final long FIRST_RESTART_BACKOFF_NANOS = TimeUnit.MILLISECONDS.toNanos(100);
    private static final long MAX_RESTART_BACKOFF_NANOS = TimeUnit.SECONDS.toNanos(5);

    /** The failure the committer is being restarted from, until it works again; null while it works. */
    private volatile @Nullable Throwable stoppedBy;
    /** Failures of the commit loop since it last worked; confined to the thread. */
    private int consecutiveFailures;
    /** When the loop last completed a transaction or found its queue empty ({@link System#nanoTime}). */
    private volatile long progressAt = System.nanoTime();
    /** How many writes the batch being written holds (0 between batches). */
    private volatile int writing;

    /** The batch being gathered or written; confined to the thread. */
    private List<Write> inFlight = List.of();
    /** The part of {@link #inFlight} in the current transaction; confined to the thread. */
    private List<Write> transacting = List.of();
    /** Whether {@link #transacting} committed, and the versions it saved; confined to the thread. */
    private boolean inFlightCommitted;

    private List<VersionInfo> inFlightVersions = List.of();

    Committer(JdbcStore store, DataSource dataSource, StoreSettings settings, int index, int capacity) {
        this.store = store;
        this.dataSource = dataSource;
        this.settings = settings;
        this.queue = new ArrayBlockingQueue<>(capacity);
        this.thread = new Thread(this, "tandem-store-committer-" + index);
        this.thread.setDaemon(true);
        this.prunesEvents = index == 0;
        this.delayNanos = settings.commitDelay().toNanos();
        this.foldIntervalNanos = settings.logFoldInterval().toNanos();
    }

    void start() {
        thread.start();
    }

    /** Queues a write; returns false at once if the queue is full. */
    boolean offer(Write write) {
        return queue.offer(write);
    }

    /** Removes a queued write that was not taken yet; returns whether it was. */
    boolean remove(Write write) {
        return queue.remove(write);
    }

    int queued() {
        return queue.size() + (carried != null ? 1 : 0);
    }

    /** Waits until the thread, asked to stop by the store's closed flag, has written everything queued. */
    void join() throws InterruptedException {
        thread.join();
    }

    /** Fails what is still queued after the thread ended. */
    void failRemaining(Throwable error) {
        Write w;
        while ((w = queue.poll()) != null) {
            w.fail(error);
        }
    }

    /**
     * The thread's body: runs the commit loop until the store is closed and its queue is written, restarting it
     * with back-off after anything escapes it, so a failure (an {@link OutOfMemoryError}, a bug) never leaves the
     * queue without a writer.
     */
    @Override
    public void run() {
        while (true) {
            try {
                commitLoop();
                return;
            } catch (InterruptedException e) {
                releaseWriterQuietly();
                Thread.currentThread().interrupt();
                return;
            } catch (Throwable t) {
                stoppedBy = t;
                try {
                    if (!recover(t)) {
                        return;
                    }
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    return;
                } catch (Throwable again) {
                    // the heap may still be exhausted: the next round recovers what this one could not
                    stoppedBy = again;
                }
            }
        }
    }

    /**
     * After {@code error} escaped the commit loop: settles the batch being written, then waits out the back-off.
     * Returns whether to restart the loop; when the store is closing, fails what is queued and returns false.
     */
    private boolean recover(Throwable error) throws InterruptedException {
        releaseWriterQuietly();
        consecutiveFailures++;
        LOG.error(
                "The committer failed ({} in a row); {}",
                consecutiveFailures,
                store.isClosed() ? "failing its queued writes" : "restarting it",
                error);
        settleInFlight(error);
        if (store.isClosed()) {
            RoomStoreException closed = new RoomStoreException(
                    "the room store is closed; its committer failed with "
                            + error.getClass().getSimpleName(),
                    error);
            Write c = carried;
            carried = null;
            if (c != null) {
                c.fail(closed);
            }
            failRemaining(closed);
            return false;
        }
        long backoff = Math.min(
                MAX_RESTART_BACKOFF_NANOS, FIRST_RESTART_BACKOFF_NANOS << Math.min(10, consecutiveFailures - 1));
        long until = System.nanoTime() + backoff;
        // wait in steps, so that a close need not wait out the whole back-off
        for (long left = backoff; left > 0 && !store.isClosed(); left = until - System.nanoTime()) {
            TimeUnit.NANOSECONDS.sleep(Math.min(left, TimeUnit.MILLISECONDS.toNanos(50)));
        }
        return true;
    }

    /**
     * Completes the writes of the batch that was being written when the loop failed: with their results if its
     * transaction had committed (they are durable), otherwise with a {@link RoomStoreException}, so their owners
     * write them again (a room retries its commit; a commit written twice changes nothing the second time).
     */
    private void settleInFlight(Throwable error) {
        List<Write> batch = inFlight;
        inFlight = List.of();
        writing = 0;
        if (batch.isEmpty()) {
            return;
        }
        if (inFlightCommitted) {
            complete(transacting, inFlightVersions);
        }
        inFlightCommitted = false;
        transacting = List.of();
        RoomStoreException failure = new RoomStoreException(
                "writing to " + settings.dialect().displayName() + " failed: the committer failed with "
                        + error.getClass().getSimpleName(),
                error);
        for (Write w : batch) {
            // no effect on the writes completed already
            w.fail(failure);
        }
    }

    /**
     * Returns what keeps this committer from committing, or null: a failure it is being restarted from, or
     * writes waiting while no transaction completed for longer than {@code stallNanos}. Never blocks.
     */
    @Nullable
    String writePathProblem(long nowNanos, long stallNanos) {
        Throwable failure = stoppedBy;
        if (failure != null) {
            return "write path stopped: the committer failed with "
                    + failure.getClass().getSimpleName() + " and is restarting";
        }
        if (!thread.isAlive() && thread.getState() != Thread.State.NEW && !store.isClosed()) {
            return "write path stopped: the committer thread ended";
        }
        int waiting = queued() + writing;
        long stalled = nowNanos - progressAt;
        if (waiting > 0 && stalled > stallNanos) {
            return "not committing: " + waiting + " writes waiting and no transaction completed for "
                    + TimeUnit.NANOSECONDS.toSeconds(stalled) + " s";
        }
        return null;
    }

    /** Records that the loop works: it completed a transaction or found nothing to do. */
    private void progressed() {
        progressAt = System.nanoTime();
        if (stoppedBy != null) {
            LOG.info("The committer works again after {} failures", consecutiveFailures);
            stoppedBy = null;
        }
        consecutiveFailures = 0;
    }

    private void commitLoop() throws InterruptedException {
        List<Write> batch = new ArrayList<>(settings.maxBatchSize());
        Set<String> rooms = new HashSet<>();
        while (true) {
            Write first = carried;
            carried = null;
            if (first == null) {
                first = queue.poll(50, TimeUnit.MILLISECONDS);
            }
            if (first == null) {
                if (store.isClosed() && queue.isEmpty()) {
                    fold(true);
                    releaseWriter();
                    return;
                }
                fold(false);
                releaseWriter();
                progressed();
                continue;
            }
            inFlight = batch;
            batch.add(first);
            rooms.add(first.roomId());
            // group commit: under load, wait a little for other rooms' commits to share the transaction
            long now = System.nanoTime();
            long lingerUntil = now - lastTransactionEnd < 10 * delayNanos ? now + delayNanos : now;
            while (batch.size() < settings.maxBatchSize()) {
                Write next = queue.poll();
                if (next == null) {
                    long left = lingerUntil - System.nanoTime();
                    if (left > 0) {
                        next = queue.poll(left, TimeUnit.NANOSECONDS);
                    }
                }
                if (next == null) {
                    break;
                }
                if (next instanceof CommitWrite && !rooms.add(next.roomId())) {
                    carried = next;
                    break;
                }
                batch.add(next);
            }
            writing = batch.size();
            write(batch);
            inFlight = List.of();
            writing = 0;
            lastTransactionEnd = System.nanoTime();
            progressed();
            fold(false);
            pruneEvents();
            if (writer != null && writer.ageNanos() > WRITER_MAX_AGE_NANOS) {
                releaseWriter();
            }
            batch.clear();
            rooms.clear();
        }
    }

    /**
     * Writes a batch in one transaction. If that fails for a reason other than the connection, the writes
     * are tried again one per transaction, so one bad write fails alone and not the rooms batched with it.
     */
    private void write(List<Write> batch) {
        Exception error = transact(batch);
        if (error == null) {
            return;
        }
        if (batch.size() > 1 && !isConnectionProblem(error)) {
            LOG.warn(
                    "Writing a batch of {} changes failed ({}); writing them one at a time",
                    batch.size(),
                    JdbcStore.rootMessage(error));
            for (Write w : batch) {
                Exception single = transact(List.of(w));
                if (single != null) {
                    fail(List.of(w), single);
                }
            }
            return;
        }
        fail(batch, error);
    }

    /** Writes the batch in one transaction and completes its futures; returns the error if it failed. */
    private @Nullable Exception transact(List<Write> batch) {
        transacting = batch;
        inFlightCommitted = false;
        List<RoomCommit> commits = new ArrayList<>(batch.size());
        for (Write w : batch) {
            if (w instanceof CommitWrite cw) {
                commits.add(cw.commit());
            }
        }
        // rooms pass the same schema object with every commit until it changes: store it once per owner epoch
        Set<String> schemaStored = new HashSet<>();
        for (Write w : batch) {
            if (w instanceof CommitWrite cw) {
                StoredSchema stored = storedSchemas.get(cw.roomId());
                if (stored != null
                        && stored.schema() == cw.commit().schema()
                        && stored.ownerEpoch() == cw.ownerEpoch()) {
                    schemaStored.add(cw.roomId());
                }
            }
        }
        List<VersionInfo> versions = new ArrayList<>();
        try {
            inTransaction(c -> {
                for (Write w : batch) {
                    long epoch = ownerEpoch(w);
                    if (epoch >= 0 && !RoomTables.holdsOwnerEpoch(c, w.roomId(), epoch)) {
                        throw new Fenced(w, epoch);
                    }
                }
                RoomTables.writeCommits(
                        c, commits, System.currentTimeMillis(), commit -> schemaStored.contains(commit.roomId()));
                Instant now = Instant.now().truncatedTo(ChronoUnit.MILLIS);
                for (Write w : batch) {
                    if (w instanceof VersionWrite vw) {
                        versions.add(RoomTables.insertVersion(
                                c,
                                vw.roomId(),
                                vw.snapshot(),
                                now,
                                settings.maxVersionsPerRoom(),
                                settings.maxVersionAge()));
                    }
                }
                return null;
            });
        } catch (SQLException | RuntimeException e) {
            return e;
        }
        inFlightVersions = versions;
        inFlightCommitted = true;
        store.recordWriteSuccess(commits.size(), versions.size());
        if (storedSchemas.size() > MAX_STORED_SCHEMAS) {
            storedSchemas.clear();
        }
        for (Write w : batch) {
            if (w instanceof CommitWrite cw && cw.commit().schema() != null) {
                storedSchemas.put(cw.roomId(), new StoredSchema(cw.commit().schema(), cw.ownerEpoch()));
            }
        }
        for (RoomCommit commit : commits) {
            if (unfolded.isEmpty()) {
                unfoldedSince = System.nanoTime();
            }
            unfolded.add(commit.roomId());
            unfoldedRecords += CommitLog.records(commit);
        }
        complete(batch, versions);
        inFlightCommitted = false;
        inFlightVersions = List.of();
        transacting = List.of();
        return null;
    }

    /** Completes the futures of a committed batch ({@code versions} in the order of its version writes). */
    private static void complete(List<Write> batch, List<VersionInfo> versions) {
        int v = 0;
        for (Write w : batch) {
            if (w instanceof CommitWrite cw) {
                cw.done().complete(null);
            } else if (w instanceof VersionWrite vw) {
                vw.done().complete(versions.get(v++));
            }
        }
    }

    @FunctionalInterface
    private interface Work<T> {
        T run(WriterConnection c) throws SQLException;
    }

    /**
     * Runs {@code work} in one transaction on the kept connection (taken from the pool if there is none) and
     * commits; if anything fails, rolls back, gives the connection back to the pool and rethrows.
     */
    private <T> T inTransaction(Work<T> work) throws SQLException {
        WriterConnection c = writer;
        if (c == null) {
            c = new WriterConnection(dataSource.getConnection());
            writer = c;
        }
        try {
            T result = work.run(c);
            c.connection().commit();
            return result;
        } catch (Throwable e) {
            // an Error too: the connection must not go back to the pool in the middle of a transaction
            try {
                c.connection().rollback();
            } catch (Throwable rollback) {
                e.addSuppressed(rollback);
            }
            releaseWriter();
            throw e;
        }
    }

    /** {@link #releaseWriter()} after a failure, when closing may fail too (the heap may still be exhausted). */
    private void releaseWriterQuietly() {
        try {
            releaseWriter();
        } catch (Throwable e) {
            writer = null;
        }
    }

    /** Gives the kept connection back to the pool, if there is one. */
    private void releaseWriter() {
        WriterConnection c = writer;
        writer = null;
        if (c != null) {
            try {
                c.close();
            } catch (SQLException e) {
                LOG.debug("Closing the committer's connection failed: {}", JdbcStore.rootMessage(e));
            }
        }
    }

    /**
     * Folds the log of the rooms committed to since the last fold into the record tables, in a transaction of
     * its own, once the oldest of those commits is {@code logFoldInterval} old or they hold more than {@value
     * #MAX_UNFOLDED_RECORDS} records (or at once if {@code now}). A failure is logged and tried again an interval
     * later; the log stays readable meanwhile, so nothing waits for the fold.
     */
    private void fold(boolean now) {
        long at = System.nanoTime();
        if (unfolded.isEmpty()
                || !now
                        && (at - unfoldedSince < foldIntervalNanos && unfoldedRecords <= MAX_UNFOLDED_RECORDS
                                || at - foldRetryAt < 0)) {
            return;
        }
        try {
            int rows = inTransaction(c -> RoomTables.fold(c, unfolded));
            LOG.trace("Folded {} commit log rows of {} rooms", rows, unfolded.size());
            unfolded.clear();
            unfoldedRecords = 0;
        } catch (SQLException | RuntimeException e) {
            LOG.warn(
                    "Folding the commit log of {} rooms failed, trying again later: {}",
                    unfolded.size(),
                    JdbcStore.rootMessage(e));
            foldRetryAt = System.nanoTime() + Math.max(foldIntervalNanos, TimeUnit.SECONDS.toNanos(1));
        }
    }

    /**
     * Deletes push event results older than the retention window, at most once per minute (or per window,
     * if shorter), in a transaction of its own; a failure is logged and tried again next time.
     */
    private void pruneEvents() {
        long now = System.currentTimeMillis();
        long retention = settings.eventRetention().toMillis();
        if (!prunesEvents || now - lastEventPrune < Math.min(EVENT_PRUNE_INTERVAL_MILLIS, retention)) {
            return;
        }
        lastEventPrune = now;
        try {
            int deleted = inTransaction(c -> RoomTables.pruneEvents(c, now - retention));
            if (deleted > 0) {
                LOG.debug("Deleted {} push event results older than {}", deleted, settings.eventRetention());
            }
        } catch (SQLException | RuntimeException e) {
            LOG.warn("Deleting expired push event results failed: {}", JdbcStore.rootMessage(e));
        }
    }

    private void fail(List<Write> batch, Exception e) {
        if (e instanceof Fenced fenced && batch.size() == 1) {
            Write w = fenced.write;
            LOG.info(
                    "Refused a {} of room {} by a stale owner (epoch {})",
                    w instanceof VersionWrite ? "version" : "commit",
                    w.roomId(),
                    fenced.epoch);
            w.fail(new RoomFencedException(w.roomId(), fenced.epoch));
            return;
        }
        String reason = JdbcStore.rootMessage(e);
        RoomStoreException error = new RoomStoreException(
                "writing " + batch.size() + " changes to " + settings.dialect().displayName() + " failed: " + reason,
                e);
        store.recordWriteFailure(reason);
        LOG.warn("Writing {} changes failed: {}", batch.size(), reason);
        for (Write w : batch) {
            w.fail(error);
        }
    }

    /** The owner epoch a write is fenced with, or -1 for an unfenced write. */
    private static long ownerEpoch(Write w) {
        if (w instanceof CommitWrite cw) {
            return cw.ownerEpoch();
        }
        return ((VersionWrite) w).ownerEpoch();
    }

    /** A fenced write (commit or version): its room has a newer owner; the transaction is rolled back. */
    static final class Fenced extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Write write;
        final long epoch;

        Fenced(Write write, long epoch) {
            super("room " + write.roomId() + " has a newer owner than epoch " + epoch, null, false, false);
            this.write = write;
            this.epoch = epoch;
        }
    }

    /** Returns whether the database could not be reached, so writing the batch's parts alone would fail too. */
    static boolean isConnectionProblem(Throwable error) {
        for (Throwable t = error; t != null; t = t.getCause()) {
            if (t instanceof SQLTransientConnectionException || t instanceof SQLNonTransientConnectionException) {
                return true;
            }
            if (t instanceof SQLException sql
                    && sql.getSQLState() != null
                    && sql.getSQLState().startsWith("08")) {
                return true;
            }
            if (t instanceof IOException) {
                return true;
            }
            if (t.getCause() == t) {
                break;
            }
        }
        return false;
    }
}
