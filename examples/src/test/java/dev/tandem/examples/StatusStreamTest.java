package dev.tandem.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.sync.client.SyncClient;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.server.TandemServer;
import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

class StatusStreamTest {
    private static final Map<String, Object> SCHEMA =
            Map.of("schemaVersion", 2, "sequences", Map.of("com.tandem.example.note", 1));

    @Test
    void run_printsStatusAndAnotherClientsChanges_thenBothStreamsComplete() throws Exception {
        try (TandemServer server = TandemServer.builder()
                .port(0)
                .roomOptions(RoomOptions.builder().schema(RoomSchema.pinned()).build())
                .build()
                .start()) {
            ByteArrayOutputStream bytes = new ByteArrayOutputStream();
            PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8);
            CompletableFuture<Integer> exit = CompletableFuture.supplyAsync(() -> {
                try {
                    return StatusStream.run(new String[] {server.uri().toString(), "stream", "2"}, out);
                } catch (InterruptedException e) {
                    throw new IllegalStateException(e);
                }
            });
            await().atMost(Duration.ofSeconds(20))
                    .until(() -> bytes.toString(StandardCharsets.UTF_8).contains("status ONLINE"));

            try (SyncClient writer = SyncClient.builder()
                    .baseUrl(server.uri())
                    .roomId("stream")
                    .schema(SCHEMA)
                    .build()) {
                writer.store().put(Map.of("id", "note:1", "typeName", "note", "text", "first"));
                await().atMost(Duration.ofSeconds(20))
                        .until(() -> bytes.toString(StandardCharsets.UTF_8).contains("note:1"));
                writer.store().put(Map.of("id", "note:2", "typeName", "note", "text", "second"));
                assertThat(exit.get(20, TimeUnit.SECONDS)).isZero();
            }

            String printed = bytes.toString(StandardCharsets.UTF_8);
            assertThat(printed)
                    .contains("status ONLINE", "remote + note:1 first", "remote + note:2 second")
                    .contains("status complete", "changes complete")
                    .doesNotContain("failed");
            assertThat(printed.indexOf("status OFFLINE")).isGreaterThan(printed.indexOf("status ONLINE"));
            assertThat(printed.indexOf("status complete")).isGreaterThan(printed.indexOf("status OFFLINE"));
        }
    }
}
