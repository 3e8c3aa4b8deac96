package dev.tandem.sync.client.internal.engine;

import java.time.Duration;
import java.util.random.RandomGenerator;

/**
 * Reconnect delays: the first is {@code min}, each next one 1.5 times the previous (tldraw's {@code
 * DELAY_EXPONENT}) up to {@code max}, each reduced by a random fraction of at most {@code jitter}. Not
 * thread-safe.
 */
final class Backoff {
    static final double EXPONENT = 1.5;

    private final long minNanos;
    private final long maxNanos;
    private final double jitter;
    private final RandomGenerator random;
    private long current;

    Backoff(Duration min, Duration max, double jitter, RandomGenerator random) {
        this.minNanos = min.toNanos();
        this.maxNanos = max.toNanos();
        this.jitter = jitter;
        this.random = random;
    }

    /** Returns the delay before the next attempt. */
    Duration next() {
        current = current == 0 ? minNanos : Math.min(maxNanos, (long) (current * EXPONENT));
        long delay = (long) (current * (1 - jitter * random.nextDouble()));
        return Duration.ofNanos(Math.max(0, delay));
    }

    /** Starts again from {@code min} after a successful connection. */
    void reset() {
        current = 0;
    }
}
