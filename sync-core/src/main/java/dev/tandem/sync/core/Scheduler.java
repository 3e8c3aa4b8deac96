package dev.tandem.sync.core;

import dev.tandem.sync.core.internal.room.SystemScheduler;
import java.time.Duration;

/**
 * Time and delayed tasks for rooms: session timeouts, outgoing batching and tombstone pruning all go
 * through it, so tests drive time exactly with a manual implementation. Implementations are thread-safe.
 */
public interface Scheduler {

    /** Returns a monotonic time in nanoseconds (only differences are meaningful). */
    long nanoTime();

    /**
     * Runs {@code task} once after {@code delay}, on any thread. Returns a handle that prevents the run if
     * it has not started.
     */
    Cancellable schedule(Duration delay, Runnable task);

    /** A scheduled task that can still be cancelled. */
    @FunctionalInterface
    interface Cancellable {
        /** Prevents the task from running if it has not started; does nothing otherwise. */
        void cancel();
    }

    /** Returns the shared scheduler on the system clock, backed by one daemon thread. */
    static Scheduler system() {
        return SystemScheduler.INSTANCE;
    }
}
