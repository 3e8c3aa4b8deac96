package dev.tandem.sync.server.internal.budget;

import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * How many upload bytes the node stores in total and each client (a principal, or an anonymous client's
 * address) has uploaded since the server started. The per-client counts are kept for at most {@code
 * maxClients} clients; past that, new clients share one count. Thread-safe.
 */
public final class UploadQuota {
    /** The key new clients share once {@code maxClients} are tracked. */
    static final String OVERFLOW_KEY = "\u0000overflow";

    private final long maxTotal;
    private final long maxPerClient;
    private final int maxClients;
    private final Map<String, Long> perClient = new HashMap<>();
    private long total;

    /** Why an upload does not fit. */
    public enum Refusal {
        /** The node's uploads would pass their total: 507. */
        TOTAL,
        /** The client would pass its own quota: 413. */
        CLIENT
    }

    public UploadQuota(long maxTotal, long maxPerClient, int maxClients) {
        this.maxTotal = maxTotal;
        this.maxPerClient = maxPerClient;
        this.maxClients = maxClients;
    }

    /** Counts bytes already stored (found on disk at start). */
    public synchronized void addStored(long bytes) {
        total += bytes;
    }

    /** Returns the most bytes {@code client} may upload now. */
    public synchronized long remaining(String client) {
        Long mine = perClient.get(key(client));
        return Math.max(0, Math.min(maxTotal - total, maxPerClient - (mine == null ? 0 : mine)));
    }

    /** Returns why {@code bytes} more from {@code client} would not fit, or null if they would. */
    public synchronized @Nullable Refusal check(String client, long bytes) {
        if (total + bytes > maxTotal) {
            return Refusal.TOTAL;
        }
        Long mine = perClient.get(key(client));
        if ((mine == null ? 0 : mine) + bytes > maxPerClient) {
            return Refusal.CLIENT;
        }
        return null;
    }

    /**
     * Counts {@code bytes} uploaded by {@code client}, the stored total only if {@code newObject}: returns null,
     * or why they do not fit (and counts nothing).
     */
    public synchronized @Nullable Refusal take(String client, long bytes, boolean newObject) {
        Refusal refused = check(client, newObject ? bytes : 0);
        if (refused == null) {
            refused = check(client, bytes) == Refusal.CLIENT ? Refusal.CLIENT : null;
        }
        if (refused != null) {
            return refused;
        }
        if (newObject) {
            total += bytes;
        }
        perClient.merge(key(client), bytes, Long::sum);
        return null;
    }

    /** Returns the bytes stored in total. */
    public synchronized long total() {
        return total;
    }

    /** Returns the bytes of the total quota. */
    public long maxTotal() {
        return maxTotal;
    }

    /** Returns the bytes of the per-client quota. */
    public long maxPerClient() {
        return maxPerClient;
    }

    private String key(String client) {
        return perClient.containsKey(client) || perClient.size() < maxClients ? client : OVERFLOW_KEY;
    }
}
