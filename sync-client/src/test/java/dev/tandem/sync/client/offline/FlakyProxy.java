package dev.tandem.sync.client.offline;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.util.concurrent.Executors;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * An HTTP proxy in front of a server for tests. Modes: {@link Mode#PASS}, {@link Mode#OFFLINE} (every request
 * gets 503 and nothing reaches the server) and {@link Mode#EVERY_OTHER_FAILS} (every second request fails,
 * alternately before it reaches the server and after the server answered, so the answer is lost).
 */
final class FlakyProxy implements AutoCloseable {
    enum Mode {
        PASS,
        OFFLINE,
        EVERY_OTHER_FAILS
    }

    private final HttpServer server;
    private final HttpClient http =
            HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
    private final URI target;
    private final AtomicInteger requests = new AtomicInteger();
    private final AtomicInteger failures = new AtomicInteger();
    private final AtomicInteger lostAnswers = new AtomicInteger();
    volatile Mode mode;

    FlakyProxy(URI target, Mode mode) throws IOException {
        this.target = target;
        this.mode = mode;
        this.server = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        server.setExecutor(Executors.newFixedThreadPool(4));
        server.createContext("/", this::handle);
        server.start();
    }

    URI uri() {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/");
    }

    int failures() {
        return failures.get();
    }

    int lostAnswers() {
        return lostAnswers.get();
    }

    private void handle(HttpExchange exchange) throws IOException {
        try (exchange) {
            byte[] body = exchange.getRequestBody().readAllBytes();
            int n = requests.incrementAndGet();
            Mode m = mode;
            boolean fail = m == Mode.OFFLINE || (m == Mode.EVERY_OTHER_FAILS && n % 2 == 0);
            boolean afterServer = m == Mode.EVERY_OTHER_FAILS && n % 4 == 0;
            if (fail && !afterServer) {
                failures.incrementAndGet();
                reply(exchange, 503, "{\"error\":\"PROXY\",\"message\":\"offline\"}");
                return;
            }
            HttpResponse<String> answer;
            try {
                answer = http.send(
                        HttpRequest.newBuilder(
                                        target.resolve(exchange.getRequestURI().getPath()))
                                .header("Content-Type", "application/json")
                                .POST(HttpRequest.BodyPublishers.ofByteArray(body))
                                .build(),
                        HttpResponse.BodyHandlers.ofString());
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
                throw new IOException(e);
            }
            if (fail) {
                failures.incrementAndGet();
                lostAnswers.incrementAndGet();
                reply(exchange, 502, "{\"error\":\"PROXY\",\"message\":\"answer lost\"}");
                return;
            }
            reply(exchange, answer.statusCode(), answer.body());
        }
    }

    private static void reply(HttpExchange exchange, int status, String body) throws IOException {
        byte[] bytes = body.getBytes(StandardCharsets.UTF_8);
        exchange.getResponseHeaders().set("Content-Type", "application/json");
        exchange.sendResponseHeaders(status, bytes.length);
        try (OutputStream out = exchange.getResponseBody()) {
            out.write(bytes);
        }
    }

    @Override
    public void close() {
        server.stop(0);
    }
}
