package dev.tandem.sync.core.internal.room;

import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Runs tasks one at a time, in submission order, on a shared executor: the room's lane. A task submitted
 * from inside a running task runs after it, never nested, so room code needs no locks. {@link #executeHere}
 * runs an idle lane on the calling thread instead (a transport thread that just decoded a frame), which saves
 * the hand-off to a pool thread and its wake-up. Thread-safe.
 */
final class SerialLane implements Executor {
    private static final Logger LOG = LoggerFactory.getLogger(SerialLane.class);
    /** Tasks run per executor turn before yielding, so one busy room cannot hog a pool thread. */
    private static final int MAX_TASKS_PER_TURN = 1024;
    /** Tasks run on a caller's thread before the rest move to the executor, so the caller is soon free. */
    private static final int MAX_TASKS_INLINE = 64;

    /** Whether this thread is draining a lane now: such a thread never starts another lane inline. */
    private static final ThreadLocal<boolean[]> DRAINING = ThreadLocal.withInitial(() -> new boolean[1]);

    private final Executor executor;
    private final ConcurrentLinkedQueue<Runnable> queue = new ConcurrentLinkedQueue<>();
    private final AtomicInteger pending = new AtomicInteger();
    /** Runs on the lane after every task: the one place where a task's loose ends are tied up. */
    private final Runnable afterEachTask;

    SerialLane(Executor executor) {
        this(executor, false, () -> {});
    }

    /** A lane that starts {@code held}: tasks queue up but none runs until {@link #release()}. */
    SerialLane(Executor executor, boolean held) {
        this(executor, held, () -> {});
    }

    /** As above, running {@code afterEachTask} on the lane after every task (also after one that threw). */
    SerialLane(Executor executor, boolean held, Runnable afterEachTask) {
        this.executor = executor;
        this.afterEachTask = afterEachTask;
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

    /**
     * Like {@link #execute}, but when the lane is idle its tasks run on the calling thread, up to a few dozen
     * (the rest continue on the executor). A thread already running a lane task queues the task instead,
     * so lanes never nest. For callers whose thread may do short non-blocking work: transport and timer threads,
     * and a store's thread completing a commit.
     */
    void executeHere(Runnable task) {
        queue.add(task);
        if (pending.getAndIncrement() == 0) {
            if (DRAINING.get()[0]) {
                executor.execute(this::drain);
            } else {
                drain(MAX_TASKS_INLINE);
            }
        }
    }

    private void drain() {
        drain(MAX_TASKS_PER_TURN);
    }

    private void drain(int budget) {
        boolean[] draining = DRAINING.get();
        boolean outermost = !draining[0];
        draining[0] = true;
        try {
            int ran = 0;
            do {
                // never null: every counted task was queued before it was counted
                Runnable task = queue.poll();
                try {
                    task.run();
                } catch (Throwable t) {
                    LOG.error("room task failed", t);
                }
                try {
                    afterEachTask.run();
                } catch (Throwable t) {
                    LOG.error("room task failed", t);
                }
                if (pending.decrementAndGet() == 0) {
                    return;
                }
            } while (++ran < budget);
            executor.execute(this::drain);
        } finally {
            if (outermost) {
                draining[0] = false;
            }
        }
    }
}
