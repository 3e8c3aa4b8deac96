package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.RoomManager;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.eclipse.jetty.util.Callback;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link TandemRoutes} mounted in front of an application's handler in the application's own Jetty server. */
class TandemRoutesIT {
    private final RoomStore store = RoomStore.inMemory();
    private final RoomManager rooms =
            RoomManager.create(RoomOptions.builder().store(store).build());
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
    private final HttpClient http = HttpClient.newHttpClient();
    private Server server;
    private ServerConnector connector;

    /** The application: answers every path it gets with its own body, so a request it receives is visible. */
    static final class App extends Handler.Abstract.NonBlocking {
        @Override
        public boolean handle(Request request, Response response, Callback callback) {
            response.setStatus(Request.getPathInContext(request).equals("/hello") ? 200 : 404);
            response.getHeaders().put(HttpHeader.CONTENT_TYPE, "text/plain;charset=utf-8");
            Content.Sink.write(response, true, "app: " + Request.getPathInContext(request), callback);
            return true;
        }
    }

    @BeforeEach
    void start() throws Exception {
        server = new Server();
        connector = new ServerConnector(server);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        server.addConnector(connector);
        TandemMetrics metrics = TandemMetrics.create(registry);
        server.setHandler(TandemRoutes.builder(rooms)
                .store(store)
                .metrics(metrics)
                .build()
                .mount(server, new App()));
        server.start();
    }

    @AfterEach
    void stop() throws Exception {
        server.stop();
        rooms.close();
        store.close();
    }

    @Test
    void appPaths_reachTheApplication() throws Exception {
        HttpResponse<String> hello = get("/hello");
        assertThat(hello.statusCode()).isEqualTo(200);
        assertThat(hello.body()).isEqualTo("app: /hello");
        HttpResponse<String> other = get("/not-tandem");
        assertThat(other.statusCode()).isEqualTo(404);
        assertThat(other.body()).isEqualTo("app: /not-tandem");
    }

    @Test
    void metricsPath_isLeftToTheApplication() throws Exception {
        assertThat(get("/metrics").body()).isEqualTo("app: /metrics");
    }

    @Test
    void tandemPaths_areAnsweredByTandem() throws Exception {
        HttpResponse<String> health = get("/healthz");
        assertThat(health.statusCode()).isEqualTo(200);
        assertThat(health.body()).contains("\"status\"");
        HttpResponse<String> snapshot = get("/rooms/no-such-room/snapshot");
        assertThat(snapshot.statusCode()).isEqualTo(404);
        assertThat(snapshot.body()).contains("ROOM_NOT_FOUND");
        HttpResponse<String> connect = get("/connect/room-1");
        assertThat(connect.statusCode()).isEqualTo(400);
        assertThat(connect.body()).contains("UPGRADE_REQUIRED");
    }

    @Test
    void mount_registersGaugesInTheGivenRegistry() {
        assertThat(registry.find("tandem.websocket.connections").gauge()).isNotNull();
        assertThat(registry.find("tandem.rooms.loaded").gauge()).isNotNull();
        assertThat(registry.find("tandem.store.healthy").gauge().value()).isEqualTo(1.0);
    }

    private HttpResponse<String> get(String path) throws Exception {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + connector.getLocalPort() + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
