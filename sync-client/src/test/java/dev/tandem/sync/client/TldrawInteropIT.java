package dev.tandem.sync.client;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.sync.client.testing.NodeProcess;
import dev.tandem.sync.core.Json;
import dev.tandem.sync.server.TandemServer;
import java.io.IOException;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.UUID;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A Java {@link SyncClient} and tldraw's own {@code TLSyncClient} (npm {@code @tldraw/sync-core} 5.4.2,
 * driven by {@code src/test/node/tldraw-peer.mjs}) in one room, on tldraw's own server ({@code
 * TLSocketRoom}, sync-server-jetty's {@code tldraw-server.mjs}) and on a Tandem server: both sides edit,
 * rename each other's records, delete, send a chunked record, and converge. The npm packages are installed
 * by sync-server-jetty's {@code it} profile.
 */
class TldrawInteropIT {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);
    private static final Path PEER =
            Path.of("src", "test", "node", "tldraw-peer.mjs").toAbsolutePath();

    private NodeProcess tldrawServer;
    private TandemServer tandemServer;
    private NodeProcess peer;
    private SyncClient client;

    @BeforeEach
    void requireNpmPackages() {
        assertThat(NodeProcess.TLDRAW_NODE_DIR.resolve("node_modules/@tldraw/sync-core"))
                .as("npm packages (run with -Pit, which runs npm ci in %s)", NodeProcess.TLDRAW_NODE_DIR)
                .exists();
    }

    @AfterEach
    void stop() {
        if (client != null) {
            client.close();
        }
        if (peer != null) {
            peer.close();
        }
        if (tldrawServer != null) {
            tldrawServer.close();
        }
        if (tandemServer != null) {
            tandemServer.close();
        }
    }

    @Test
    void javaAndTldrawClients_onTldrawServer_converge() throws Exception {
        tldrawServer = NodeProcess.start(
                "tldraw-server",
                NodeProcess.TLDRAW_NODE_DIR,
                NodeProcess.TLDRAW_NODE_DIR.resolve("tldraw-server.mjs"),
                List.of("0"),
                Map.of());
        int port = Integer.parseInt(tldrawServer.expect("listening ", TIMEOUT).substring("listening ".length()));
        converge(URI.create("http://127.0.0.1:" + port + "/"));
    }

    @Test
    void javaAndTldrawClients_onTandemServer_converge() throws Exception {
        tandemServer = TandemServer.builder().port(0).build().start();
        converge(tandemServer.uri());
    }

    private void converge(URI base) throws Exception {
        String room = "interop-" + UUID.randomUUID();
        client = SyncClient.builder()
                .baseUrl(base)
                .roomId(room)
                .schema(tldrawSchema())
                .build();
        peer = NodeProcess.start(
                "tldraw-peer",
                NodeProcess.TLDRAW_NODE_DIR,
                PEER,
                List.of(base.toString().replaceFirst("^http", "ws") + "connect/" + room),
                Map.of("TLDRAW_NODE_DIR", NodeProcess.TLDRAW_NODE_DIR.toString()));
        peer.expect("ready", TIMEOUT);
        await().atMost(TIMEOUT).until(() -> client.status().equals(SyncStatus.ONLINE));

        // both create a page
        client.store().put(page("page:java", "Java page", "a2"));
        peer.send("put " + Json.stringify(page("page:node", "Node page", "a3")));
        awaitConverged(docs -> assertThat(docs).containsKeys("page:java", "page:node"));

        // each renames the other's page at once; the tldraw side deletes the default page; Java sends a
        // record large enough to be chunked
        client.store().update("page:node", r -> with(r, "name", "renamed by java"));
        peer.send("update page:java {\"name\":\"renamed by node\"}");
        peer.send("remove page:page");
        String big = "x".repeat(300_000);
        client.store().put(with(page("page:big", "Big page", "a4"), "meta", Map.of("blob", big)));
        awaitConverged(docs -> {
            assertThat(docs.get("page:java").get("name")).isEqualTo("renamed by node");
            assertThat(docs.get("page:node").get("name")).isEqualTo("renamed by java");
            assertThat(docs).doesNotContainKey("page:page");
            assertThat(docs).containsKey("page:big");
        });

        // a burst of concurrent edits to one record from both sides
        for (int i = 0; i < 20; i++) {
            int n = i;
            client.store().update("page:java", r -> with(r, "name", "java " + n));
            peer.send("update page:java {\"name\":\"node " + i + "\"}");
        }
        client.store().remove("page:big");
        awaitConverged(docs -> assertThat(docs).doesNotContainKey("page:big"));
    }

    /** Waits until the Java store's documents equal the tldraw client's, and they pass {@code check}. */
    private void awaitConverged(java.util.function.Consumer<Map<String, Map<String, Object>>> check) {
        await().atMost(TIMEOUT).pollInterval(Duration.ofMillis(100)).untilAsserted(() -> {
            peer.send("dump");
            @SuppressWarnings("unchecked")
            Map<String, Map<String, Object>> node = (Map<String, Map<String, Object>>)
                    Json.parse(peer.expect("dump ", TIMEOUT).substring("dump ".length()));
            Map<String, Map<String, Object>> java = new TreeMap<>();
            for (Map<String, Object> r : client.store().all()) {
                if (!"instance_presence".equals(r.get("typeName"))) {
                    java.put((String) r.get("id"), r);
                }
            }
            assertThat(client.hasUnconfirmedChanges()).isFalse();
            assertThat(new TreeMap<>(node)).isEqualTo(java);
            check.accept(java);
        });
    }

    static Map<String, Object> page(String id, String name, String index) {
        Map<String, Object> r = new LinkedHashMap<>();
        r.put("id", id);
        r.put("typeName", "page");
        r.put("name", name);
        r.put("index", index);
        r.put("meta", Map.of());
        return r;
    }

    static Map<String, Object> with(Map<String, Object> record, String key, Object value) {
        Map<String, Object> r = new LinkedHashMap<>(record);
        r.put(key, value);
        return r;
    }

    @SuppressWarnings("unchecked")
    static Map<String, Object> tldrawSchema() throws IOException {
        Path file = Path.of("..", "sync-server-jetty", "src", "test", "resources", "tldraw-5.4.2-schema.json");
        Map<String, Object> json = (Map<String, Object>) Json.parse(Files.readString(file, StandardCharsets.UTF_8));
        return (Map<String, Object>) json.get("schema");
    }
}
