package dev.tandem.sync.core.testing;

import dev.tandem.sync.core.Scheduler;
import java.time.Duration;
import java.util.PriorityQueue;

/**
 * A {@link Scheduler} whose time moves only when a test calls {@link #advance(Duration)}; due tasks then run
 * on the calling thread in time order (ties in scheduling order). Thread-safe.
 */
public final class ManualScheduler implements Scheduler {
    private final PriorityQueue<Task> tasks = new PriorityQueue<>();
    private long now;
    private long sequence;

    private final class Task implements Comparable<Task>, Cancellable {
        final long due;
        final long seq;
        final Runnable runnable;
        boolean cancelled;

        Task(long due, long seq, Runnable runnable) {
            this.due = due;
            this.seq = seq;
            this.runnable = runnable;
        }

        @Override
        public int compareTo(Task o) {
            int c = Long.compare(due, o.due);
            return c != 0 ? c : Long.compare(seq, o.seq);
        }

        @Override
        public void cancel() {
            synchronized (ManualScheduler.this) {
                cancelled = true;
                tasks.remove(this);
            }
        }
    }

    @Override
    public synchronized long nanoTime() {
        return now;
    }

    @Override
    public synchronized Cancellable schedule(Duration delay, Runnable task) {
        Task t = new Task(now + Math.max(0, delay.toNanos()), sequence++, task);
        tasks.add(t);
        return t;
    }

    /** Moves time forward by {@code by}, running every task that falls due, in order. */
    public void advance(Duration by) {
        long target;
        synchronized (this) {
            target = now + by.toNanos();
        }
        while (true) {
            Task next;
            synchronized (this) {
                next = tasks.peek();
                if (next == null || next.due > target) {
                    now = target;
                    return;
                }
                tasks.poll();
                now = Math.max(now, next.due);
            }
            if (!next.cancelled) {
                next.runnable.run();
            }
        }
    }

    /** Returns how many tasks are waiting. */
    public synchronized int pendingTasks() {
        return tasks.size();
    }
}
