package dev.tandem.sync.client.internal.flow;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The live subscriptions of one client or worker, so that closing it completes them all. A subscription made
 * after {@link #completeAll()} completes at once. Thread-safe.
 */
public final class SubscriberRegistry {
    private final Set<SerialEmitter<?>> live = new LinkedHashSet<>();
    private boolean completed;

    /** Returns false if the registry is already completed. */
    synchronized boolean add(SerialEmitter<?> emitter) {
        if (completed) {
            return false;
        }
        live.add(emitter);
        return true;
    }

    synchronized void remove(SerialEmitter<?> emitter) {
        live.remove(emitter);
    }

    /** Returns the number of subscriptions that have not ended. */
    public synchronized int size() {
        return live.size();
    }

    /**
     * Completes every subscription: each receives {@code onComplete} after the items it has buffered. Call it
     * after the last item was offered. Idempotent.
     */
    public void completeAll() {
        List<SerialEmitter<?>> all;
        synchronized (this) {
            if (completed) {
                return;
            }
            completed = true;
            all = new ArrayList<>(live);
            live.clear();
        }
        for (SerialEmitter<?> e : all) {
            e.complete();
        }
    }
}
