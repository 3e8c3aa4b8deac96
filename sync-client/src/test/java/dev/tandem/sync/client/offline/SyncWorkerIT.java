package dev.tandem.sync.client.offline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.sync.client.Store;
import dev.tandem.sync.client.SyncClient;
import dev.tandem.sync.client.SyncStatus;
import dev.tandem.sync.client.SyncWorker;
import dev.tandem.sync.client.testing.ClientRig;
import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.PushEvent;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.server.TandemServer;
import dev.tandem.sync.store.jdbc.JdbcRoomStore;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link SyncWorker} end to end against a real {@link TandemServer} over SQLite. */
class SyncWorkerIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(60);

    @TempDir
    Path tmp;

    private RoomStore store;
    private TandemServer server;
    private final List<AutoCloseable> closeables = new ArrayList<>();

    @BeforeEach
    void start() {
        store = JdbcRoomStore.builder().sqlite(tmp.resolve("server")).build();
        server = TandemServer.builder()
                .port(0)
                .roomOptions(RoomOptions.builder()
                        .schema(RoomSchema.pinned())
                        .store(store)
                        .batchInterval(Duration.ZERO)
                        .build())
                .build()
                .start();
    }

    @AfterEach
    void stop() throws Exception {
        for (AutoCloseable c : closeables) {
            c.close();
        }
        server.close();
        store.close();
    }

    private SyncWorker.Builder worker(URI base, Path dir, String room) {
        return SyncWorker.builder()
                .baseUrl(base)
                .directory(dir)
                .rooms(List.of(room))
                .interval(Duration.ofMillis(20))
                .backoff(Duration.ofMillis(20), Duration.ofMillis(100));
    }

    private <T extends AutoCloseable> T closeLater(T c) {
        closeables.add(c);
        return c;
    }

    private Room room(String id) {
        return server.ownedRooms().orElseThrow().room(id);
    }

    private @Nullable Map<String, Object> serverRecord(String room, String id) {
        return room(room).record(id).join();
    }

    private void assertAppliedExactlyOnce(String room, int count) {
        Map<String, Object> r = serverRecord(room, "note:counter");
        assertThat(r).isNotNull();
        assertThat(r.get("text")).isEqualTo(Edits.expectedText(count));
        assertThat(((Number) r.get("n")).longValue()).isEqualTo(count);
        assertThat(room(room).documentClock()).as("one transaction per event").isEqualTo(count + 1);
    }

    @Test
    void offlineEdits_workerProcessKilledMidSync_reachServerExactlyOnce() throws Exception {
        int count = 60;
        Path dir = tmp.resolve("worker");
        Process child = new ProcessBuilder(
                        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                        "-Xmx128m",
                        "-cp",
                        System.getProperty("java.class.path"),
                        WorkerProcessMain.class.getName(),
                        dir.toString(),
                        server.uri().toString(),
                        "killed",
                        String.valueOf(count))
                .redirectErrorStream(true)
                .start();
        try {
            BufferedReader out =
                    new BufferedReader(new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
            String line;
            while ((line = out.readLine()) != null && !line.startsWith("ENQUEUED")) {
                // skip log lines
            }
            assertThat(line).isEqualTo("ENQUEUED " + (count + 1));
            Thread drain = new Thread(() -> {
                try {
                    while (out.readLine() != null) {
                        // keep the pipe empty
                    }
                } catch (IOException ignored) {
                    // the process died
                }
            });
            drain.setDaemon(true);
            drain.start();
            // kill it in the middle of syncing: some events applied, more still in its outbox
            await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(5)).until(() -> {
                Map<String, Object> r = serverRecord("killed", "note:counter");
                return r != null && ((Number) r.get("n")).longValue() >= 10;
            });
        } finally {
            child.destroyForcibly();
            assertThat(child.waitFor(30, TimeUnit.SECONDS)).isTrue();
        }
        long appliedBeforeKill =
                ((Number) serverRecord("killed", "note:counter").get("n")).longValue();
        assertThat(appliedBeforeKill).isLessThan(count);

        SyncWorker restarted = closeLater(worker(server.uri(), dir, "killed").build());
        assertThat(restarted.pending()).isNotEmpty();
        restarted.syncNow().get(60, TimeUnit.SECONDS);

        assertThat(restarted.pending()).isEmpty();
        assertThat(restarted.failed()).isEmpty();
        assertAppliedExactlyOnce("killed", count);
        assertThat(restarted.store().get("killed", "note:counter").orElseThrow().get("text"))
                .isEqualTo(Edits.expectedText(count));
    }

    @Test
    void proxyFailingEveryOtherRequest_everyEventAppliedExactlyOnce() throws Exception {
        int count = 40;
        FlakyProxy proxy = closeLater(new FlakyProxy(server.uri(), FlakyProxy.Mode.EVERY_OTHER_FAILS));
        SyncWorker worker = closeLater(
                worker(proxy.uri(), tmp.resolve("w"), "flaky").batchSize(7).build());
        Edits.counter(worker, "flaky", "note:counter", count);

        worker.start();

        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(worker.pending()).isEmpty();
            assertThat(worker.store().get("flaky", "note:counter"))
                    .hasValueSatisfying(r -> assertThat(r.get("n")).isEqualTo((long) count));
        });
        assertThat(proxy.lostAnswers())
                .as("answers lost after the server applied")
                .isPositive();
        assertThat(worker.failed()).isEmpty();
        assertAppliedExactlyOnce("flaky", count);
    }

    @Test
    void offlineWorker_backsOffThenSyncsWhenServerIsReachable() throws Exception {
        FlakyProxy proxy = closeLater(new FlakyProxy(server.uri(), FlakyProxy.Mode.OFFLINE));
        List<SyncWorker.Status> statuses = new CopyOnWriteArrayList<>();
        SyncWorker worker = closeLater(worker(proxy.uri(), tmp.resolve("w"), "offline")
                .listener(new SyncWorker.Listener() {
                    @Override
                    public void onStatus(SyncWorker.Status status) {
                        statuses.add(status);
                    }
                })
                .build());
        Edits.counter(worker, "offline", "note:counter", 5);
        worker.start();
        await().atMost(TIMEOUT).until(() -> proxy.failures() >= 3);
        assertThat(worker.status().lastError()).hasMessageContaining("503");
        assertThat(worker.status().isLooping()).isTrue();
        assertThat(worker.pending()).hasSize(6);

        proxy.mode = FlakyProxy.Mode.PASS;

        await().atMost(TIMEOUT).untilAsserted(() -> {
            assertThat(worker.pending()).isEmpty();
            assertThat(worker.status().lastError()).isNull();
            assertThat(worker.status().lastSyncTime()).isNotNull();
        });
        assertAppliedExactlyOnce("offline", 5);
        assertThat(statuses)
                .extracting(SyncWorker.Status::status)
                .contains(SyncWorker.Activity.PUSHING, SyncWorker.Activity.PULLING, SyncWorker.Activity.IDLE);
        worker.stop();
        assertThat(worker.status().isLooping()).isFalse();
    }

    @Test
    void liveClient_seesWorkerEdits_andWorkerPullsLiveEdits() throws Exception {
        SyncClient live = closeLater(SyncClient.builder()
                .baseUrl(server.uri())
                .roomId("shared")
                .sessionId("live")
                .schema(ClientRig.SCHEMA)
                .backoff(Duration.ofMillis(50), Duration.ofMillis(200))
                .build());
        await().atMost(TIMEOUT).until(() -> live.status() == SyncStatus.ONLINE);
        SyncWorker worker =
                closeLater(worker(server.uri(), tmp.resolve("w"), "shared").build());

        worker.create("shared", Map.of("id", "shape:fromWorker", "typeName", "shape", "x", 1L));
        worker.syncNow().get(30, TimeUnit.SECONDS);

        Store liveStore = live.store();
        await().atMost(TIMEOUT).until(() -> liveStore.get("shape:fromWorker").isPresent());
        assertThat(liveStore.get("shape:fromWorker").orElseThrow()).containsEntry("x", 1L);

        liveStore.put(Map.of("id", "shape:fromLive", "typeName", "shape", "x", 2L));
        liveStore.update("shape:fromWorker", r -> {
            Map<String, Object> next = new java.util.LinkedHashMap<>(r);
            next.put("x", 3L);
            return next;
        });
        await().atMost(TIMEOUT).until(() -> !live.hasUnconfirmedChanges());
        worker.syncNow().get(30, TimeUnit.SECONDS);

        assertThat(worker.store().get("shared", "shape:fromLive").orElseThrow()).containsEntry("x", 2L);
        assertThat(worker.store().get("shared", "shape:fromWorker").orElseThrow())
                .containsEntry("x", 3L);

        liveStore.remove("shape:fromLive");
        await().atMost(TIMEOUT).until(() -> !live.hasUnconfirmedChanges());
        worker.syncNow().get(30, TimeUnit.SECONDS);
        assertThat(worker.store().get("shared", "shape:fromLive")).isEmpty();
    }

    @Test
    void cursor_resumesAcrossWorkerRestarts() throws Exception {
        Path dir = tmp.resolve("w");
        room("resume")
                .update(tx -> {
                    for (int i = 0; i < 30; i++) {
                        tx.put(Map.of("id", "note:" + i, "typeName", "note", "i", (long) i));
                    }
                })
                .join();
        List<SyncWorker.PulledChange> pulled = new CopyOnWriteArrayList<>();
        SyncWorker.Listener recorder = new SyncWorker.Listener() {
            @Override
            public void onPulled(List<SyncWorker.PulledChange> changes) {
                pulled.addAll(changes);
            }
        };
        try (SyncWorker first = worker(server.uri(), dir, "resume")
                .pullLimit(7)
                .listener(recorder)
                .build()) {
            first.syncNow().get(30, TimeUnit.SECONDS);
            assertThat(first.store().recordIds("resume")).hasSize(30);
        }
        assertThat(pulled).hasSize(30);
        assertThat(Files.readString(dir.resolve("cursor"))).isNotBlank();

        pulled.clear();
        room("resume")
                .update(tx -> tx.put(Map.of("id", "note:new", "typeName", "note", "i", 99L)))
                .join();
        room("resume").update(tx -> tx.delete("note:3")).join();
        try (SyncWorker second =
                worker(server.uri(), dir, "resume").listener(recorder).build()) {
            second.syncNow().get(30, TimeUnit.SECONDS);
        }

        assertThat(pulled).extracting(SyncWorker.PulledChange::recordId).containsExactly("note:new", "note:3");
        assertThat(pulled.get(1).deleted()).isTrue();
    }

    @Test
    void rejectedEvent_isReportedAndNotRetried() throws Exception {
        List<EventResult> rejected = new CopyOnWriteArrayList<>();
        SyncWorker worker = closeLater(worker(server.uri(), tmp.resolve("w"), "reject")
                .listener(new SyncWorker.Listener() {
                    @Override
                    public void onRejected(PushEvent event, EventResult result) {
                        rejected.add(result);
                    }
                })
                .build());
        String bad = worker.update("reject", Map.of("id", "note:missing", "typeName", "note"));
        worker.create("reject", Map.of("id", "note:ok", "typeName", "note"));

        worker.syncNow().get(30, TimeUnit.SECONDS);
        worker.syncNow().get(30, TimeUnit.SECONDS);

        assertThat(rejected).singleElement().satisfies(r -> {
            assertThat(r.id()).isEqualTo(bad);
            assertThat(r.reason()).isEqualTo("NOT_FOUND: record note:missing does not exist");
        });
        assertThat(worker.pending()).isEmpty();
        assertThat(worker.failed()).extracting(PushEvent::id).containsExactly(bad);
        assertThat(worker.store().get("reject", "note:ok")).isPresent();
    }
}
