package dev.tandem.sync.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.bench.relay.RawRelayServer;
import dev.tandem.sync.server.TandemServer;
import java.net.URI;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.ObjectMapper;

/** A smoke run of the load generator: it works end to end. No timing assertions. */
class LoadGeneratorTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void run_againstInProcessTandem_commitsOpsAndPrintsOneJsonLine() throws Exception {
        // the server's default schema is tldraw's: every generated record is validated as tldraw validates it
        try (TandemServer server = TandemServer.builder().port(0).build().start()) {
            JsonNode line = run(server.uri(), "tandem");
            assertThat(line.get("committedOps").asLong()).isPositive();
            assertThat(line.get("fanoutMs").get("n").asLong()).isPositive();
            assertThat(line.get("closedEarly").asLong())
                    .as("sessions the server closed")
                    .isZero();
        }
    }

    @Test
    void run_tldrawWorkloadAgainstInProcessTandem_acksPresenceAndShapePushes() throws Exception {
        try (TandemServer server = TandemServer.builder().port(0).build().start()) {
            LoadConfig config = LoadConfig.parse(
                    "--url", server.uri().toString(),
                    "--label", "tandem",
                    "--clients", "20",
                    "--workload", "tldraw",
                    "--warmup", "0.3",
                    "--duration", "2",
                    "--server-pid", String.valueOf(ProcessHandle.current().pid()));
            assertThat(config.rooms()).as("20 users per room").isEqualTo(1);
            assertThat(config.opsPerSecond()).as("30 pushes/s per user").isEqualTo(600);

            JsonNode line = JSON.readTree(LoadGenerator.run(config));

            assertThat(line.get("workload").asString()).isEqualTo("tldraw");
            assertThat(line.get("connected").asInt()).isEqualTo(20);
            assertThat(line.get("committedOps").asLong()).isPositive();
            assertThat(line.get("discardedOps").asLong())
                    .as("shape pushes the server refused")
                    .isZero();
            assertThat(line.get("fanoutMs").get("n").asLong()).isPositive();
            assertThat(line.get("closedEarly").asLong()).isZero();
        }
    }

    @Test
    void run_againstRawRelay_commitsOps() throws Exception {
        RawRelayServer relay = new RawRelayServer("127.0.0.1", 0).start();
        try {
            JsonNode line = run(URI.create("http://127.0.0.1:" + relay.port() + "/"), "relay");
            assertThat(line.get("committedOps").asLong()).isPositive();
        } finally {
            relay.stop();
        }
    }

    private static JsonNode run(URI uri, String label) throws Exception {
        LoadConfig config = new LoadConfig(
                uri,
                label,
                4,
                2,
                0,
                "smoke",
                40,
                1000,
                Duration.ofMillis(300),
                Duration.ofSeconds(2),
                Duration.ofSeconds(2),
                64,
                ProcessHandle.current().pid());
        String out = LoadGenerator.run(config);
        assertThat(out).doesNotContain("\n");
        JsonNode line = JSON.readTree(out);
        assertThat(line.get("label").asString()).isEqualTo(label);
        assertThat(line.get("connected").asInt()).isEqualTo(4);
        for (String field : new String[] {
            "connectMs",
            "offeredOpsPerSec",
            "committedOpsPerSec",
            "commitMs",
            "fanoutMs",
            "deliveriesPerSec",
            "framesPerSec",
            "serverCpuS",
            "serverCpuUsPerOp",
            "serverRssMaxMb"
        }) {
            assertThat(line.has(field)).as(field).isTrue();
        }
        assertThat(line.get("commitMs").has("p99")).isTrue();
        return line;
    }
}
