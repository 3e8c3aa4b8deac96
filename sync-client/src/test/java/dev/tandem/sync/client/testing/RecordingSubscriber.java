package dev.tandem.sync.client.testing;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Flow;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * A subscriber that records every signal and every breach of the Reactive Streams rules it can see: a
 * signal before {@code onSubscribe} or after a terminal one, a second {@code onSubscribe}, and overlapping
 * (concurrent or re-entrant) calls. Requests nothing by itself unless told to. Thread-safe.
 */
public final class RecordingSubscriber<T> implements Flow.Subscriber<T> {
    private final long initialRequest;
    private final AtomicInteger inFlight = new AtomicInteger();
    private final List<T> items = new ArrayList<>();
    private final List<String> violations = new ArrayList<>();
    private Flow.@Nullable Subscription subscription;
    private @Nullable Throwable error;
    private boolean completed;
    private int subscribes;
    private volatile Consumer<T> onNextHook = item -> {};

    /** A subscriber that requests nothing until {@link #request(long)}. */
    public RecordingSubscriber() {
        this(0);
    }

    /** A subscriber that requests {@code initialRequest} (if positive) in {@code onSubscribe}. */
    public RecordingSubscriber(long initialRequest) {
        this.initialRequest = initialRequest;
    }

    /** Runs {@code hook} inside each {@code onNext}, after recording the item. */
    public RecordingSubscriber<T> onNext(Consumer<T> hook) {
        this.onNextHook = hook;
        return this;
    }

    @Override
    public void onSubscribe(Flow.Subscription s) {
        enter("onSubscribe");
        try {
            synchronized (this) {
                subscribes++;
                if (subscribes > 1) {
                    violations.add("onSubscribe called " + subscribes + " times");
                }
                subscription = s;
            }
            if (initialRequest > 0) {
                s.request(initialRequest);
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    @Override
    public void onNext(T item) {
        enter("onNext");
        try {
            synchronized (this) {
                checkActive("onNext");
                items.add(item);
            }
            onNextHook.accept(item);
        } finally {
            inFlight.decrementAndGet();
        }
    }

    @Override
    public void onError(Throwable throwable) {
        enter("onError");
        try {
            synchronized (this) {
                checkActive("onError");
                error = throwable;
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    @Override
    public void onComplete() {
        enter("onComplete");
        try {
            synchronized (this) {
                checkActive("onComplete");
                completed = true;
            }
        } finally {
            inFlight.decrementAndGet();
        }
    }

    private void enter(String signal) {
        if (inFlight.incrementAndGet() != 1) {
            synchronized (this) {
                violations.add(signal + " overlapped another call");
            }
        }
    }

    private void checkActive(String signal) {
        if (subscribes == 0) {
            violations.add(signal + " before onSubscribe");
        }
        if (completed || error != null) {
            violations.add(signal + " after a terminal signal");
        }
    }

    /** Requests {@code n} more items. */
    public void request(long n) {
        subscription().request(n);
    }

    /** Cancels the subscription. */
    public void cancel() {
        subscription().cancel();
    }

    public synchronized Flow.Subscription subscription() {
        if (subscription == null) {
            throw new AssertionError("onSubscribe was not called");
        }
        return subscription;
    }

    public synchronized boolean isSubscribed() {
        return subscription != null;
    }

    public synchronized List<T> items() {
        return List.copyOf(items);
    }

    public synchronized @Nullable Throwable error() {
        return error;
    }

    public synchronized boolean isCompleted() {
        return completed;
    }

    /** Returns the rule breaches seen; a correct publisher leaves this empty. */
    public synchronized List<String> violations() {
        return List.copyOf(violations);
    }
}
