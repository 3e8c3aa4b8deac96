package dev.tandem.examples.spring;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.web.server.LocalServerPort;
import org.springframework.test.context.DynamicPropertyRegistry;
import org.springframework.test.context.DynamicPropertySource;
import tools.jackson.databind.JsonNode;
import tools.jackson.databind.json.JsonMapper;

/**
 * The example application on a random port, its rooms in SQLite through the application's {@code DataSource}:
 * tldraw's own sync clients (npm {@code @tldraw/sync-core}, driven by sync-server-jetty's {@code interop.mjs},
 * whose packages the {@code it} profile installs) connect through it, a push commits and reaches the other
 * clients, and the room's commits land in the application's database; then Actuator's health shows the Tandem store UP and its metrics list Tandem's meters, with the
 * commits counted.
 */
@SpringBootTest(webEnvironment = SpringBootTest.WebEnvironment.RANDOM_PORT)
class TandemSpringBootAppIT {
    private static final Logger LOG = LoggerFactory.getLogger(TandemSpringBootAppIT.class);
    private static final Path NODE_DIR = Path.of("..", "sync-server-jetty", "src", "test", "node");
    private static final Duration TIMEOUT = Duration.ofSeconds(90);
    private static final JsonMapper JSON = JsonMapper.builder().build();

    @TempDir
    static Path data;

    @DynamicPropertySource
    static void database(DynamicPropertyRegistry registry) {
        registry.add(
                "spring.datasource.url",
                () -> "jdbc:sqlite:" + data.resolve("app.db")
                        + "?journal_mode=WAL&synchronous=FULL&busy_timeout=10000");
        registry.add("tandem.data", () -> data.resolve("tandem").toString());
    }

    @LocalServerPort
    int port;

    @Autowired
    DataSource dataSource;

    private final HttpClient http = HttpClient.newHttpClient();

    @Test
    void tldrawClients_syncThroughTheSpringApp_andActuatorShowsTandem() throws Exception {
        assertThat(NODE_DIR.resolve("node_modules/@tldraw/sync-core"))
                .as("npm packages (run with -Pit, which runs npm ci in sync-server-jetty)")
                .isDirectory();

        // the application's own route still answers behind Tandem's
        HttpResponse<String> hello = get("/hello");
        assertThat(hello.statusCode()).isEqualTo(200);
        assertThat(hello.body()).isEqualTo("hello from the Spring app");

        List<String> lines = runNode("three-clients-converge");
        List<JsonNode> results = new ArrayList<>();
        for (String line : lines) {
            if (line.startsWith("{\"scenario\"")) {
                results.add(JSON.readTree(line));
            }
        }
        assertThat(results).as("scenario lines").hasSize(1);
        assertThat(results.get(0).path("pass").asBoolean())
                .as("scenario result: %s", results.get(0))
                .isTrue();

        // the room's commits are in the application's own SQLite database
        await().atMost(Duration.ofSeconds(15))
                .untilAsserted(() -> assertThat(documentClock("three-clients-converge-%"))
                        .as("document clock of the room in the app's database")
                        .isGreaterThan(0));

        JsonNode health = JSON.readTree(get("/actuator/health").body());
        assertThat(health.path("status").asString()).isEqualTo("UP");
        JsonNode tandem = health.path("components").path("tandem");
        assertThat(tandem.path("status").asString())
                .as("tandem health: %s", health)
                .isEqualTo("UP");
        assertThat(tandem.path("details").path("storeType").asString()).isEqualTo("JdbcStore");

        JsonNode names = JSON.readTree(get("/actuator/metrics").body()).path("names");
        List<String> meterNames = new ArrayList<>();
        names.forEach(n -> meterNames.add(n.asString()));
        assertThat(meterNames)
                .contains(
                        "tandem.commits",
                        "tandem.sessions.connected",
                        "tandem.websocket.connections",
                        "tandem.store.healthy",
                        "tandem.store.commits");
        assertThat(measurement("tandem.commits")).as("document commits").isGreaterThan(0);
        assertThat(measurement("tandem.sessions.connected"))
                .as("sessions connected")
                .isGreaterThanOrEqualTo(3);
        assertThat(measurement("tandem.store.commits"))
                .as("commits written to SQLite")
                .isGreaterThan(0);
        assertThat(measurement("tandem.store.healthy")).isEqualTo(1.0);

        String prometheus = get("/actuator/prometheus").body();
        assertThat(prometheus).contains("tandem_commits_total");
    }

    private long documentClock(String roomIdPattern) throws SQLException {
        try (Connection c = dataSource.getConnection();
                PreparedStatement st =
                        c.prepareStatement("SELECT MAX(document_clock) FROM rooms WHERE room_id LIKE ?")) {
            st.setString(1, roomIdPattern);
            try (ResultSet rs = st.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    private double measurement(String meter) throws IOException, InterruptedException {
        JsonNode m = JSON.readTree(get("/actuator/metrics/" + meter).body());
        return m.path("measurements").path(0).path("value").asDouble(-1);
    }

    private HttpResponse<String> get(String path) throws IOException, InterruptedException {
        return http.send(
                HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path))
                        .timeout(Duration.ofSeconds(10))
                        .build(),
                HttpResponse.BodyHandlers.ofString());
    }

    private List<String> runNode(String scenario) throws IOException, InterruptedException {
        ProcessBuilder pb = new ProcessBuilder("node", "interop.mjs", "http://127.0.0.1:" + port, scenario)
                .directory(NODE_DIR.toFile())
                .redirectErrorStream(true);
        pb.environment().put("NODE_ENV", "test");
        Process process = pb.start();
        List<String> lines = new CopyOnWriteArrayList<>();
        Thread reader = new Thread(
                () -> {
                    try (BufferedReader r = new BufferedReader(
                            new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                        for (String line; (line = r.readLine()) != null; ) {
                            LOG.info("node: {}", line);
                            lines.add(line);
                        }
                    } catch (IOException e) {
                        LOG.warn("reading node output failed", e);
                    }
                },
                "node-output");
        reader.setDaemon(true);
        reader.start();
        boolean finished = process.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        if (!finished) {
            process.destroyForcibly();
        }
        reader.join(TimeUnit.SECONDS.toMillis(5));
        assertThat(finished).as("node finished within %s", TIMEOUT).isTrue();
        assertThat(process.exitValue()).as("node exit code; output: %s", lines).isZero();
        return lines;
    }
}
