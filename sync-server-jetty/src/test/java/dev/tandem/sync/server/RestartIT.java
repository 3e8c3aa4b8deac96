package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** SIGTERM and restart of the server jar: sessions close normally, and clients catch up incrementally. */
class RestartIT {
    @TempDir
    Path data;

    @Test
    @SuppressWarnings("unchecked")
    void sigterm_thenRestart_reconnectWithLastServerClock_isIncremental() throws Exception {
        String[] args = {"--store", "sqlite", "--data", data.toString()};
        long serverClock;
        try (ServerProcess server = ServerProcess.start(args)) {
            LoadClient client = LoadClient.connect(server.ws("restart", "c1"), "c1", -1);
            assertThat(client.connectReply()).containsEntry("hydrationType", "wipe_all");
            for (int i = 0; i < 10; i++) {
                client.pushNext();
            }
            await().atMost(Duration.ofSeconds(10)).until(() -> client.ackedCount() == 10);
            serverClock = CrashRecoveryIT.documentOf(server, "restart").size();
            assertThat(server.terminate()).as("exit code after SIGTERM").isZero();
            assertThat(client.closed().get()).as("close code").isEqualTo(1000);
            assertThat(server.output())
                    .anyMatch(l -> l.contains("session c1 joined room restart"))
                    .anyMatch(l -> l.contains("1 rooms closed and flushed"))
                    .anyMatch(l -> l.contains("Tandem stopped"));
        }
        try (ServerProcess again = ServerProcess.start(args)) {
            Map<String, Long> doc = CrashRecoveryIT.documentOf(again, "restart");
            assertThat(doc).hasSize(4).containsEntry("note:c1-2", 10L);
            // 10 pushes: the document clock is 10
            LoadClient upToDate = LoadClient.connect(again.ws("restart", "c2"), "c2", 10);
            assertThat(upToDate.connectReply())
                    .containsEntry("hydrationType", "wipe_presence")
                    .containsEntry("serverClock", 10);
            assertThat((Map<String, Object>) upToDate.connectReply().get("diff"))
                    .isEmpty();
            LoadClient behind = LoadClient.connect(again.ws("restart", "c3"), "c3", 9);
            assertThat(behind.connectReply()).containsEntry("hydrationType", "wipe_presence");
            Map<String, Object> diff =
                    (Map<String, Object>) behind.connectReply().get("diff");
            assertThat(diff).containsOnlyKeys("note:c1-2");
            assertThat(((List<Object>) diff.get("note:c1-2")).get(0)).isIn("put", "patch");
            assertThat(serverClock).isEqualTo(4);
        }
    }
}
