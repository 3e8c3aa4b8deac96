package dev.tandem.sync.core.internal.room;

import java.util.concurrent.ForkJoinPool;
import java.util.concurrent.ForkJoinWorkerThread;

/**
 * The default executor of room lanes: one shared pool of daemon threads, as many as the machine has cores and
 * at least two. The JDK's common pool has one thread fewer than the cores, so on a two-core server every room
 * would share a single thread (docs/performance.md, change 7, measures the difference). FIFO queues (async
 * mode), since lanes are event-style tasks that never join.
 */
public final class RoomPool {
    public static final ForkJoinPool INSTANCE = new ForkJoinPool(
            Math.max(2, Runtime.getRuntime().availableProcessors()),
            pool -> {
                ForkJoinWorkerThread t = ForkJoinPool.defaultForkJoinWorkerThreadFactory.newThread(pool);
                t.setName("tandem-room-" + t.getPoolIndex());
                t.setDaemon(true);
                return t;
            },
            null,
            true);

    private RoomPool() {}
}
