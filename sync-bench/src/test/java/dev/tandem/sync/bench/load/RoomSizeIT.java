package dev.tandem.sync.bench.load;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A smoke run of {@link RoomSize} against Tandem and tldraw's server as child processes: a room filled, its heap
 * read, and fresh {@link RawWebSocket} clients receiving it whole (seconds; no timing asserted). The room is large
 * enough that Tandem sends its connect reply in several fragments. Needs the built server jar and {@code npm ci} in
 * {@code sync-server-jetty/src/test/node}, as the full test command leaves them; runs from the repository root.
 */
class RoomSizeIT {
    @TempDir
    Path out;

    @Test
    void measure_bothServers_fillARoomAndDeliverItWholeToFreshClients() throws Exception {
        Path root = Path.of("..").toAbsolutePath().normalize();
        int records = 600; // ~330,000 characters of JSON: about ten fragments
        RoomSize r = RoomSize.parse(
                "--root",
                root.toString(),
                "--receives",
                "3",
                "--records",
                String.valueOf(records),
                "--out",
                out.toString());

        for (String server : new String[] {"tandem", "tldraw"}) {
            RoomSize.Result res = r.measure(server, records);
            assertThat(res.receiveMs()).as(server + " receives").hasSize(3).allMatch(ms -> ms > 0);
            assertThat(res.replyChars())
                    .as(server + " connect reply holds every record")
                    .isGreaterThan(res.jsonChars());
            assertThat(res.heapAfter()).as(server + " live heap after the fill").isGreaterThan(res.heapBefore());
        }
    }
}
