package dev.tandem.sync.client.testing;

import java.util.ArrayDeque;
import java.util.concurrent.Executor;

/** An executor that queues tasks until the test runs them, on the test's thread. Thread-safe. */
public final class ManualExecutor implements Executor {
    private final ArrayDeque<Runnable> tasks = new ArrayDeque<>();

    @Override
    public synchronized void execute(Runnable task) {
        tasks.add(task);
    }

    /** Runs queued tasks, including ones they queue, until none is left; returns how many ran. */
    public int runAll() {
        int ran = 0;
        while (true) {
            Runnable next;
            synchronized (this) {
                next = tasks.poll();
            }
            if (next == null) {
                return ran;
            }
            next.run();
            ran++;
        }
    }

    public synchronized boolean isIdle() {
        return tasks.isEmpty();
    }
}
