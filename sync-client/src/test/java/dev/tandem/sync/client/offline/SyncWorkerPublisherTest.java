package dev.tandem.sync.client.offline;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.client.SyncWorker;
import dev.tandem.sync.client.SyncWorker.Activity;
import dev.tandem.sync.client.testing.ManualExecutor;
import dev.tandem.sync.client.testing.RecordingSubscriber;
import dev.tandem.sync.core.EventResult;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SyncWorker#statusPublisher()} with scripted handlers: no sockets. */
class SyncWorkerPublisherTest {
    @TempDir
    Path dir;

    private final ManualExecutor delivery = new ManualExecutor();
    private final List<RecordingSubscriber<?>> subscribers = new ArrayList<>();
    private final List<SyncWorker> workers = new ArrayList<>();

    @AfterEach
    void close() {
        workers.forEach(SyncWorker::close);
        for (RecordingSubscriber<?> s : subscribers) {
            assertThat(s.violations()).isEmpty();
        }
    }

    private SyncWorker worker(Executor publisherExecutor) {
        SyncWorker w = SyncWorker.builder()
                .directory(dir)
                .rooms(List.of("r"))
                .pushHandler(events -> events.stream()
                        .map(e -> new EventResult(e.id(), true, null, 1))
                        .toList())
                .pullHandler((c, rooms, limit) -> new SyncWorker.PullResult(List.of(), "c-end", false, Set.of()))
                .cursor(() -> null, c -> {})
                .interval(Duration.ofHours(1))
                .publisherExecutor(publisherExecutor)
                .build();
        workers.add(w);
        return w;
    }

    private RecordingSubscriber<SyncWorker.Status> record(SyncWorker w, long request) {
        RecordingSubscriber<SyncWorker.Status> s = new RecordingSubscriber<>(request);
        subscribers.add(s);
        w.statusPublisher().subscribe(s);
        return s;
    }

    private static void sync(SyncWorker w) throws Exception {
        w.syncNow().get(10, TimeUnit.SECONDS);
    }

    @Test
    void statusPublisher_withDemand_seesTheCurrentStatus_thenEveryStatusOfACycle() throws Exception {
        // deliveries inline on the publishing thread: nothing is conflated away before it is delivered
        SyncWorker w = worker(Runnable::run);
        w.create("r", Map.of("id", "note:1", "typeName", "note"));
        RecordingSubscriber<SyncWorker.Status> s = record(w, Long.MAX_VALUE);

        sync(w);

        assertThat(s.items())
                .extracting(SyncWorker.Status::status)
                .containsExactly(Activity.IDLE, Activity.PUSHING, Activity.PULLING, Activity.IDLE);
        assertThat(s.items().get(0).lastSyncTime()).isNull();
        assertThat(s.items().get(3).lastSyncTime()).isNotNull();
        assertThat(s.items().get(3)).isEqualTo(w.status());
    }

    @Test
    void statusPublisher_withoutRequest_deliversNothing_thenOnlyTheLatest() throws Exception {
        SyncWorker w = worker(delivery);
        RecordingSubscriber<SyncWorker.Status> s = record(w, 0);
        w.create("r", Map.of("id", "note:1", "typeName", "note"));
        sync(w);
        delivery.runAll();
        assertThat(s.isSubscribed()).isTrue();
        assertThat(s.items()).isEmpty();

        s.request(10);
        delivery.runAll();

        assertThat(s.items()).containsExactly(w.status());
        assertThat(s.items().get(0).lastSyncTime()).isNotNull();
    }

    @Test
    void statusPublisher_requestOne_deliversExactlyOne() throws Exception {
        SyncWorker w = worker(delivery);
        RecordingSubscriber<SyncWorker.Status> s = record(w, 1);
        delivery.runAll();
        assertThat(s.items()).extracting(SyncWorker.Status::status).containsExactly(Activity.IDLE);

        sync(w); // its statuses are all buffered when it returns
        delivery.runAll();
        assertThat(s.items()).hasSize(1);

        s.request(1);
        delivery.runAll();
        assertThat(s.items()).hasSize(2);
        assertThat(s.items().get(1)).isEqualTo(w.status());
        assertThat(s.items().get(1).lastSyncTime()).isNotNull();
    }

    @Test
    void close_completesSubscribers_andLaterOnesAtOnce() throws Exception {
        SyncWorker w = worker(Runnable::run);
        RecordingSubscriber<SyncWorker.Status> s = record(w, Long.MAX_VALUE);
        w.start();
        assertThat(s.isCompleted()).isFalse();

        w.close();

        assertThat(s.items().get(s.items().size() - 1).isLooping()).isFalse();
        assertThat(s.isCompleted()).isTrue();
        RecordingSubscriber<SyncWorker.Status> late = record(w, Long.MAX_VALUE);
        assertThat(late.items()).isEmpty();
        assertThat(late.isCompleted()).isTrue();
    }

    @Test
    void cancel_stopsDelivery() throws Exception {
        SyncWorker w = worker(Runnable::run);
        RecordingSubscriber<SyncWorker.Status> s = record(w, Long.MAX_VALUE);
        s.cancel();

        sync(w);
        w.close();

        assertThat(s.items()).hasSize(1);
        assertThat(s.isCompleted()).isFalse();
    }

    @Test
    void throwingSubscriber_isCancelled_andNeitherOthersNorTheWorkerNotice() throws Exception {
        SyncWorker w = worker(Runnable::run);
        RecordingSubscriber<SyncWorker.Status> thrower = new RecordingSubscriber<SyncWorker.Status>(Long.MAX_VALUE)
                .onNext(st -> {
                    throw new IllegalStateException("subscriber bug");
                });
        subscribers.add(thrower);
        w.statusPublisher().subscribe(thrower);
        RecordingSubscriber<SyncWorker.Status> other = record(w, Long.MAX_VALUE);

        sync(w);

        assertThat(thrower.items()).hasSize(1);
        assertThat(other.items())
                .extracting(SyncWorker.Status::status)
                .containsExactly(Activity.IDLE, Activity.PULLING, Activity.IDLE);
        assertThat(w.status().lastError()).isNull();
        assertThat(w.status().lastSyncTime()).isNotNull();
    }
}
