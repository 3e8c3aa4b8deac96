package dev.tandem.sync.client.internal.flow;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tandem.sync.client.SubscriberOverflowException;
import dev.tandem.sync.client.Subscription;
import dev.tandem.sync.client.testing.ManualExecutor;
import dev.tandem.sync.client.testing.RecordingSubscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.Consumer;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/** The serial emitter behind the client's publishers, over a fake listener source and a manual executor. */
class ListenerPublisherTest {
    private final ManualExecutor delivery = new ManualExecutor();
    private final SubscriberRegistry registry = new SubscriberRegistry();
    private final FakeSource source = new FakeSource();
    private final List<RecordingSubscriber<?>> subscribers = new ArrayList<>();

    /** A listener source: what a client's listener list is to the real publishers. */
    static final class FakeSource implements ListenerPublisher.Source<String> {
        final List<Consumer<String>> attached = new CopyOnWriteArrayList<>();

        @Override
        public Subscription attach(Consumer<String> sink) {
            attached.add(sink);
            return () -> attached.remove(sink);
        }

        void emit(String item) {
            attached.forEach(sink -> sink.accept(item));
        }
    }

    private RecordingSubscriber<String> subscribe(ListenerPublisher<String> publisher, long initialRequest) {
        RecordingSubscriber<String> s = new RecordingSubscriber<>(initialRequest);
        subscribers.add(s);
        publisher.subscribe(s);
        delivery.runAll();
        return s;
    }

    private ListenerPublisher<String> buffering(int capacity) {
        return ListenerPublisher.buffering("test items", capacity, registry, delivery, source);
    }

    private ListenerPublisher<String> conflating() {
        return ListenerPublisher.conflating("test status", registry, delivery, source);
    }

    /** Emits each item and runs the deliveries it caused. */
    private void emit(String... items) {
        for (String item : items) {
            source.emit(item);
            delivery.runAll();
        }
    }

    @AfterEach
    void noRuleWasBroken() {
        for (RecordingSubscriber<?> s : subscribers) {
            assertThat(s.violations()).isEmpty();
        }
    }

    @Test
    void subscribe_withoutRequest_deliversNothing() {
        RecordingSubscriber<String> s = subscribe(buffering(8), 0);
        emit("a", "b", "c");

        assertThat(s.isSubscribed()).isTrue();
        assertThat(s.items()).isEmpty();
        assertThat(s.error()).isNull();
    }

    @Test
    void request_n_deliversExactlyN_inOrder() {
        RecordingSubscriber<String> s = subscribe(buffering(8), 0);
        emit("a", "b", "c");

        s.request(2);
        delivery.runAll();
        assertThat(s.items()).containsExactly("a", "b");

        s.request(1);
        delivery.runAll();
        assertThat(s.items()).containsExactly("a", "b", "c");

        s.request(5);
        emit("d");
        assertThat(s.items()).containsExactly("a", "b", "c", "d");
    }

    @Test
    void conflating_withoutDemand_keepsOnlyTheLatest() {
        RecordingSubscriber<String> s = subscribe(conflating(), 0);
        emit("CONNECTING", "ONLINE", "OFFLINE");

        s.request(10);
        delivery.runAll();
        assertThat(s.items()).containsExactly("OFFLINE");

        emit("CONNECTING");
        assertThat(s.items()).containsExactly("OFFLINE", "CONNECTING");
    }

    @Test
    void conflating_withDemand_deliversEveryItem() {
        RecordingSubscriber<String> s = subscribe(conflating(), Long.MAX_VALUE);
        emit("CONNECTING", "ONLINE", "OFFLINE");

        assertThat(s.items()).containsExactly("CONNECTING", "ONLINE", "OFFLINE");
    }

    @Test
    void overflow_failsThatSubscriberOnly_andDetachesItsListener() {
        ListenerPublisher<String> publisher = buffering(2);
        RecordingSubscriber<String> slow = subscribe(publisher, 0);
        RecordingSubscriber<String> fast = subscribe(publisher, Long.MAX_VALUE);
        assertThat(source.attached).hasSize(2);

        emit("a", "b");
        assertThat(slow.error()).isNull();
        emit("c");

        assertThat(slow.error())
                .isInstanceOf(SubscriberOverflowException.class)
                .hasMessage("the subscriber of test items fell behind: 2 items were buffered without demand;"
                        + " its subscription is cancelled (request more, or subscribe with a larger buffer)");
        assertThat(((SubscriberOverflowException) slow.error()).capacity()).isEqualTo(2);
        assertThat(slow.items()).isEmpty();
        assertThat(source.attached).hasSize(1);
        assertThat(registry.size()).isEqualTo(1);

        slow.request(10);
        emit("d");
        assertThat(slow.items()).isEmpty();
        assertThat(fast.items()).containsExactly("a", "b", "c", "d");
        assertThat(fast.error()).isNull();
    }

    @Test
    void cancel_detachesTheListener_andStopsDelivery() {
        ListenerPublisher<String> publisher = buffering(8);
        RecordingSubscriber<String> s = subscribe(publisher, Long.MAX_VALUE);
        emit("a");
        assertThat(source.attached).hasSize(1);

        s.cancel();
        s.cancel();

        assertThat(source.attached).isEmpty();
        assertThat(registry.size()).isZero();
        emit("b");
        assertThat(s.items()).containsExactly("a");
    }

