package dev.tandem.sync.client;

import static dev.tandem.sync.client.SyncClientTest.shape;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tandem.sync.client.testing.ClientRig;
import dev.tandem.sync.client.testing.ManualExecutor;
import dev.tandem.sync.client.testing.RecordingSubscriber;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * {@link SyncClient#statusPublisher()} and {@link SyncClient#changes()} on the in-memory rig: the client's lane
 * and the publishers' deliveries each on a manual executor, so the test decides when each runs.
 */
class SyncClientPublishersTest {
    private final ClientRig rig = new ClientRig();
    private final ManualExecutor delivery = new ManualExecutor();
    private final List<RecordingSubscriber<?>> subscribers = new ArrayList<>();

    @AfterEach
    void close() {
        rig.close();
        for (RecordingSubscriber<?> s : subscribers) {
            assertThat(s.violations()).isEmpty();
        }
    }

    private SyncClient client(String sessionId) {
        return rig.client(rig.builder(sessionId, false).publisherExecutor(delivery));
    }

    private <T> RecordingSubscriber<T> record(java.util.concurrent.Flow.Publisher<T> publisher, long request) {
        RecordingSubscriber<T> s = new RecordingSubscriber<>(request);
        subscribers.add(s);
        publisher.subscribe(s);
        return s;
    }

    /** Runs the client's lane and the deliveries until both are idle. */
    private void pump() {
        do {
            rig.pump();
            delivery.runAll();
        } while (!delivery.isIdle() || !rig.lane(0).isIdle());
    }

    @Test
    void statusPublisher_deliversTheCurrentStatus_thenEachChange_exactlyOnce() {
        // deliveries inline on the lane, so that no status is conflated away before it is delivered
        SyncClient a = rig.client(rig.builder("a", false).publisherExecutor(Runnable::run));
        RecordingSubscriber<SyncStatus> s = record(a.statusPublisher(), Long.MAX_VALUE);
        pump();

        // CONNECTING was already queued for listeners when the subscriber came: it arrives once, as the seed
        assertThat(s.items()).containsExactly(SyncStatus.CONNECTING, SyncStatus.ONLINE);

        RecordingSubscriber<SyncStatus> late = record(a.statusPublisher(), Long.MAX_VALUE);
        pump();
        assertThat(late.items()).containsExactly(SyncStatus.ONLINE);
    }

    @Test
    void statusPublisher_withoutRequest_deliversNothing_thenConflatesToTheLatest() {
        SyncClient a = client("a");
        RecordingSubscriber<SyncStatus> s = record(a.statusPublisher(), 0);
        List<SyncStatus> heard = new CopyOnWriteArrayList<>();
        a.addListener(new SyncListener() {
            @Override
            public void onStatusChange(SyncStatus status) {
                heard.add(status);
            }
        });
        pump();
        rig.room.closeSession("a", null).join();
        pump();
        assertThat(a.status()).isEqualTo(SyncStatus.OFFLINE);
        assertThat(s.isSubscribed()).isTrue();
        assertThat(s.items()).isEmpty();

        s.request(5);
        pump();
        assertThat(heard).containsSubsequence(SyncStatus.ONLINE, SyncStatus.OFFLINE);
        assertThat(s.items()).containsExactly(SyncStatus.OFFLINE);

        // the reconnect goes CONNECTING -> ONLINE within one run of the lane, before any delivery runs
        rig.advance(Duration.ofSeconds(3));
        assertThat(heard).endsWith(SyncStatus.OFFLINE, SyncStatus.CONNECTING, SyncStatus.ONLINE);
        pump();
        assertThat(s.items()).containsExactly(SyncStatus.OFFLINE, SyncStatus.ONLINE);
    }

    @Test
    void statusPublisher_completesOnClose_afterTheFinalStatus() {
        SyncClient a = rig.client(rig.builder("a", false).publisherExecutor(Runnable::run));
        RecordingSubscriber<SyncStatus> s = record(a.statusPublisher(), Long.MAX_VALUE);
        pump();

        a.close();
        pump();

        assertThat(s.items()).containsExactly(SyncStatus.CONNECTING, SyncStatus.ONLINE, SyncStatus.OFFLINE);
        assertThat(s.isCompleted()).isTrue();
        assertThat(s.error()).isNull();
    }

    @Test
    void publishers_subscribedAfterClose_completeAtOnce() {
        SyncClient a = client("a");
        pump();
        a.close();
        pump();

        RecordingSubscriber<SyncStatus> status = record(a.statusPublisher(), Long.MAX_VALUE);
        RecordingSubscriber<StoreChange> changes = record(a.changes(), Long.MAX_VALUE);
        pump();

        assertThat(status.items()).isEmpty();
        assertThat(status.isCompleted()).isTrue();
        assertThat(changes.items()).isEmpty();
        assertThat(changes.isCompleted()).isTrue();
    }

    @Test
    void changes_deliverExactlyTheRequestedNumber_inOrder() {
        SyncClient a = client("a");
        pump();
        RecordingSubscriber<StoreChange> s = record(a.changes(), 0);
        a.store().put(shape("shape:1", 1));
        a.store().put(shape("shape:2", 2));
        a.store().put(shape("shape:3", 3));
        pump();
        assertThat(s.items()).isEmpty();

        s.request(2);
        pump();
        assertThat(s.items())
                .extracting(c -> c.added().keySet())
                .containsExactly(java.util.Set.of("shape:1"), java.util.Set.of("shape:2"));

        s.request(1);
        pump();
        assertThat(s.items()).hasSize(3);
        assertThat(s.items().get(2).added()).containsOnlyKeys("shape:3");
        assertThat(s.items()).extracting(StoreChange::source).containsOnly(ChangeSource.LOCAL);
    }

    @Test
    void changes_seeRemoteChanges_andCompleteOnClose() {
        SyncClient a = client("a");
        SyncClient b = rig.client("b");
        RecordingSubscriber<StoreChange> s = record(a.changes(), Long.MAX_VALUE);
        pump();
        b.store().put(shape("shape:1", 1));
        pump();

        assertThat(s.items()).singleElement().satisfies(c -> {
            assertThat(c.source()).isEqualTo(ChangeSource.REMOTE);
            assertThat(c.added()).containsOnlyKeys("shape:1");
        });
        assertThat(s.isCompleted()).isFalse();

        a.close();
        pump();
        assertThat(s.isCompleted()).isTrue();
    }

    @Test
    void changes_overflow_failsThatSubscriberOnly() {
        SyncClient a = client("a");
        pump();
        RecordingSubscriber<StoreChange> slow = record(a.changes(2), 0);
        RecordingSubscriber<StoreChange> fast = record(a.changes(), Long.MAX_VALUE);
        List<StoreChange> listened = new CopyOnWriteArrayList<>();
        a.store().addListener(listened::add);

        a.store().put(shape("shape:1", 1));
        a.store().put(shape("shape:2", 2));
        pump();
        assertThat(slow.error()).isNull();
        a.store().put(shape("shape:3", 3));
        pump();

        assertThat(slow.error())
                .isInstanceOf(SubscriberOverflowException.class)
                .hasMessageStartingWith("the subscriber of the store changes of a fell behind: 2 items were buffered");
        assertThat(slow.items()).isEmpty();
        slow.request(10);
        a.store().put(shape("shape:4", 4));
        pump();
        assertThat(slow.items()).isEmpty();
        assertThat(fast.items()).hasSize(4);
        assertThat(fast.error()).isNull();
        assertThat(listened).hasSize(4);
        rig.settle();
        assertThat(rig.serverDocuments()).containsOnlyKeys("shape:1", "shape:2", "shape:3", "shape:4");
    }

    @Test
    void changes_cancel_stopsDelivery_evenWithDemand() {
        SyncClient a = client("a");
        pump();
        RecordingSubscriber<StoreChange> s = record(a.changes(), Long.MAX_VALUE);
        a.store().put(shape("shape:1", 1));
        pump();
        assertThat(s.items()).hasSize(1);

        s.cancel();
        a.store().put(shape("shape:2", 2));
        pump();

        assertThat(s.items()).hasSize(1);
        a.close();
        pump();
        assertThat(s.isCompleted()).isFalse(); // a cancelled subscriber hears nothing more
    }

    @Test
    void statusPublisher_cancel_stopsDelivery() {
        SyncClient a = client("a");
        RecordingSubscriber<SyncStatus> s = record(a.statusPublisher(), Long.MAX_VALUE);
        delivery.runAll();
        s.cancel(); // before the lane registered its listener
        pump();
        a.close();
        pump();

        assertThat(s.items()).isEmpty();
        assertThat(s.isCompleted()).isFalse();
    }

    @Test
    void throwingSubscriber_isCancelled_andNeitherOthersNorTheClientNotice() {
        SyncClient a = client("a");
        pump();
        RecordingSubscriber<StoreChange> thrower = new RecordingSubscriber<StoreChange>(Long.MAX_VALUE).onNext(c -> {
            throw new IllegalStateException("subscriber bug");
        });
        subscribers.add(thrower);
        a.changes().subscribe(thrower);
        RecordingSubscriber<StoreChange> other = record(a.changes(), Long.MAX_VALUE);
        RecordingSubscriber<SyncStatus> status = record(a.statusPublisher(), Long.MAX_VALUE);

        a.store().put(shape("shape:1", 1));
        pump();
        a.store().put(shape("shape:2", 2));
        pump();

        assertThat(thrower.items()).hasSize(1);
        assertThat(other.items()).hasSize(2);
        assertThat(status.items()).containsExactly(SyncStatus.ONLINE);
        assertThat(a.status()).isEqualTo(SyncStatus.ONLINE);
        rig.settle();
        assertThat(rig.serverDocuments()).containsOnlyKeys("shape:1", "shape:2");
    }

    @Test
    void changes_badBufferSize_isRefusedWithItsValue() {
        SyncClient a = client("a");
        assertThatThrownBy(() -> a.changes(0)).hasMessage("bufferSize must be > 0 but was 0");
        assertThatThrownBy(() -> a.changes(-5)).hasMessage("bufferSize must be > 0 but was -5");
        assertThatThrownBy(() -> a.changes().subscribe(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("subscriber");
        assertThatThrownBy(() -> SyncClient.builder().publisherExecutor(null))
                .isInstanceOf(NullPointerException.class)
                .hasMessage("publisherExecutor");
    }

    @Test
    @Timeout(30)
    void blockedSubscriber_onItsOwnExecutor_doesNotBlockTheClient() throws Exception {
        ExecutorService own = Executors.newSingleThreadExecutor();
        CountDownLatch release = new CountDownLatch(1);
        try {
            SyncClient a = rig.client(rig.builder("a", false).publisherExecutor(own));
            rig.pump();
            RecordingSubscriber<StoreChange> blocked = new RecordingSubscriber<StoreChange>(Long.MAX_VALUE)
                    .onNext(c -> {
                        try {
                            release.await();
                        } catch (InterruptedException e) {
                            Thread.currentThread().interrupt();
                        }
                    });
            subscribers.add(blocked);
            a.changes().subscribe(blocked);
            List<StoreChange> listened = new CopyOnWriteArrayList<>();
            a.store().addListener(listened::add);

            for (int i = 0; i < 5; i++) {
                a.store().put(shape("shape:" + i, i));
                rig.pump(); // would never return if the subscriber ran on the client's lane
            }
            assertThat(listened).hasSize(5);
            rig.settle();
            assertThat(rig.serverDocuments()).hasSize(5);
            await().atMost(Duration.ofSeconds(10)).until(() -> blocked.items().size() == 1);

            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(() -> blocked.items().size() == 5);
        } finally {
            release.countDown();
            own.shutdown();
            own.awaitTermination(10, TimeUnit.SECONDS);
        }
    }
}
