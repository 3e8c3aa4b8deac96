package dev.tandem.sync.bench.room;

import dev.tandem.sync.core.Scheduler;
import java.time.Duration;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} whose time moves only in {@link #advance(Duration)}, which runs the tasks that fall
 * due on the calling thread, in time order (ties in scheduling order). Never advanced, it is a scheduler
 * whose timers never fire. Cancelled tasks are dropped lazily when they come due. Thread-safe.
 */
final class ManualClock implements Scheduler {
    private final PriorityQueue<Timer> timers = new PriorityQueue<>();
    private long now;
    private long sequence;

    private static final class Timer implements Comparable<Timer>, Cancellable {
        final long due;
        final long seq;
        final Runnable task;
        volatile boolean cancelled;

        Timer(long due, long seq, Runnable task) {
            this.due = due;
            this.seq = seq;
            this.task = task;
        }

        @Override
        public int compareTo(Timer o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }

        @Override
        public void cancel() {
            cancelled = true;
        }
    }

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized Cancellable schedule(Duration delay, Runnable task) {
        Timer t = new Timer(now + Math.max(0, delay.toNanos()), sequence++, task);
        timers.add(t);
        return t;
    }

    /** Moves time forward by {@code by}, running every task that falls due, in order. */
    void advance(Duration by) {
        long target;
        synchronized (this) {
            target = now + by.toNanos();
        }
        while (true) {
            Timer next;
            synchronized (this) {
                next = timers.peek();
                if (next == null || next.due > target) {
                    now = target;
                    return;
                }
                timers.poll();
                now = Math.max(now, next.due);
            }
            if (!next.cancelled) {
                next.task.run();
            }
        }
    }
}
