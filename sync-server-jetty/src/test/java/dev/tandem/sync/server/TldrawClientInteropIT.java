package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.TldrawSchema;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * tldraw's own sync client (npm {@code @tldraw/sync-core} 5.4.2, driven by {@code src/test/node/interop.mjs})
 * against a Tandem server: convergence of three clients, incremental reconnect, read-only discard, chunked
 * pushes and the 4099 rejections. The npm packages are installed by the {@code it} profile ({@code npm ci}).
 *
 * <p>Every room has tldraw's schema with its validators and migrations ({@code TldrawSchema.defaults()}, the
 * server's default), so unknown record types and invalid records are rejected as tldraw's server rejects them.
 */
class TldrawClientInteropIT {
    private static final Path NODE_DIR = Path.of("src", "test", "node");
    private static final Duration TIMEOUT = Duration.ofSeconds(90);

    private TandemServer server;

    @BeforeEach
    void start() throws IOException {
        RoomOptions tldraw =
                RoomOptions.builder().schema(TldrawSchema.defaults()).build();
        server = TandemServer.builder()
                .port(0)
                .rooms(dev.tandem.sync.core.RoomManager.create(tldraw))
                .build()
                .start();
    }

    @AfterEach
    void stop() {
        server.close();
    }

    @Test
    void tldrawClients_againstTandem_passEveryScenario() throws Exception {
        assertThat(NODE_DIR.resolve("node_modules/@tldraw/sync-core"))
                .as("npm packages (run with -Pit, which runs npm ci in %s)", NODE_DIR)
                .isDirectory();
        NodeScript.Result node = NodeScript.run(
                NODE_DIR,
                TIMEOUT,
                Map.of("NODE_ENV", "test"),
                "interop.mjs",
                server.uri().toString());
        assertThat(node.finished()).as("node finished within %s", TIMEOUT).isTrue();
        List<String> lines = node.lines();

        List<Map<String, Object>> results = lines.stream()
                .filter(l -> l.startsWith("{\"scenario\""))
                .map(l -> castMap(TestJson.parse(l)))
                .toList();
        assertThat(results).as("scenario lines").hasSizeGreaterThanOrEqualTo(5);
        assertThat(results)
                .as("failed scenarios")
                .filteredOn(r -> !Boolean.TRUE.equals(r.get("pass")))
                .isEmpty();
        assertThat(node.exitCode()).as("node exit code").isZero();
        assertThat(Files.isDirectory(NODE_DIR)).isTrue();
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> castMap(Object o) {
        return (Map<String, Object>) o;
    }
}
