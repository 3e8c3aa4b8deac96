package dev.tandem.sync.client.internal.flow;

import dev.tandem.sync.client.SubscriberOverflowException;
import dev.tandem.sync.client.Subscription;
import java.util.ArrayDeque;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.RejectedExecutionException;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One subscription of a {@link ListenerPublisher}: a bounded buffer filled by a listener and drained to the
 * subscriber on an executor as far as its demand allows.
 *
 * <p>Invariants: at most one drain runs at a time (the {@code draining} flag), and only a drain calls the
 * subscriber, so its methods are never called concurrently or re-entrantly (Reactive Streams §1.3, §3.3);
 * {@code onSubscribe} is the first signal and at most one terminal signal follows it; once terminated or
 * cancelled, the buffer is empty and the listener detached. Every field is guarded by {@code this}; the
 * subscriber is called outside the lock.
 */
final class SerialEmitter<T> implements Flow.Subscription {
    private static final Logger LOG = LoggerFactory.getLogger(SerialEmitter.class);

    private enum Signal {
        SUBSCRIBE,
        NEXT,
        ERROR,
        COMPLETE
    }

    private final Executor executor;
    private final int capacity;
    private final boolean conflate;
    private final String what;
    private final SubscriberRegistry registry;

    private Flow.@Nullable Subscriber<? super T> subscriber;
    private final ArrayDeque<T> buffer = new ArrayDeque<>();
    private long demand;
    private boolean subscribeSignalled;
    private boolean upstreamDone;
    private @Nullable Throwable pendingError;
    private boolean cancelled;
    private boolean draining;
    private @Nullable Subscription listener;
    private boolean detached;

    SerialEmitter(
            Flow.Subscriber<? super T> subscriber,
            Executor executor,
            int capacity,
            boolean conflate,
            String what,
            SubscriberRegistry registry) {
        this.subscriber = subscriber;
        this.executor = executor;
        this.capacity = capacity;
        this.conflate = conflate;
        this.what = what;
        this.registry = registry;
    }

    /** Schedules {@code onSubscribe}. */
    void start() {
        boolean schedule;
        synchronized (this) {
            schedule = claimDrain();
        }
        if (schedule) {
            schedule();
        }
    }

    /** Keeps the listener's registration, to cancel it when this subscription ends. */
    void attached(Subscription registration) {
        synchronized (this) {
            if (!detached) {
                listener = registration;
                return;
            }
        }
        registration.cancel();
    }

    /**
     * Buffers an item from the listener; never blocks. Conflating: replaces an undelivered item. Otherwise a
     * full buffer fails the subscription with {@link SubscriberOverflowException}.
     */
    void offer(T item) {
        boolean overflow = false;
        boolean schedule;
        synchronized (this) {
            if (cancelled || upstreamDone || pendingError != null) {
                return;
            }
            if (conflate) {
                buffer.clear();
                buffer.add(item);
            } else if (buffer.size() >= capacity) {
                pendingError = new SubscriberOverflowException(
                        "the subscriber of " + what + " fell behind: " + capacity
                                + " items were buffered without demand; its subscription is cancelled"
                                + " (request more, or subscribe with a larger buffer)",
                        capacity);
                buffer.clear();
                overflow = true;
            } else {
                buffer.add(item);
            }
            schedule = claimDrain();
        }
        if (overflow) {
            LOG.warn("A subscriber of {} fell behind by {} items; cancelling its subscription", what, capacity);
            detach();
        }
        if (schedule) {
            schedule();
        }
    }

    /** The source ended: {@code onComplete} follows the items still buffered. */
    void complete() {
        boolean schedule;
        synchronized (this) {
            if (upstreamDone) {
                return;
            }
            upstreamDone = true;
            schedule = claimDrain();
        }
        detach();
        if (schedule) {
            schedule();
        }
    }

    @Override
    public void request(long n) {
        boolean schedule;
        synchronized (this) {
            if (cancelled) {
                return;
            }
            if (n <= 0) {
                if (pendingError == null) {
                    // Reactive Streams §3.9
                    pendingError = new IllegalArgumentException("request must be > 0 but was " + n);
                    buffer.clear();
                }
            } else {
                demand = demand + n < 0 ? Long.MAX_VALUE : demand + n;
            }
            schedule = claimDrain();
        }
        if (schedule) {
            schedule();
        }
    }

    @Override
    public void cancel() {
        synchronized (this) {
            if (cancelled) {
                return;
            }
            cancelled = true;
            buffer.clear();
            if (!draining) {
                subscriber = null;
            }
        }
        detach();
    }

    /** Returns true if the caller must schedule a drain. Called with the lock held. */
    private boolean claimDrain() {
        if (draining || cancelled) {
            return false;
        }
        draining = true;
        return true;
    }

    private void schedule() {
        try {
            executor.execute(this::drain);
        } catch (RejectedExecutionException e) {
            LOG.warn("The executor refused to deliver {}; cancelling the subscription", what, e);
            synchronized (this) {
                draining = false;
            }
            cancel();
        }
    }

    private void drain() {
        while (true) {
            Flow.Subscriber<? super T> s;
            Signal signal;
            T item = null;
            Throwable error = null;
            synchronized (this) {
                s = subscriber;
                if (s == null || cancelled) {
                    draining = false;
                    subscriber = null;
                    return;
                }
                if (!subscribeSignalled) {
                    subscribeSignalled = true;
                    signal = Signal.SUBSCRIBE;
                } else if (pendingError != null) {
                    error = pendingError;
                    signal = Signal.ERROR;
                } else if (demand > 0 && !buffer.isEmpty()) {
                    item = buffer.poll();
                    demand--;
                    signal = Signal.NEXT;
                } else if (upstreamDone && buffer.isEmpty()) {
                    signal = Signal.COMPLETE;
                } else {
                    draining = false;
                    return;
                }
                if (signal == Signal.ERROR || signal == Signal.COMPLETE) {
                    cancelled = true;
                    buffer.clear();
                }
            }
            try {
                switch (signal) {
                    case SUBSCRIBE -> s.onSubscribe(this);
                    case NEXT -> s.onNext(item);
                    case ERROR -> s.onError(error);
                    case COMPLETE -> s.onComplete();
                }
            } catch (RuntimeException | Error e) {
                // Reactive Streams §2.13: a subscriber that throws is treated as cancelled
                LOG.error("A subscriber of {} threw from {}; its subscription is cancelled", what, signal, e);
                cancel();
            }
            if (signal == Signal.ERROR || signal == Signal.COMPLETE) {
                detach();
            }
        }
    }

    /** Detaches the listener and leaves the registry; idempotent. */
    private void detach() {
        Subscription l;
        synchronized (this) {
            if (detached) {
                return;
            }
            detached = true;
            l = listener;
            listener = null;
        }
        registry.remove(this);
        if (l != null) {
            l.cancel();
        }
    }
}
