package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicBoolean;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code --durability async} and {@code kill -9}: the restarted room lost acknowledged changes, so it is behind the
 * clocks its clients saw. Clients that reconnect only after others pushed the clock past theirs must still end up
 * with the room's document, not keep the lost records; a clean stop keeps incremental catch-up.
 */
class AsyncCrashCatchUpIT {
    private static final String ROOM = "async-crash";
    private static final int RECORDS_PER_CLIENT = 4;

    @TempDir
    Path data;

    private String[] args() {
        // clients push as fast as acknowledgements allow, above the default rate limits
        return new String[] {
            "--store",
            "sqlite",
            "--data",
            data.toString(),
            "--durability",
            "async",
            "--async-flush-interval",
            "1s",
            "--session-messages-per-second",
            "10000",
            "--principal-messages-per-second",
            "10000"
        };
    }

    @Test
    void kill9_async_lateReconnectAfterClockPassedTheirs_convergesWithFreshClient() throws Exception {
        List<MirrorClient> early = new ArrayList<>();
        List<MirrorClient> late = new ArrayList<>();
        long maxSeen;
        try (ServerProcess server = ServerProcess.start(args())) {
            for (int i = 0; i < 2; i++) {
                early.add(MirrorClient.fresh(server.ws(ROOM, "early" + i), "early" + i, RECORDS_PER_CLIENT));
                late.add(MirrorClient.fresh(server.ws(ROOM, "late" + i), "late" + i, RECORDS_PER_CLIENT));
            }
            List<MirrorClient> all = new ArrayList<>(early);
            all.addAll(late);
            AtomicBoolean stop = new AtomicBoolean();
            List<Thread> pushers = new ArrayList<>();
            for (MirrorClient c : all) {
                Thread t = new Thread(
                        () -> {
                            try {
                                for (int i = 0; i < 100_000 && !stop.get() && c.pushNext(false); i++) {
                                    // push as fast as acknowledgements allow
                                }
                            } catch (InterruptedException e) {
                                Thread.currentThread().interrupt();
                            }
                        },
                        "pusher");
                t.setDaemon(true);
                t.start();
                pushers.add(t);
            }
            // past a flush or two, so the room is stored, and then killed between flushes
            await().pollDelay(Duration.ofMillis(2_500))
                    .atMost(Duration.ofSeconds(30))
                    .pollInterval(Duration.ofMillis(20))
                    .until(() -> all.stream().allMatch(c -> c.ackedCount() >= 100));
            server.kill();
            stop.set(true);
            for (MirrorClient c : all) {
                c.closed().get();
            }
            for (Thread t : pushers) {
                t.join(5_000);
            }
            maxSeen =
                    all.stream().mapToLong(MirrorClient::lastServerClock).max().orElseThrow();
        }

        try (ServerProcess again = ServerProcess.start(args())) {
            Map<String, Long> stored = CrashRecoveryIT.documentOf(again, ROOM);
            assertThat(late.stream().anyMatch(c -> !nOf(c.records()).equals(stored)))
                    .as("the kill lost acknowledged changes (async durability)")
                    .isTrue();
            // the early clients come back first and push the room's clock past every clock seen before the kill
            List<MirrorClient> back = new ArrayList<>();
            for (MirrorClient c : early) {
                back.add(c.reconnect(again.ws(ROOM, "early-again-" + back.size())));
            }
            MirrorClient pusher = back.get(0);
            for (long i = Math.min(pusher.lastServerClock(), maxSeen); i <= maxSeen + 5; i++) {
                assertThat(pusher.pushNext(true))
                        .as("pushing after the restart")
                        .isTrue();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> !pusher.hasPending());
            assertThat(pusher.lastServerClock()).isGreaterThan(maxSeen);
            // then the others, with the clocks they saw before the kill
            for (MirrorClient c : late) {
                back.add(c.reconnect(again.ws(ROOM, "late-again-" + back.size())));
            }
            MirrorClient fresh = MirrorClient.fresh(again.ws(ROOM, "fresh"), "fresh", RECORDS_PER_CLIENT);
            Map<String, Map<String, Object>> expected = fresh.records();
            assertThat(expected).isNotEmpty();
            for (MirrorClient c : back) {
                await().atMost(Duration.ofSeconds(20))
                        .pollInterval(Duration.ofMillis(50))
                        .untilAsserted(() -> assertThat(nOf(c.records()))
                                .as(
                                        "%s's document (reconnected with %s)",
                                        c.name(), c.connectReply().get("hydrationType"))
                                .containsExactlyInAnyOrderEntriesOf(nOf(expected)));
            }
            System.out.printf(
                    "AsyncCrashCatchUpIT: clients saw clock %d before kill -9; the restarted room serves %d records"
                            + " at clock %d; reconnected clients got %s%n",
                    maxSeen,
                    expected.size(),
                    fresh.lastServerClock(),
                    back.stream()
                            .map(c -> String.valueOf(c.connectReply().get("hydrationType")))
                            .toList());
            for (MirrorClient c : back) {
                c.close();
            }
            fresh.close();
        }
    }

    @Test
    void sigterm_async_thenRestart_reconnectIsIncremental() throws Exception {
        MirrorClient client;
        try (ServerProcess server = ServerProcess.start(args())) {
            client = MirrorClient.fresh(server.ws(ROOM, "c1"), "c1", RECORDS_PER_CLIENT);
            for (int i = 0; i < 1_500; i++) {
                assertThat(client.pushNext(false)).isTrue();
            }
            await().atMost(Duration.ofSeconds(20)).until(() -> client.ackedCount() == 1_500);
            assertThat(server.terminate()).as("exit code after SIGTERM").isZero();
            client.closed().get();
        }
        long clock = client.lastServerClock();
        assertThat(clock).isEqualTo(1_500);
        try (ServerProcess again = ServerProcess.start(args())) {
            MirrorClient back = client.reconnect(again.ws(ROOM, "c1-again"));
            assertThat(back.connectReply())
                    .containsEntry("hydrationType", "wipe_presence")
                    .containsEntry("serverClock", 1_500);
            assertThat(nOf(back.records())).isEqualTo(CrashRecoveryIT.documentOf(again, ROOM));
            back.close();
        }
    }

    /** Record id → n: what the clients pushed, comparable with {@link CrashRecoveryIT#documentOf}. */
    private static Map<String, Long> nOf(Map<String, Map<String, Object>> records) {
        Map<String, Long> out = new java.util.HashMap<>();
        records.forEach((id, r) -> out.put(id, ((Number) r.get("n")).longValue()));
        return out;
    }
}
