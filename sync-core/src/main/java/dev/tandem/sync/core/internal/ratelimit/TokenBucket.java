package dev.tandem.sync.core.internal.ratelimit;

/**
 * A token bucket: holds up to {@code capacity} tokens, refilled at {@code ratePerSecond}; taking more than
 * are available fails and takes nothing. Time comes from the caller, so tests control it. Thread-safe.
 */
public final class TokenBucket {
    private static final long NANOS_PER_SECOND = 1_000_000_000L;

    private final long capacity;
    private final long ratePerSecond;
    private double tokens;
    private long lastRefillNanos;

    public TokenBucket(long capacity, long ratePerSecond, long nowNanos) {
        if (capacity <= 0 || ratePerSecond <= 0) {
            throw new IllegalArgumentException(
                    "capacity and rate must be > 0 but were " + capacity + " and " + ratePerSecond);
        }
        this.capacity = capacity;
        this.ratePerSecond = ratePerSecond;
        this.tokens = capacity;
        this.lastRefillNanos = nowNanos;
    }

    /** Takes {@code amount} tokens if that many are available at {@code nowNanos}; returns whether it did. */
    public synchronized boolean tryTake(long amount, long nowNanos) {
        long elapsed = nowNanos - lastRefillNanos;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + (double) elapsed * ratePerSecond / NANOS_PER_SECOND);
            lastRefillNanos = nowNanos;
        }
        if (tokens < amount) {
            return false;
        }
        tokens -= amount;
        return true;
    }

    /**
     * Takes {@code amount} tokens at {@code nowNanos} even if fewer are available (the bucket goes into debt)
     * and returns how many nanoseconds from now until the debt is repaid: 0 if there were enough.
     */
    public synchronized long takeOwing(long amount, long nowNanos) {
        long elapsed = nowNanos - lastRefillNanos;
        if (elapsed > 0) {
            tokens = Math.min(capacity, tokens + (double) elapsed * ratePerSecond / NANOS_PER_SECOND);
            lastRefillNanos = nowNanos;
        }
        tokens -= amount;
        return tokens >= 0 ? 0 : (long) Math.ceil(-tokens * NANOS_PER_SECOND / ratePerSecond);
    }
}
