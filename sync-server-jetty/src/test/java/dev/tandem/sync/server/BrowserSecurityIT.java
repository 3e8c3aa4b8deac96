package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * What a web page the user visits may do to a default server on loopback (no authentication): nothing. Cross-site
 * WebSocket upgrades and state-changing requests are refused by their {@code Origin}, DNS-rebound requests by their
 * {@code Host}, simple (non-JSON) bodies by their content type, and Jetty's own errors are JSON. Clients without an
 * {@code Origin} (Node's {@code ws}, the Java client) and pages of the server itself keep working. Raw sockets, so
 * that every header is exactly what a browser would send.
 */
class BrowserSecurityIT {
    private static final String PUSH =
            "{\"events\":[{\"id\":\"csrf-1\",\"roomId\":\"csrf-room\",\"recordId\":\"note:csrf\","
                    + "\"typeName\":\"note\",\"operation\":\"create\",\"record\":{\"id\":\"note:csrf\",\"typeName\":\"note\"},"
                    + "\"clientTime\":1}]}";

    private TandemServer server;

    private void start(TandemServer.Builder builder) {
        server = builder.port(0)
                .roomOptions(RoomOptions.builder()
                        .schema(RoomSchema.pinned())
                        .batchInterval(Duration.ZERO)
                        .build())
                .build()
                .start();
    }

    private void start() {
        start(TandemServer.builder());
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private String host() {
        return "127.0.0.1:" + server.port();
    }

    /** Sends one request on a new connection and returns the first response: status line, headers, body. */
    private String exchange(String head, String body) throws Exception {
        try (Socket raw = new Socket("127.0.0.1", server.port())) {
            raw.setSoTimeout(10_000);
            OutputStream out = raw.getOutputStream();
            byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
            out.write((head + (bytes.length > 0 ? "Content-Length: " + bytes.length + "\r\n" : "") + "\r\n")
                    .getBytes(StandardCharsets.US_ASCII));
            out.write(bytes);
            out.flush();
            InputStream in = raw.getInputStream();
            StringBuilder response = new StringBuilder();
            while (!response.toString().endsWith("\r\n\r\n")) {
                int c = in.read();
                if (c < 0) {
                    return response.toString();
                }
                response.append((char) c);
            }
            Matcher m = Pattern.compile("(?i)content-length: *(\\d+)").matcher(response);
            if (m.find()) {
                response.append(new String(in.readNBytes(Integer.parseInt(m.group(1))), StandardCharsets.UTF_8));
            }
            return response.toString();
        }
    }

    private String push(String host, @Nullable String origin, String contentType) throws Exception {
        return exchange(
                "POST /sync/push HTTP/1.1\r\nHost: " + host + "\r\n"
                        + (origin == null ? "" : "Origin: " + origin + "\r\n")
                        + "Content-Type: " + contentType + "\r\n",
                PUSH);
    }

    private String upgrade(String host, @Nullable String origin) throws Exception {
        String key = Base64.getEncoder().encodeToString("0123456789abcdef".getBytes(StandardCharsets.US_ASCII));
        return exchange(
                "GET /connect/ws-room?sessionId=s1 HTTP/1.1\r\nHost: " + host + "\r\n"
                        + (origin == null ? "" : "Origin: " + origin + "\r\n")
                        + "Upgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: " + key
                        + "\r\nSec-WebSocket-Version: 13\r\n",
                "");
    }

    // ------------------------------------------------------------------ Origin

    @Test
    void upgrade_fromAnotherSite_isRefused403BeforeUpgrading() throws Exception {
        start();
        assertThat(upgrade(host(), "https://evil.example"))
                .startsWith("HTTP/1.1 403 ")
                .contains("{\"error\":\"ORIGIN_NOT_ALLOWED\",\"message\":\"origin https://evil.example is not allowed;"
                        + " list it in --allowed-origins\"}");
    }

    @Test
    void upgrade_withoutOrigin_sameOrigin_orLoopbackPage_isAccepted() throws Exception {
        start();
        assertThat(upgrade(host(), null)).startsWith("HTTP/1.1 101 ");
        assertThat(upgrade(host(), "http://" + host())).startsWith("HTTP/1.1 101 ");
        assertThat(upgrade(host(), "http://localhost:5173")).startsWith("HTTP/1.1 101 ");
    }

    @Test
    void upgrade_fromAListedOrigin_isAccepted_andAnyOtherRefused() throws Exception {
        start(TandemServer.builder().allowedOrigins(AllowedOrigins.of(java.util.List.of("https://app.example"))));
        assertThat(upgrade(host(), "https://app.example")).startsWith("HTTP/1.1 101 ");
        assertThat(upgrade(host(), "https://evil.example")).startsWith("HTTP/1.1 403 ");
    }

    @Test
    void upgrade_anyOriginAllowed_acceptsEveryOrigin() throws Exception {
        start(TandemServer.builder().allowedOrigins(AllowedOrigins.any()));
        assertThat(upgrade(host(), "https://evil.example")).startsWith("HTTP/1.1 101 ");
    }

    @Test
    void push_fromAnotherSite_isRefused403_andNothingIsWritten() throws Exception {
        start();
        assertThat(push(host(), "https://evil.example", "application/json"))
                .startsWith("HTTP/1.1 403 ")
                .contains("\"error\":\"ORIGIN_NOT_ALLOWED\"");
        assertThat(exchange("GET /rooms/csrf-room/snapshot HTTP/1.1\r\nHost: " + host() + "\r\n", ""))
                .startsWith("HTTP/1.1 404 ");
    }

    @Test
    void restore_fromAnotherSite_isRefused403() throws Exception {
        start();
        assertThat(exchange(
                        "POST /rooms/r/versions/1/restore HTTP/1.1\r\nHost: " + host()
                                + "\r\nOrigin: https://evil.example\r\n",
                        ""))
                .startsWith("HTTP/1.1 403 ")
                .contains("\"error\":\"ORIGIN_NOT_ALLOWED\"");
    }

    @Test
    void push_sameOrigin_isApplied() throws Exception {
        start();
        assertThat(push(host(), "http://" + host(), "application/json"))
                .startsWith("HTTP/1.1 200 ")
                .contains("\"status\":\"applied\"");
    }

    // ------------------------------------------------------------------ Content-Type

    @ParameterizedTest
    @ValueSource(strings = {"text/plain", "application/x-www-form-urlencoded", "multipart/form-data; boundary=x"})
    void push_simpleContentType_isRefused415(String contentType) throws Exception {
        start();
        assertThat(push(host(), null, contentType))
                .startsWith("HTTP/1.1 415 ")
                .contains("{\"error\":\"UNSUPPORTED_MEDIA_TYPE\",\"message\":\"the body must be sent as Content-Type:"
                        + " application/json but was " + contentType + "\"}");
    }

    @Test
    void snapshotPut_textPlain_isRefused415() throws Exception {
        start();
        assertThat(exchange(
                        "PUT /rooms/r/snapshot HTTP/1.1\r\nHost: " + host() + "\r\nContent-Type: text/plain\r\n",
                        "{\"documents\":[]}"))
                .startsWith("HTTP/1.1 415 ")
                .contains("\"error\":\"UNSUPPORTED_MEDIA_TYPE\"");
    }

    // ------------------------------------------------------------------ Host (DNS rebinding)

    @Test
    void request_reboundHostOnLoopback_isRefused403() throws Exception {
        start();
        assertThat(exchange("GET /rooms/r/snapshot HTTP/1.1\r\nHost: attacker.example\r\n", ""))
                .startsWith("HTTP/1.1 403 ")
                .contains("{\"error\":\"HOST_NOT_ALLOWED\",\"message\":\"host attacker.example is not allowed on a"
                        + " loopback server; list its origin in --allowed-origins\"}");
        assertThat(upgrade("attacker.example:" + server.port(), "http://attacker.example:" + server.port()))
                .startsWith("HTTP/1.1 403 ")
                .contains("\"error\":\"HOST_NOT_ALLOWED\"");
    }

    @Test
    void request_loopbackHosts_areServed() throws Exception {
        start();
        for (String host : new String[] {host(), "localhost:" + server.port(), "[::1]:" + server.port()}) {
            assertThat(exchange("GET /healthz HTTP/1.1\r\nHost: " + host + "\r\n", ""))
                    .as(host)
                    .startsWith("HTTP/1.1 200 ");
        }
    }

    // ------------------------------------------------------------------ Jetty's errors

    @Test
    void jettyError_isJson_withoutServerVersion() throws Exception {
        start();
        String response = exchange("GET /rooms/a%2Fb/snapshot HTTP/1.1\r\nHost: " + host() + "\r\n", "");
        assertThat(response)
                .startsWith("HTTP/1.1 400 ")
                .containsIgnoringCase("content-type: application/json")
                .contains("{\"error\":\"BAD_REQUEST\",\"message\":")
                .doesNotContain("Jetty")
                .doesNotContain("<html");
    }
}