    @Test
    void cancel_beforeDelivery_discardsBufferedItems() {
        RecordingSubscriber<String> s = subscribe(buffering(8), 0);
        emit("a", "b");
        s.cancel();
        s.request(2);
        delivery.runAll();

        assertThat(s.items()).isEmpty();
        assertThat(s.isCompleted()).isFalse();
    }

    @Test
    void completeAll_deliversBufferedItemsThenCompletes_asDemandAllows() {
        RecordingSubscriber<String> s = subscribe(buffering(8), 0);
        emit("a", "b");

        registry.completeAll();
        delivery.runAll();
        assertThat(s.isCompleted()).isFalse();
        assertThat(source.attached).isEmpty();

        s.request(1);
        delivery.runAll();
        assertThat(s.items()).containsExactly("a");
        assertThat(s.isCompleted()).isFalse();

        s.request(1);
        delivery.runAll();
        assertThat(s.items()).containsExactly("a", "b");
        assertThat(s.isCompleted()).isTrue();
    }

    @Test
    void completeAll_withNothingBuffered_completesWithoutDemand() {
        RecordingSubscriber<String> s = subscribe(conflating(), 0);

        registry.completeAll();
        delivery.runAll();

        assertThat(s.isCompleted()).isTrue();
        assertThat(registry.size()).isZero();
    }

    @Test
    void subscribe_afterCompletion_completesAtOnce_withoutAttaching() {
        registry.completeAll();
        RecordingSubscriber<String> s = subscribe(buffering(8), 0);

        assertThat(s.isSubscribed()).isTrue();
        assertThat(s.isCompleted()).isTrue();
        assertThat(source.attached).isEmpty();
    }

    @Test
    void throwingSubscriber_isCancelled_andOthersGoOn() {
        ListenerPublisher<String> publisher = buffering(8);
        RecordingSubscriber<String> thrower = new RecordingSubscriber<String>(Long.MAX_VALUE).onNext(item -> {
            throw new IllegalStateException("subscriber bug");
        });
        subscribers.add(thrower);
        publisher.subscribe(thrower);
        RecordingSubscriber<String> other = subscribe(publisher, Long.MAX_VALUE);

        emit("a", "b");

        assertThat(thrower.items()).containsExactly("a");
        assertThat(thrower.error()).isNull();
        assertThat(other.items()).containsExactly("a", "b");
        assertThat(source.attached).hasSize(1);
    }

    @Test
    void request_nonPositive_signalsIllegalArgument_andCancels() {
        RecordingSubscriber<String> s = subscribe(buffering(8), 0);
        s.request(0);
        delivery.runAll();

        assertThat(s.error()).isInstanceOf(IllegalArgumentException.class).hasMessage("request must be > 0 but was 0");
        assertThat(source.attached).isEmpty();
    }

    @Test
    void request_fromInsideOnNext_onAnInlineExecutor_isNotReentrant() {
        ListenerPublisher<String> publisher = ListenerPublisher.buffering("inline", 8, registry, Runnable::run, source);
        RecordingSubscriber<String> s = new RecordingSubscriber<>(1);
        s.onNext(item -> s.request(1));
        subscribers.add(s);
        publisher.subscribe(s);

        source.emit("a");
        source.emit("b");
        source.emit("c");

        assertThat(s.items()).containsExactly("a", "b", "c");
        // the @AfterEach check fails on an overlapping (re-entrant) call
    }

    @Test
    void demand_addsUp_withoutOverflowingLong() {
        RecordingSubscriber<String> s = subscribe(buffering(8), Long.MAX_VALUE);
        s.request(Long.MAX_VALUE);
        emit("a", "b");

        assertThat(s.items()).containsExactly("a", "b");
    }

    @Test
    void refusingExecutor_cancelsTheSubscription() {
        ListenerPublisher<String> publisher = ListenerPublisher.buffering(
                "refused",
                8,
                registry,
                task -> {
                    throw new RejectedExecutionException("shut down");
                },
                source);
        RecordingSubscriber<String> s = new RecordingSubscriber<>();
        publisher.subscribe(s);

        assertThat(s.isSubscribed()).isFalse();
        assertThat(source.attached).isEmpty();
        assertThat(registry.size()).isZero();
    }

    @Test
    void buffering_badSize_isRefusedWithItsValue() {
        assertThatThrownBy(() -> buffering(0)).hasMessage("bufferSize must be > 0 but was 0");
    }

    @Test
    void concurrentRequestsAndItems_neverOverlapCalls_andDeliverEveryItemOnce() throws Exception {
        ExecutorService pool = Executors.newFixedThreadPool(4);
        ExecutorService requester = Executors.newSingleThreadExecutor();
        try {
            ListenerPublisher<String> publisher =
                    ListenerPublisher.buffering("concurrent", 10_000, registry, pool, source);
            RecordingSubscriber<String> s = new RecordingSubscriber<>();
            subscribers.add(s);
            publisher.subscribe(s);
            await().atMost(Duration.ofSeconds(10)).until(s::isSubscribed);

            List<String> expected =
                    IntStream.range(0, 2000).mapToObj(i -> "item-" + i).toList();
            var requests = requester.submit(() -> {
                for (int i = 0; i < 2000; i++) {
                    s.request(1);
                }
            });
            expected.forEach(source::emit); // the source's contract: one item at a time
            requests.get();

            await().atMost(Duration.ofSeconds(10)).until(() -> s.items().size() == expected.size());
            assertThat(s.items()).containsExactlyElementsOf(expected);
            assertThat(s.error()).isNull();
        } finally {
            pool.shutdownNow();
            requester.shutdownNow();
        }
    }
}
