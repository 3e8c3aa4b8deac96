package dev.tandem.sync.server.internal.budget;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import org.jspecify.annotations.Nullable;

/**
 * Counts open connections, in total and per client address, and refuses one past either cap. Only addresses
 * with open connections are tracked, so memory follows the open connections. Thread-safe.
 */
public final class ConnectionGate {
    private final int max;
    private final int maxPerAddress;
    private final AtomicInteger total = new AtomicInteger();
    private final ConcurrentHashMap<String, Integer> perAddress = new ConcurrentHashMap<>();

    /** Why a connection was refused. */
    public enum Refusal {
        TOTAL,
        ADDRESS
    }

    public ConnectionGate(int max, int maxPerAddress) {
        this.max = max;
        this.maxPerAddress = maxPerAddress;
    }

    /**
     * Opens a connection from {@code address}: returns null if it fits, otherwise why not (and nothing is
     * counted). Each null answer must be matched by one {@link #close}.
     */
    public @Nullable Refusal tryOpen(String address) {
        if (total.incrementAndGet() > max) {
            total.decrementAndGet();
            return Refusal.TOTAL;
        }
        boolean[] fits = {false};
        perAddress.compute(address, (a, n) -> {
            int now = n == null ? 0 : n;
            if (now >= maxPerAddress) {
                return n;
            }
            fits[0] = true;
            return now + 1;
        });
        if (!fits[0]) {
            total.decrementAndGet();
            return Refusal.ADDRESS;
        }
        return null;
    }

    /** Closes a connection opened by {@link #tryOpen}. */
    public void close(String address) {
        perAddress.computeIfPresent(address, (a, n) -> n <= 1 ? null : n - 1);
        total.decrementAndGet();
    }

    /** Returns the open connections. */
    public int open() {
        return total.get();
    }

    /** Returns the open connections from {@code address}. */
    public int open(String address) {
        Integer n = perAddress.get(address);
        return n == null ? 0 : n;
    }
}
