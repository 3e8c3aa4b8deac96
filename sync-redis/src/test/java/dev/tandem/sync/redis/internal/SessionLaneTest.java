package dev.tandem.sync.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.Executor;
import org.junit.jupiter.api.Test;

class SessionLaneTest {
    /** A pool that runs nothing until the test says so. */
    private final Queue<Runnable> pool = new ArrayDeque<>();

    private final Executor manual = pool::add;

    private void runPool() {
        Runnable r;
        while ((r = pool.poll()) != null) {
            r.run();
        }
    }

    @Test
    void offer_manyTasks_runInOrderOffTheCallingThread() {
        SessionLane lane = new SessionLane(manual, 1000);
        List<Integer> ran = new ArrayList<>();
        for (int i = 0; i < 200; i++) {
            int n = i;
            assertThat(lane.offer(() -> ran.add(n))).isTrue();
        }
        assertThat(ran).as("nothing runs on the offering thread").isEmpty();
        runPool();
        assertThat(ran).hasSize(200).isSorted();
    }

    @Test
    void offer_pastTheBound_isRefused_butOfferLastIsKept() {
        SessionLane lane = new SessionLane(manual, 3);
        List<String> ran = new ArrayList<>();
        assertThat(lane.offer(() -> ran.add("a"))).isTrue();
        assertThat(lane.offer(() -> ran.add("b"))).isTrue();
        assertThat(lane.offer(() -> ran.add("c"))).isTrue();
        assertThat(lane.offer(() -> ran.add("d"))).isFalse();
        lane.offerLast(() -> ran.add("close"));
        runPool();
        assertThat(ran).containsExactly("a", "b", "c", "close");
    }

    @Test
    void offer_aTaskThrows_laterTasksStillRun() {
        SessionLane lane = new SessionLane(manual, 10);
        List<String> ran = new ArrayList<>();
        lane.offer(() -> {
            throw new IllegalStateException("boom");
        });
        lane.offer(() -> ran.add("after"));
        runPool();
        assertThat(ran).containsExactly("after");
    }

    @Test
    void offer_onAShutDownPool_runsInOrderOnTheCaller() {
        SessionLane lane = new SessionLane(
                r -> {
                    throw new java.util.concurrent.RejectedExecutionException("shut down");
                },
                10);
        List<String> ran = new ArrayList<>();
        lane.offer(() -> ran.add("a"));
        lane.offer(() -> ran.add("b"));
        assertThat(ran).containsExactly("a", "b");
    }

    @Test
    void create_withNoRoom_isRefusedNamingTheValue() {
        assertThatThrownBy(() -> new SessionLane(manual, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxQueued must be > 0 but was 0");
    }
}
