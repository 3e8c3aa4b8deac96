package dev.tandem.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.server.TandemServer;
import java.io.ByteArrayOutputStream;
import java.io.PipedInputStream;
import java.io.PipedOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

class TerminalClientTest {

    @Test
    void run_addedNote_reachesTheServerAndIsListed() throws Exception {
        try (TandemServer server = TandemServer.builder()
                .port(0)
                .roomOptions(RoomOptions.builder().schema(TerminalClient.NOTES).build())
                .build()
                .start()) {
            PipedOutputStream keys = new PipedOutputStream();
            PipedInputStream input = new PipedInputStream(keys);
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
                try {
                    return TerminalClient.run(new String[] {server.uri().toString(), "notes", "alice"}, input, out);
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });

            keys.write("add hello from the terminal\n".getBytes(StandardCharsets.UTF_8));
            keys.flush();
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> server.ownedRooms()
                            .flatMap(rooms -> rooms.find("notes"))
                            .map(room -> room.snapshot().join())
                            .map(RoomSnapshot::documents)
                            .map(docs -> docs.stream()
                                    .anyMatch(d -> "hello from the terminal"
                                            .equals(d.state().get("text"))))
                            .orElse(false));
            keys.write("ls\nquit\n".getBytes(StandardCharsets.UTF_8));
            keys.flush();

            assertThat(exit.get(20, java.util.concurrent.TimeUnit.SECONDS)).isZero();
            assertThat(bytes.toString(StandardCharsets.UTF_8))
                    .contains("joined notes as alice", "added note:", "hello from the terminal  (alice)");
        }
    }
}
