package dev.tandem.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.server.TandemServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class OfflineWorkerTest {
    @TempDir
    Path outbox;

    private static String run(int expectedExit, String... args) throws Exception {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        int exit = OfflineWorker.run(args, new PrintStream(bytes, true, StandardCharsets.UTF_8));
        String out = bytes.toString(StandardCharsets.UTF_8);
        assertThat(exit).as(out).isEqualTo(expectedExit);
        return out;
    }

    @Test
    void run_offlineThenOnline_deliversEveryNoteExactlyOnce() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        String base = "http://127.0.0.1:" + port + "/";
        String dir = outbox.resolve("worker").toString();

        String offline = run(1, base, "demo", dir, "written offline");
        assertThat(offline).contains("the outbox keeps 1 edits");

        try (TandemServer server = TandemServer.builder()
                .port(port)
                .roomOptions(RoomOptions.builder()
                        .schema(RoomSchema.pinned())
                        .store(RoomStore.inMemory())
                        .build())
                .build()
                .start()) {
            String online = run(0, base, "demo", dir, "written online");
            assertThat(online).contains("synced; 0 edits still waiting", "written offline", "written online");
            // a second worker with its own outbox pulls the room from the start: both notes, once each
            String fresh = run(0, base, "demo", outbox.resolve("other").toString());
            assertThat(fresh.lines().filter(l -> l.startsWith("note:"))).hasSize(2);
            assertThat(server.ownedRooms()
                            .orElseThrow()
                            .room("demo")
                            .snapshot()
                            .join()
                            .documents())
                    .hasSize(2);
        }
        assertThat(Files.exists(Path.of(dir))).isTrue();
    }
}
