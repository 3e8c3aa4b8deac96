package dev.tandem.sync.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke run of the comparison with tldraw's own client as the generator and tldraw's workload, against Tandem
 * and tldraw's server as child processes: it works end to end (seconds; no timing asserted). Needs the built
 * server jar and benchmarks jar, and {@code npm ci} in {@code sync-server-jetty/src/test/node}, as the full
 * test command leaves them; runs from the repository root.
 */
class ComparisonIT {
    @TempDir
    Path out;

    @Test
    void runAll_tldrawGeneratorAndWorkload_bothServersCommitPushesAndDeliverPatches() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        assertThat(root.resolve("sync-server-jetty/src/test/node/node_modules/@tldraw/sync-core"))
                .as("npm ci ran in sync-server-jetty/src/test/node")
                .isDirectory();
        Comparison c = Comparison.parse(
                "--root", root.toString(),
                "--servers", "tandem,tldraw",
                "--rates", "600",
                "--saturation", "0",
                "--warmup", "1",
                "--duration", "3",
                "--generator", "tldraw",
                "--workload", "tldraw",
                "--out", out.toString());

        List<Comparison.Step> steps = c.runAll();

        assertThat(steps).extracting(Comparison.Step::server).containsExactly("tandem", "tldraw");
        for (Comparison.Step s : steps) {
            assertThat(s.lines()).as(s.server()).hasSize(1);
            assertThat(s.lines().get(0)).contains("\"generator\":\"tldraw\"", "\"workload\":\"tldraw\"");
            assertThat(s.get("committedOpsPerSec"))
                    .as(s.server() + " acked pushes/s")
                    .isPositive();
            assertThat(s.get("deliveriesPerSec"))
                    .as(s.server() + " deliveries/s")
                    .isPositive();
        }
        assertThat(Files.readString(out.resolve("comparison.md"))).contains("| tandem |", "| tldraw |");
    }
}
