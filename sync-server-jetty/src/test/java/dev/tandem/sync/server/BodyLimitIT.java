package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.server.internal.http.BodyDrain;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A body over its limit is answered, and the client reads the answer: a small one is drained before the answer
 * ({@link BodyDrain}), so closing the connection after it never resets a client that sent its whole body before
 * reading. Raw sockets, so that the client sends exactly what each test says and reads the answer byte by byte.
 */
class BodyLimitIT {
    private static final int LIMIT = 1024;

    private TandemServer server;

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private void start(NodeBudget budget) {
        server = TandemServer.builder()
                .port(0)
                .maxBodyBytes(LIMIT)
                .roomOptions(RoomOptions.builder()
                        .schema(RoomSchema.pinned())
                        .store(RoomStore.inMemory())
                        .build())
                .budget(budget)
                .build()
                .start();
    }

    @Test
    void declaredOverLimit_sentWholeBeforeReading_getsThe413EveryTime() throws Exception {
        start(NodeBudget.defaults());
        byte[] body = "x".repeat(20_000).getBytes(StandardCharsets.UTF_8);
        // without the drain the server closes with the body unread and the client often reads a reset instead
        for (int i = 0; i < 20; i++) {
            String answer = exchange(head("PUT", "/rooms/e/snapshot", "Content-Length: " + body.length), body, true);

            assertThat(answer).as("answer %d", i).startsWith("HTTP/1.1 413 ");
            assertThat(answer).contains("Connection: close").contains("\"error\":\"BODY_TOO_LARGE\"");
        }
    }

    @Test
    void declaredOverLimit_fromTheJdkClient_getsThe413EveryTime() throws Exception {
        start(NodeBudget.defaults());
        HttpClient http = HttpClient.newHttpClient();
        String body = "{\"owner\":\"" + "a".repeat(20_000) + "\"}";
        // the JDK client sends the body after the head, in parts: the answer must wait for the last part
        for (int i = 0; i < 50; i++) {
            HttpResponse<String> answer = http.send(
                    HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + "/rooms/e/snapshot"))
                            .header("Content-Type", "application/json")
                            .PUT(HttpRequest.BodyPublishers.ofString(body))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());

            assertThat(answer.statusCode()).as("answer %d", i).isEqualTo(413);
            assertThat(answer.body()).contains("\"error\":\"BODY_TOO_LARGE\"");
        }
    }

    @Test
    void declaredOverLimit_onTheAsyncPushRoute_getsThe413EveryTime() throws Exception {
        start(NodeBudget.defaults());
        byte[] body = ("{\"events\":[" + "1,".repeat(10_000) + "1]}").getBytes(StandardCharsets.UTF_8);
        for (int i = 0; i < 20; i++) {
            String answer = exchange(head("POST", "/sync/push", "Content-Length: " + body.length), body, true);

            assertThat(answer).as("answer %d", i).startsWith("HTTP/1.1 413 ");
            assertThat(answer).contains("\"error\":\"BODY_TOO_LARGE\"");
        }
    }

    @Test
    void chunkedOverLimit_isReadToItsEndThenAnswered413() throws Exception {
        start(NodeBudget.defaults());
        StringBuilder chunked = new StringBuilder();
        for (int i = 0; i < 8; i++) {
            chunked.append("1f4\r\n").append("y".repeat(500)).append("\r\n");
        }
        byte[] body = chunked.append("0\r\n\r\n").toString().getBytes(StandardCharsets.US_ASCII);
        for (String path : new String[] {"/rooms/e/snapshot", "/sync/push"}) {
            String answer = exchange(
                    head(path.startsWith("/sync") ? "POST" : "PUT", path, "Transfer-Encoding: chunked"), body, true);

            assertThat(answer).as(path).startsWith("HTTP/1.1 413 ");
            assertThat(answer).contains("\"error\":\"BODY_TOO_LARGE\"");
        }
    }

    @Test
    void overLimit_whoseSenderStopsMidway_isAnsweredOnceTheDrainGivesUp() throws Exception {
        start(NodeBudget.defaults());
        byte[] half = "z".repeat(5_000).getBytes(StandardCharsets.UTF_8);

        String answer = exchange(head("PUT", "/rooms/e/snapshot", "Content-Length: 10000"), half, false);

        assertThat(answer).startsWith("HTTP/1.1 413 ");
        assertThat(answer).contains("Connection: close").contains("\"error\":\"BODY_TOO_LARGE\"");
    }

    @Test
    void refusedByTheGuard_withASmallBody_getsThe429() throws Exception {
        start(NodeBudget.builder().httpRequestRate(1, 1).build());
        byte[] body = "{\"events\":[]}".getBytes(StandardCharsets.UTF_8);
        String first = exchange(head("POST", "/sync/push", "Content-Length: " + body.length), body, true);
        assertThat(first).startsWith("HTTP/1.1 200 ");
        byte[] large = ("{\"events\":[" + "1,".repeat(10_000) + "1]}").getBytes(StandardCharsets.UTF_8);

        String limited = exchange(head("POST", "/sync/push", "Content-Length: " + large.length), large, true);

        assertThat(limited).startsWith("HTTP/1.1 429 ");
        assertThat(limited).contains("Retry-After: 1").contains("\"error\":\"RATE_LIMITED\"");
    }

    private String head(String method, String path, String framing) {
        return method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                + "\r\nContent-Type: application/json\r\n" + framing + "\r\n\r\n";
    }

    /**
     * Sends the head and {@code body}, then reads the answer up to the end of the connection, which the server
     * closes after an error; {@code whole} says the body is complete, else the connection stays open for writing.
     */
    private String exchange(String head, byte[] body, boolean whole) throws IOException {
        try (Socket socket = new Socket("127.0.0.1", server.port())) {
            socket.setSoTimeout((int) Duration.ofSeconds(10).toMillis());
            OutputStream out = socket.getOutputStream();
            out.write(head.getBytes(StandardCharsets.US_ASCII));
            out.write(body);
            out.flush();
            InputStream in = socket.getInputStream();
            ByteArrayOutputStream answer = new ByteArrayOutputStream();
            byte[] buffer = new byte[8192];
            for (int n = in.read(buffer); n >= 0; n = in.read(buffer)) {
                answer.write(buffer, 0, n);
                if (whole && complete(answer.toString(StandardCharsets.UTF_8))) {
                    break;
                }
            }
            return answer.toString(StandardCharsets.UTF_8);
        }
    }

    /** Returns whether a kept-alive answer is complete: its head and as many body bytes as it declares. */
    private static boolean complete(String answer) {
        int end = answer.indexOf("\r\n\r\n");
        int at = answer.indexOf("Content-Length: ");
        if (end < 0 || at < 0 || at > end) {
            return false;
        }
        int length = Integer.parseInt(
                answer.substring(at + 16, answer.indexOf("\r\n", at)).trim());
        return answer.length() - end - 4 >= length;
    }
}
