package dev.tandem.sync.server.internal.limits;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * How long a client (a principal, or an IP for anonymous clients) that was closed with {@code RATE_LIMITED}
 * must wait before it may connect again. Without it a flooder reconnects at once and each new session starts
 * with a full burst. The first strike cools a key down for {@code base}; each further strike before the
 * previous cooldown has been over for {@code max} doubles it, up to {@code max}. The map is bounded like
 * {@link KeyedBuckets}: entries whose memory has lapsed go first, then the oldest.
 *
 * <p>Thread-safe.
 */
public final class RateLimitCooldowns {
    private final long baseNanos;
    private final long maxNanos;
    private final int maxKeys;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Strikes> keys = new ConcurrentHashMap<>();

    private record Strikes(int count, long until) {}

    /**
     * @param base the first cooldown; zero turns cooldowns off
     * @param max the longest cooldown, and how long strikes are remembered after a cooldown ends
     * @param maxKeys the most keys tracked
     */
    public RateLimitCooldowns(Duration base, Duration max, int maxKeys, LongSupplier nanoTime) {
        this.baseNanos = base.toNanos();
        this.maxNanos = Math.max(baseNanos, max.toNanos());
        this.maxKeys = maxKeys;
        this.nanoTime = nanoTime;
    }

    /** Records that {@code key} was closed for its rate and starts (or lengthens) its cooldown. */
    public void strike(String key) {
        if (baseNanos == 0) {
            return;
        }
        long now = nanoTime.getAsLong();
        if (keys.size() >= maxKeys && !keys.containsKey(key)) {
            evict(now);
        }
        keys.compute(key, (k, old) -> {
            int count = old == null || now - old.until() > maxNanos ? 1 : old.count() + 1;
            long cooldown = baseNanos;
            for (int i = 1; i < count && cooldown < maxNanos; i++) {
                cooldown = Math.min(maxNanos, cooldown * 2);
            }
            return new Strikes(count, now + cooldown);
        });
    }

    /** Returns how long {@code key} must still wait, zero when it may connect. */
    public Duration remaining(String key) {
        Strikes s = keys.get(key);
        if (s == null) {
            return Duration.ZERO;
        }
        long left = s.until() - nanoTime.getAsLong();
        return left > 0 ? Duration.ofNanos(left) : Duration.ZERO;
    }

    /** Returns the number of keys remembered now. */
    public int size() {
        return keys.size();
    }

    private synchronized void evict(long now) {
        if (keys.size() < maxKeys) {
            return;
        }
        keys.values().removeIf(s -> now - s.until() > maxNanos);
        KeyedBuckets.dropATenth(keys, maxKeys);
    }
}
