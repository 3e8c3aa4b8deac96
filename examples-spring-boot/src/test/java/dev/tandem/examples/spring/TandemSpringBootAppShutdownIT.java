package dev.tandem.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.WebSocket;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.builder.SpringApplicationBuilder;
import org.springframework.boot.web.server.context.WebServerApplicationContext;
import org.springframework.context.ConfigurableApplicationContext;

/**
 * Stopping the example application with a tldraw session open: the session gets a normal close (1000, so the
 * client reconnects elsewhere) at once, before Spring's graceful shutdown of the web server, and the application
 * stops.
 */
class TandemSpringBootAppShutdownIT {
    @TempDir
    Path data;

    @Test
    void close_withAnOpenSession_closesItNormallyAndStops() {
        ConfigurableApplicationContext app = new SpringApplicationBuilder(TandemSpringBootApp.class)
                .run(
                        "--server.port=0",
                        "--spring.datasource.url=jdbc:sqlite:" + data.resolve("app.db")
                                + "?journal_mode=WAL&synchronous=FULL&busy_timeout=10000",
                        "--tandem.data=" + data.resolve("tandem"));
        int port = ((WebServerApplicationContext) app).getWebServer().getPort();
        CompletableFuture<Integer> closed = new CompletableFuture<>();
        WebSocket socket = HttpClient.newHttpClient()
                .newWebSocketBuilder()
                .buildAsync(
                        URI.create("ws://127.0.0.1:" + port + "/connect/stop-room?sessionId=stop-session"),
                        new WebSocket.Listener() {
                            @Override
                            public CompletionStage<?> onClose(WebSocket ws, int statusCode, String reason) {
                                closed.complete(statusCode);
                                return null;
                            }

                            @Override
                            public void onError(WebSocket ws, Throwable error) {
                                closed.completeExceptionally(error);
                            }
                        })
                .join();
        assertThat(socket.isInputClosed()).isFalse();

        app.close();

        assertThat(app.isActive()).isFalse();
        await().atMost(Duration.ofSeconds(10)).until(closed::isDone);
        assertThat(closed.join()).as("close code").isEqualTo(1000);
    }
}
