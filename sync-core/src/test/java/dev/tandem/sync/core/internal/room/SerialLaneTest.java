package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class SerialLaneTest {
    /** An executor that only queues: the test runs its tasks when it wants. */
    private static final class QueueingExecutor implements Executor {
        final Queue<Runnable> tasks = new ArrayDeque<>();

        @Override
        public void execute(Runnable command) {
            tasks.add(command);
        }

        void runAll() {
            Runnable r;
            while ((r = tasks.poll()) != null) {
                r.run();
            }
        }
    }

    @Test
    void executeHere_onAnIdleLane_runsOnTheCallingThreadAtOnce() {
        QueueingExecutor executor = new QueueingExecutor();
        SerialLane lane = new SerialLane(executor);
        List<String> ran = new ArrayList<>();
        Thread caller = Thread.currentThread();

        lane.executeHere(() -> ran.add(Thread.currentThread() == caller ? "here" : "elsewhere"));

        assertThat(ran).containsExactly("here");
        assertThat(executor.tasks).isEmpty();
    }

    @Test
    void executeHere_onABusyLane_queuesBehindTheRunningTasks_inOrder() {
        QueueingExecutor executor = new QueueingExecutor();
        SerialLane lane = new SerialLane(executor);
        List<Integer> ran = new ArrayList<>();
        lane.execute(() -> ran.add(1));

        lane.executeHere(() -> ran.add(2));

        assertThat(ran)
                .as("the lane is busy (its drain is queued): nothing ran here")
                .isEmpty();
        executor.runAll();
        assertThat(ran).containsExactly(1, 2);
    }

    @Test
    void executeHere_fromInsideALaneTask_neverNestsAnotherLane() {
        QueueingExecutor executor = new QueueingExecutor();
        SerialLane outer = new SerialLane(executor);
        SerialLane inner = new SerialLane(executor);
        List<String> ran = new ArrayList<>();

        outer.executeHere(() -> {
            inner.executeHere(() -> ran.add("inner"));
            ran.add("outer done");
        });

        assertThat(ran).containsExactly("outer done");
        executor.runAll();
        assertThat(ran).containsExactly("outer done", "inner");
    }

    @Test
    void executeHere_manyTasksArrivingWhileInline_handsTheRestToTheExecutor() {
        QueueingExecutor executor = new QueueingExecutor();
        SerialLane lane = new SerialLane(executor);
        List<Integer> ran = new ArrayList<>();

        lane.executeHere(() -> {
            for (int i = 0; i < 1_000; i++) {
                int n = i;
                lane.execute(() -> ran.add(n));
            }
        });

        assertThat(ran).hasSizeLessThan(1_000);
        assertThat(executor.tasks).hasSize(1);
        executor.runAll();
        assertThat(ran).hasSize(1_000);
        assertThat(ran).isSorted();
    }

    @Test
    void executeHere_onAHeldLane_waitsForRelease() {
        QueueingExecutor executor = new QueueingExecutor();
        SerialLane lane = new SerialLane(executor, true);
        List<Integer> ran = new ArrayList<>();

        lane.executeHere(() -> ran.add(1));

        assertThat(ran).isEmpty();
        lane.release();
        executor.runAll();
        assertThat(ran).containsExactly(1);
    }
}
