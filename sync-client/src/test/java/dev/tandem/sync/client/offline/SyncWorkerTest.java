package dev.tandem.sync.client.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.sync.client.SyncWorker;
import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.PushEvent;
import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The worker's outbox and cycle with scripted handlers: no sockets. */
class SyncWorkerTest {
    @TempDir
    Path dir;

    private final List<List<PushEvent>> pushed = new ArrayList<>();
    private final List<SyncWorker.PullResult> pages = new ArrayList<>();
    private final List<@Nullable String> pulledWith = new ArrayList<>();
    private final AtomicReference<@Nullable String> cursor = new AtomicReference<>();

    private SyncWorker.Builder builder(SyncWorker.PushHandler push) {
        return SyncWorker.builder()
                .directory(dir)
                .rooms(List.of("r"))
                .pushHandler(push)
                .pullHandler((c, rooms, limit) -> {
                    pulledWith.add(c);
                    return pages.isEmpty()
                            ? new SyncWorker.PullResult(List.of(), "c-end", false, Set.of())
                            : pages.remove(0);
                })
                .cursor(cursor::get, cursor::set);
    }

    private SyncWorker.PushHandler applyAll() {
        return events -> {
            pushed.add(events);
            return events.stream()
                    .map(e -> new EventResult(e.id(), true, null, 1))
                    .toList();
        };
    }

    private static Map<String, Object> note(String id) {
        return Map.of("id", id, "typeName", "note");
    }

    @Test
    void builder_badValues_areRefusedWithTheirNames() {
        assertThatThrownBy(() -> SyncWorker.builder().batchSize(101))
                .hasMessage("batchSize must be between 1 and 100 but was 101");
        assertThatThrownBy(() -> SyncWorker.builder().batchSize(0))
                .hasMessage("batchSize must be between 1 and 100 but was 0");
        assertThatThrownBy(() -> SyncWorker.builder().interval(Duration.ZERO))
                .hasMessage("interval must be > 0 but was PT0S");
        assertThatThrownBy(() -> SyncWorker.builder().backoff(Duration.ofSeconds(30), Duration.ofSeconds(1)))
                .hasMessage("maxBackoff must be >= backoff PT30S but was PT1S");
        assertThatThrownBy(() -> SyncWorker.builder().baseUrl(URI.create("ws://x/")))
                .hasMessage("baseUrl must be http or https but was ws://x/");
        assertThatThrownBy(() -> SyncWorker.builder().directory(dir).build())
                .hasMessage("set the rooms to pull with rooms(...)");
    }

    @Test
    void enqueue_survivesReopen_andLeftoverTemporaryFilesAreIgnored() throws Exception {
        try (SyncWorker w = builder(applyAll()).build()) {
            w.create("r", note("note:a"));
            w.delete("r", "note:b", "note");
        }
        Files.writeString(dir.resolve("pending").resolve("00000000000000000003.json.tmp"), "{\"id\":");

        try (SyncWorker reopened = builder(applyAll()).build()) {
            assertThat(reopened.pending())
                    .extracting(PushEvent::recordId, PushEvent::operation)
                    .containsExactly(
                            org.assertj.core.groups.Tuple.tuple("note:a", PushEvent.Operation.CREATE),
                            org.assertj.core.groups.Tuple.tuple("note:b", PushEvent.Operation.DELETE));
        }
        assertThat(dir.resolve("pending").resolve("00000000000000000003.json.tmp"))
                .doesNotExist();
    }

