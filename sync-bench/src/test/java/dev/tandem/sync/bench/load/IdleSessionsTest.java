package dev.tandem.sync.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.server.TandemServer;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** Smoke runs of the idle-session measurements: every session connects and stays. No memory assertions. */
class IdleSessionsTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final String SELF = String.valueOf(ProcessHandle.current().pid());

    @Test
    void run_inOneProcess_connectsEverySession() throws Exception {
        try (TandemServer server = TandemServer.builder().port(0).build().start()) {
            JsonNode line = JSON.readTree(IdleSessions.run(
                    "--url", server.uri().toString(), "--server-pid", SELF, "--sessions", "30", "--per-room", "10"));

            assertThat(line.get("connected").asInt()).isEqualTo(30);
            assertThat(line.get("rooms").asInt()).isEqualTo(3);
            assertThat(line.get("processes").asInt()).isEqualTo(1);
            assertThat(line.get("closedBeforeMeasure").asLong()).isZero();
        }
    }

    @Test
    void run_splitOverTwoGeneratorProcesses_connectsEverySession() throws Exception {
        try (TandemServer server = TandemServer.builder().port(0).build().start()) {
            JsonNode line = JSON.readTree(IdleSessions.run(
                    "--url", server.uri().toString(),
                    "--server-pid", SELF,
                    "--sessions", "30",
                    "--per-room", "10",
                    "--processes", "2",
                    "--bind-from", "127.0.0.1"));

            assertThat(line.get("connected").asInt())
                    .as("sessions connected over both processes")
                    .isEqualTo(30);
            assertThat(line.get("processes").asInt()).isEqualTo(2);
            assertThat(line.get("closedBeforeMeasure").asLong()).isZero();
        }
    }

    @Test
    void coreRun_connectsEverySessionThroughTheHandshake() throws Exception {
        JsonNode line = JSON.readTree(CoreIdleSessions.run("--sessions", "45", "--per-room", "20"));

        assertThat(line.get("connected").asInt())
                .as("sessions whose connect reply came")
                .isEqualTo(45);
        assertThat(line.get("openAtMeasure").asInt()).isEqualTo(45);
        assertThat(line.get("sessionsInRooms").asInt()).isEqualTo(45);
        assertThat(line.get("rooms").asInt()).isEqualTo(3);
    }
}
