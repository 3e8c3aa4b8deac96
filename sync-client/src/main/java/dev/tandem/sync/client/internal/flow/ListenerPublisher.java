package dev.tandem.sync.client.internal.flow;

import dev.tandem.sync.client.Subscription;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.function.Consumer;

/**
 * A {@link Flow.Publisher} over a listener: each subscriber attaches its own listener, which fills the
 * subscriber's own bounded buffer; the buffer is drained on an executor as the subscriber requests. Either
 * conflating (a buffer of one that keeps the latest item) or buffering (a full buffer fails that subscriber
 * with {@link dev.tandem.sync.client.SubscriberOverflowException}). Thread-safe.
 */
public final class ListenerPublisher<T> implements Flow.Publisher<T> {

    /** Where items come from: attaches a listener that hands each item to {@code sink}. */
    @FunctionalInterface
    public interface Source<T> {
        /**
         * Registers a listener calling {@code sink} for each item, never concurrently; returns its registration.
         * {@code sink} never blocks and never throws.
         */
        Subscription attach(Consumer<T> sink);
    }

    private final String what;
    private final int capacity;
    private final boolean conflate;
    private final SubscriberRegistry registry;
    private final Executor executor;
    private final Source<T> source;

    private ListenerPublisher(
            String what,
            int capacity,
            boolean conflate,
            SubscriberRegistry registry,
            Executor executor,
            Source<T> source) {
        this.what = what;
        this.capacity = capacity;
        this.conflate = conflate;
        this.registry = registry;
        this.executor = executor;
        this.source = source;
    }

    /** Returns a publisher whose subscribers each keep only the latest undelivered item. */
    public static <T> ListenerPublisher<T> conflating(
            String what, SubscriberRegistry registry, Executor executor, Source<T> source) {
        return new ListenerPublisher<>(what, 1, true, registry, executor, source);
    }

    /**
     * Returns a publisher whose subscribers each buffer up to {@code capacity} undelivered items and fail
     * with {@link dev.tandem.sync.client.SubscriberOverflowException} beyond.
     *
     * @throws IllegalArgumentException if {@code capacity} is not positive
     */
    public static <T> ListenerPublisher<T> buffering(
            String what, int capacity, SubscriberRegistry registry, Executor executor, Source<T> source) {
        if (capacity <= 0) {
            throw new IllegalArgumentException("bufferSize must be > 0 but was " + capacity);
        }
        return new ListenerPublisher<>(what, capacity, false, registry, executor, source);
    }

    @Override
    public void subscribe(Flow.Subscriber<? super T> subscriber) {
        Objects.requireNonNull(subscriber, "subscriber"); // Reactive Streams §1.9
        SerialEmitter<T> emitter = new SerialEmitter<>(subscriber, executor, capacity, conflate, what, registry);
        if (!registry.add(emitter)) {
            emitter.complete();
            emitter.start();
            return;
        }
        emitter.start();
        emitter.attached(source.attach(emitter::offer));
    }

    @Override
    public String toString() {
        return "Publisher[" + what + (conflate ? ", latest only" : ", buffer " + capacity) + "]";
    }
}
