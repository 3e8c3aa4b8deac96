package dev.tandem.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.server.TandemServer;
import dev.tandem.sync.store.jdbc.JdbcRoomStore;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * tldraw's editor in headless Chromium against a Tandem server that serves the built page ({@code
 * examples/tldraw-web/dist}): two read-write tabs and a read-only tab on one room, a restart of the server on
 * the same port with the rooms in SQLite, a read-only edit that is discarded, and a bare WebSocket client whose
 * invalid shape is refused while the editors keep syncing. The browser side is {@code
 * examples/tldraw-web/test/browser-test.mjs} (playwright-core driving the system's Chromium); screenshots go to
 * {@code target/browser-test/}. The {@code it} profile installs the npm packages and builds the page.
 */
class TldrawBrowserIT {
    private static final Path WEB = Path.of("tldraw-web");
    private static final Path SHOTS = Path.of("target", "browser-test");
    private static final Duration TIMEOUT = Duration.ofMinutes(2);

    @TempDir
    Path data;

    private TandemServer server;
    private RoomStore store;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
        if (store != null) {
            store.close();
        }
    }

    private void startServer(int port) {
        store = JdbcRoomStore.builder().sqlite(data).build();
        server = TandemServer.builder()
                .port(port)
                .roomOptions(RoomOptions.builder().store(store).build())
                .webRoot(WEB.resolve("dist"))
                .uploadDir(data.resolve("uploads"))
                .build()
                .start();
    }

    @Test
    void tldrawTabs_drawRestartAndReadOnly_stayInSync() throws Exception {
        assertThat(WEB.resolve("dist/index.html"))
                .as("the built page (run with -Pit, which runs npm ci and npm run build in %s)", WEB)
                .exists();
        String chromium = System.getenv().getOrDefault("CHROMIUM", "/usr/bin/chromium");
        assertThat(Path.of(chromium)).as("Chromium (apt-get install chromium)").exists();
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        startServer(port);
        Files.createDirectories(SHOTS);
        String roomId = "browser-" + Long.toHexString(System.nanoTime());

        ProcessBuilder pb = new ProcessBuilder(
                        "node",
                        "test/browser-test.mjs",
                        "http://127.0.0.1:" + port,
                        roomId,
                        SHOTS.toAbsolutePath().toString())
                .directory(WEB.toFile())
                .redirectErrorStream(true);
        pb.environment().put("CHROMIUM", chromium);
        long started = System.nanoTime();
        Process node = pb.start();
        List<String> output = new ArrayList<>();
        Thread watchdog = new Thread(() -> {
            try {
                if (!node.waitFor(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS)) {
                    node.descendants().forEach(ProcessHandle::destroyForcibly);
                    node.destroyForcibly();
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        });
        watchdog.setDaemon(true);
        watchdog.start();
        try (BufferedReader out =
                        new BufferedReader(new InputStreamReader(node.getInputStream(), StandardCharsets.UTF_8));
                Writer in = new OutputStreamWriter(node.getOutputStream(), StandardCharsets.UTF_8)) {
            for (String line; (line = out.readLine()) != null; ) {
                System.out.println("[browser] " + line);
                output.add(line);
                if (line.equals("RESTART")) {
                    long clock = server.ownedRooms().orElseThrow().room(roomId).documentClock();
                    assertThat(server.stop()).as("rooms flushed on stop").isTrue();
                    store.close();
                    startServer(port);
                    Room reloaded = server.ownedRooms().orElseThrow().room(roomId);
                    reloaded.snapshot().get(10, TimeUnit.SECONDS);
                    assertThat(reloaded.documentClock())
                            .as("clock after reload")
                            .isEqualTo(clock);
                    in.write("RESTARTED\n");
                    in.flush();
                }
            }
        }
        assertThat(node.waitFor(10, TimeUnit.SECONDS)).isTrue();
        System.out.printf("browser test took %d ms%n", TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - started));
        assertThat(node.exitValue())
                .as("browser test output:%n%s", String.join("\n", output))
                .isZero();
        assertThat(output).anyMatch(l -> l.startsWith("OK "));
        assertThat(SHOTS.resolve("1-tab-b.png")).exists();
        assertThat(SHOTS.resolve("3-read-only.png")).exists();
        assertThat(SHOTS.resolve("4-fresh-after-attack.png")).exists();
        // the room as the server holds it: both drawn shapes, not the read-only tab's
        String snapshot = server.ownedRooms()
                .orElseThrow()
                .room(roomId)
                .snapshot()
                .get(10, TimeUnit.SECONDS)
                .toJson();
        assertThat(snapshot)
                .contains("shape:fromA", "shape:fromB", "shape:marker", "shape:afterAttack")
                .doesNotContain("shape:fromReadOnly", "shape:evil");
    }
}
