package dev.tandem.sync.bench.load;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.ConcurrentHistogram;
import org.HdrHistogram.Histogram;

/**
 * Counters and latency histograms (microseconds) of one run. Only changes sent inside the measured window are
 * timed; frames and deliveries are counted when they arrive inside it. Thread-safe.
 */
final class LoadMetrics {
    private static final long MAX_MICROS = 120_000_000L;

    final long startNanos = System.nanoTime();
    volatile long windowStartNanos = Long.MAX_VALUE;
    volatile long windowEndNanos = Long.MAX_VALUE;
    volatile boolean stopping;

    final Histogram connectMicros = new ConcurrentHistogram(MAX_MICROS, 3);
    final Histogram commitMicros = new ConcurrentHistogram(MAX_MICROS, 3);
    /** From a change's send until one receiver has it. */
    final Histogram deliveryMicros = new ConcurrentHistogram(MAX_MICROS, 3);
    /** From a change's send until the last other client of its room has it. */
    final Histogram fanoutMicros = new ConcurrentHistogram(MAX_MICROS, 3);

    final LongAdder sent = new LongAdder();
    final LongAdder sentInWindow = new LongAdder();
    final LongAdder skipped = new LongAdder();
    final LongAdder committedInWindow = new LongAdder();
    final LongAdder discarded = new LongAdder();
    final LongAdder deliveriesInWindow = new LongAdder();
    final LongAdder framesInWindow = new LongAdder();
    final LongAdder closedEarly = new LongAdder();

    /** stamp → receivers still to get the change; bounded by the changes sent in the window. */
    private final ConcurrentHashMap<Long, AtomicInteger> fanout = new ConcurrentHashMap<>();

    boolean inWindow(long nanos) {
        return nanos >= windowStartNanos && nanos < windowEndNanos;
    }

    void frameReceived(long now) {
        if (inWindow(now)) {
            framesInWindow.increment();
        }
    }

    void trackFanout(long stamp, int receivers) {
        fanout.put(stamp, new AtomicInteger(receivers));
    }

    void delivered(long stamp, long sentNanos, long now) {
        if (inWindow(now)) {
            deliveriesInWindow.increment();
        }
        if (!inWindow(sentNanos)) {
            return;
        }
        long micros = Math.max(0, (now - sentNanos) / 1000);
        deliveryMicros.recordValue(Math.min(micros, MAX_MICROS));
        AtomicInteger left = fanout.get(stamp);
        if (left != null && left.decrementAndGet() == 0) {
            fanout.remove(stamp);
            fanoutMicros.recordValue(Math.min(micros, MAX_MICROS));
        }
    }

    /** Changes sent in the window that did not reach every peer. */
    int incompleteFanouts() {
        return fanout.size();
    }
}