    @Test
    void open_directoryInUse_isRefused() {
        try (SyncWorker w = builder(applyAll()).build()) {
            assertThat(w.pending()).isEmpty();
            assertThatThrownBy(() -> builder(applyAll()).build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("the outbox " + dir + " is in use by another worker");
        }
    }

    @Test
    void cycle_pushesInBatches_removesAnswered_movesRejectedAside() throws Exception {
        List<EventResult> rejected = new ArrayList<>();
        SyncWorker.PushHandler push = events -> {
            pushed.add(events);
            List<EventResult> out = new ArrayList<>();
            for (PushEvent e : events) {
                out.add(new EventResult(e.id(), !e.recordId().equals("note:bad"), "nope", 1));
            }
            return out;
        };
        try (SyncWorker w = builder(push)
                .batchSize(2)
                .listener(new SyncWorker.Listener() {
                    @Override
                    public void onRejected(PushEvent event, EventResult result) {
                        rejected.add(result);
                    }
                })
                .build()) {
            w.create("r", note("note:1"));
            w.create("r", note("note:bad"));
            w.create("r", note("note:3"));

            w.syncNow().get(10, TimeUnit.SECONDS);

            assertThat(pushed).extracting(List::size).containsExactly(2, 1);
            assertThat(w.pending()).isEmpty();
            assertThat(w.failed()).extracting(PushEvent::recordId).containsExactly("note:bad");
            assertThat(rejected).hasSize(1);
            assertThat(w.status().lastError()).isNull();
            assertThat(w.status().lastSyncTime()).isNotNull();
        }
    }

    @Test
    void cycle_unansweredEvents_stayAndFailTheCycleWithoutPulling() throws Exception {
        try (SyncWorker w = builder(events -> List.of()).build()) {
            w.create("r", note("note:1"));

            assertThatThrownBy(() -> w.syncNow().get(10, TimeUnit.SECONDS))
                    .isInstanceOf(ExecutionException.class)
                    .hasCauseInstanceOf(IOException.class)
                    .hasRootCauseMessage("the server did not answer 1 of 1 events");
            assertThat(w.pending()).hasSize(1);
            assertThat(pulledWith).isEmpty();
            assertThat(w.status().lastError()).hasMessage("the server did not answer 1 of 1 events");
        }
    }

    @Test
    void pull_resync_deletesLocalRecordsNotResent_andSavesCursorAtItsEnd() throws Exception {
        cursor.set("c0");
        pages.add(new SyncWorker.PullResult(
                List.of(new SyncWorker.PulledChange("r", "note:a", "note", note("note:a"))), "c1", true, Set.of("r")));
        pages.add(new SyncWorker.PullResult(List.of(), "c2", false, Set.of("r")));
        try (SyncWorker w = builder(applyAll()).build()) {
            w.store()
                    .apply(List.of(
                            new SyncWorker.PulledChange("r", "note:old", "note", note("note:old")),
                            new SyncWorker.PulledChange(
                                    "r", "note:a", "note", Map.of("id", "note:a", "typeName", "note", "v", 1L))));

            w.syncNow().get(10, TimeUnit.SECONDS);

            assertThat(pulledWith).containsExactly("c0", "c1");
            assertThat(cursor.get()).isEqualTo("c2");
            assertThat(w.store().recordIds("r")).containsExactly("note:a");
            assertThat(w.store().get("r", "note:a")).hasValue(note("note:a"));
        }
    }

    @Test
    void pull_failureMidway_keepsCursorOfTheLastAppliedPage() throws Exception {
        pages.add(new SyncWorker.PullResult(
                List.of(new SyncWorker.PulledChange("r", "note:a", "note", note("note:a"))), "c1", true, Set.of()));
        SyncWorker.Builder b = builder(applyAll()).pullHandler((c, rooms, limit) -> {
            pulledWith.add(c);
            if (pages.isEmpty()) {
                throw new IOException("connection reset");
            }
            return pages.remove(0);
        });
        try (SyncWorker w = b.build()) {
            assertThatThrownBy(() -> w.syncNow().get(10, TimeUnit.SECONDS)).hasRootCauseMessage("connection reset");

            assertThat(cursor.get()).isEqualTo("c1");
            assertThat(w.store().get("r", "note:a")).isPresent();
        }
    }
}
