package dev.tandem.examples;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.RoomManager;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.TldrawSchema;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.net.http.WebSocket;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.junit.jupiter.api.Test;

class EmbeddedJettyIT {
    @Test
    void server_servesTheAppPageAndTandemRoomsOnOnePort() throws Exception {
        try (RoomManager rooms = RoomManager.create(RoomOptions.builder().build())) {
            Server server = EmbeddedJetty.server(0, rooms);
            server.start();
            try {
                int port = ((ServerConnector) server.getConnectors()[0]).getLocalPort();
                HttpClient http = HttpClient.newHttpClient();
                HttpResponse<String> hello = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/hello"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(hello.body()).isEqualTo("hello from the app\n");
                HttpResponse<String> missing = http.send(
                        HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + "/nope"))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
                assertThat(missing.statusCode()).isEqualTo(404);

                CompletableFuture<String> reply = new CompletableFuture<>();
                WebSocket ws = http.newWebSocketBuilder()
                        .buildAsync(
                                URI.create("ws://127.0.0.1:" + port + "/connect/demo?sessionId=s1"),
                                new WebSocket.Listener() {
                                    @Override
                                    public CompletionStage<?> onText(
                                            WebSocket webSocket, CharSequence data, boolean last) {
                                        reply.complete(data.toString());
                                        return null;
                                    }
                                })
                        .get(5, TimeUnit.SECONDS);
                ws.sendText(
                        "{\"type\":\"connect\",\"connectRequestId\":\"c1\",\"lastServerClock\":-1,"
                                + "\"protocolVersion\":8,\"schema\":"
                                + Json.stringify(TldrawSchema.defaults().serialize()) + "}",
                        true);
                assertThat(reply.get(5, TimeUnit.SECONDS))
                        .contains("\"type\":\"connect\"", "\"connectRequestId\":\"c1\"");
                ws.abort();
            } finally {
                server.stop();
            }
        }
    }
}
