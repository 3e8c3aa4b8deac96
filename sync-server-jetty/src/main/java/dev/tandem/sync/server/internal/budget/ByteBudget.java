package dev.tandem.sync.server.internal.budget;

import java.util.concurrent.atomic.AtomicLong;

/**
 * A number of bytes shared by many holders: each takes what it buffers and gives it back when done. Thread-safe.
 */
public final class ByteBudget {
    private final String name;
    private final long max;
    private final AtomicLong used = new AtomicLong();

    /**
     * @param name what the budget counts, for logs
     * @param max the bytes all holders may hold together; > 0
     */
    public ByteBudget(String name, long max) {
        if (max <= 0) {
            throw new IllegalArgumentException(name + " must be > 0 but was " + max);
        }
        this.name = name;
        this.max = max;
    }

    /** Takes {@code bytes} (>= 0) if they fit; returns whether they were taken. */
    public boolean tryAcquire(long bytes) {
        if (bytes < 0) {
            throw new IllegalArgumentException("bytes must be >= 0 but was " + bytes);
        }
        while (true) {
            long now = used.get();
            if (now + bytes > max) {
                return false;
            }
            if (used.compareAndSet(now, now + bytes)) {
                return true;
            }
        }
    }

    /** Takes {@code bytes} whether they fit or not, for a holder the caller bounds otherwise. */
    public void forceAcquire(long bytes) {
        used.addAndGet(bytes);
    }

    /** Gives back bytes taken before. */
    public void release(long bytes) {
        if (bytes > 0) {
            used.addAndGet(-bytes);
        }
    }

    /** Returns the bytes held now. */
    public long used() {
        return used.get();
    }

    /** Returns the size of the budget. */
    public long max() {
        return max;
    }

    @Override
    public String toString() {
        return name + " " + used.get() + "/" + max;
    }
}
