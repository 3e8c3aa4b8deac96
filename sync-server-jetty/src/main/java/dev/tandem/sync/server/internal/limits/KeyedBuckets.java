package dev.tandem.sync.server.internal.limits;

import dev.tandem.sync.core.internal.ratelimit.TokenBucket;
import java.util.Iterator;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongSupplier;

/**
 * One token bucket per key (a client IP, a principal id), in a map of bounded size: a bucket idle long enough
 * to have refilled completely is the same as a new one, so it is dropped; when the map is full of busy buckets,
 * the oldest-used ones are dropped anyway, so memory never grows past {@code maxKeys}.
 *
 * <p>Thread-safe.
 */
public final class KeyedBuckets {
    private final long unit;
    private final long capacity;
    private final long ratePerSecond;
    private final int maxKeys;
    private final long refillNanos;
    private final LongSupplier nanoTime;
    private final ConcurrentHashMap<String, Entry> buckets = new ConcurrentHashMap<>();

    private static final class Entry {
        final TokenBucket bucket;
        volatile long lastUsed;

        Entry(TokenBucket bucket, long now) {
            this.bucket = bucket;
            this.lastUsed = now;
        }
    }

    /**
     * @param capacity tokens a key may take at once
     * @param ratePerSecond tokens a key regains per second
     * @param maxKeys the most keys tracked
     */
    public KeyedBuckets(long capacity, long ratePerSecond, int maxKeys, LongSupplier nanoTime) {
        this(capacity, ratePerSecond, 1, maxKeys, nanoTime);
    }

    private KeyedBuckets(long capacity, long ratePerSecond, long unit, int maxKeys, LongSupplier nanoTime) {
        this.unit = unit;
        this.capacity = capacity;
        this.ratePerSecond = ratePerSecond;
        this.maxKeys = maxKeys;
        this.nanoTime = nanoTime;
        this.refillNanos = (long) Math.ceil((double) capacity / ratePerSecond * 1e9);
    }

    /** A bucket per key for {@code perMinute} events a minute with a burst of as many. */
    public static KeyedBuckets perMinute(int perMinute, int maxKeys, LongSupplier nanoTime) {
        // in sixtieths of an event, so a rate below one per second stays exact
        return new KeyedBuckets(60L * perMinute, perMinute, 60, maxKeys, nanoTime);
    }

    /** Takes {@code amount} tokens from the key's bucket; returns whether there were enough. */
    public boolean tryTake(String key, long amount) {
        long now = nanoTime.getAsLong();
        return entry(key, now).bucket.tryTake(amount * unit, now);
    }

    /**
     * Takes {@code amount} tokens from the key's bucket even if it runs into debt; returns the nanoseconds until
     * the debt is repaid, 0 if there were enough.
     */
    public long takeOwing(String key, long amount) {
        long now = nanoTime.getAsLong();
        return entry(key, now).bucket.takeOwing(amount * unit, now);
    }

    private Entry entry(String key, long now) {
        Entry e = buckets.get(key);
        if (e == null) {
            if (buckets.size() >= maxKeys) {
                evict(now);
            }
            e = buckets.computeIfAbsent(key, k -> new Entry(new TokenBucket(capacity, ratePerSecond, now), now));
        }
        e.lastUsed = now;
        return e;
    }

    /** Returns the number of keys tracked now. */
    public int size() {
        return buckets.size();
    }

    private synchronized void evict(long now) {
        if (buckets.size() < maxKeys) {
            return;
        }
        buckets.values().removeIf(e -> now - e.lastUsed >= refillNanos);
        // still full of busy keys: their clients start with a full bucket
        dropATenth(buckets, maxKeys);
    }

    /** Removes entries in map order until {@code map} is about a tenth below {@code maxKeys}. */
    static void dropATenth(Map<String, ?> map, int maxKeys) {
        int excess = map.size() - maxKeys + Math.max(1, maxKeys / 10);
        Iterator<? extends Map.Entry<String, ?>> it = map.entrySet().iterator();
        while (excess > 0 && it.hasNext()) {
            it.next();
            it.remove();
            excess--;
        }
    }
}
