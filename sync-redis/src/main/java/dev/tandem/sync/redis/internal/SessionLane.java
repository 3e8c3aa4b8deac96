package dev.tandem.sync.redis.internal;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.RejectedExecutionException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs one session's relayed work (decoding its frames, its close) in order on a shared pool, so the Redis
 * subscriber thread only parses the relay envelope and many sessions decode in parallel. Bounded: at most
 * {@code maxQueued} tasks wait; {@link #offer} refuses more. Thread-safe.
 */
final class SessionLane {
    private static final Logger LOG = LoggerFactory.getLogger(SessionLane.class);
    /** Tasks run in one turn before the lane yields its pool thread to other lanes. */
    private static final int BATCH = 64;

    private final Executor pool;
    private final int maxQueued;
    private final ArrayDeque<Runnable> queue = new ArrayDeque<>();
    private boolean scheduled;

    SessionLane(Executor pool, int maxQueued) {
        if (maxQueued <= 0) {
            throw new IllegalArgumentException("maxQueued must be > 0 but was " + maxQueued);
        }
        this.pool = pool;
        this.maxQueued = maxQueued;
    }

    /** Queues a task after every task offered before; returns false (and runs nothing) if the lane is full. */
    boolean offer(Runnable task) {
        return offer(task, false);
    }

    /** Queues a task after every task offered before, even past the bound (a session's last task, its close). */
    void offerLast(Runnable task) {
        offer(task, true);
    }

    private boolean offer(Runnable task, boolean always) {
        synchronized (this) {
            if (queue.size() >= maxQueued && !always) {
                return false;
            }
            queue.add(task);
            if (scheduled) {
                return true;
            }
            scheduled = true;
        }
        schedule();
        return true;
    }

    private void schedule() {
        try {
            pool.execute(this::drain);
        } catch (RejectedExecutionException e) {
            // the pool is shut down (the node is closing): run what is queued here, in order
            drain();
        }
    }

    private void drain() {
        for (int i = 0; i < BATCH; i++) {
            Runnable next;
            synchronized (this) {
                next = queue.poll();
                if (next == null) {
                    scheduled = false;
                    return;
                }
            }
            try {
                next.run();
            } catch (RuntimeException e) {
                LOG.warn("relayed session task failed", e);
            }
        }
        schedule();
    }
}
