package dev.tandem.sync.core.internal.room;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: the room's lane. A task submitted
 * from inside a running task runs after it, never nested, so room code needs no locks. Thread-safe.
 */
final class SerialLane implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(SerialLane.class);
    /** Tasks run per executor turn before yielding, so one busy room cannot hog a pool thread. */
    private static final int MAX_TASKS_PER_TURN = 1024;

    private final Executor executor;
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();

    SerialLane(Executor executor) {
        this(executor, false);
    }

    /** A lane that starts {@code held}: tasks queue up but none runs until {@link #release()}. */
    SerialLane(Executor executor, boolean held) {
        this.executor = executor;
        if (held) {
            pending.set(1); // a virtual task occupies the lane until release
        }
    }

    /** Lets a held lane run the tasks queued so far and everything after. Call at most once. */
    void release() {
        if (pending.decrementAndGet() != 0) {
            executor.execute(this::drain);
        }
    }

    @Override
    public void execute(Runnable task) {
        queue.add(task);
        if (pending.getAndIncrement() == 0) {
            executor.execute(this::drain);
        }
    }

    private void drain() {
        int ran = 0;
        do {
            // never null: every counted task was queued before it was counted
            Runnable task = queue.poll();
            try {
                task.run();
            } catch (Throwable t) {
                LOG.error("room task failed", t);
            }
            if (pending.decrementAndGet() == 0) {
                return;
            }
        } while (++ran < MAX_TASKS_PER_TURN);
        executor.execute(this::drain);
    }
}
