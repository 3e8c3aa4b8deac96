package dev.tandem.sync.client.internal.offline;

import dev.tandem.sync.client.SyncWorker;
import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.PushEvent;
import dev.tandem.sync.core.internal.protocol.OfflineCodec;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * The default push and pull handlers: {@code POST /sync/push} and {@code POST /sync/pull} with {@code
 * java.net.http}. Any answer but a well-formed 200 is an {@link IOException}. Thread-safe.
 */
public final class HttpHandlers {
    private static final Duration CONNECT_TIMEOUT = Duration.ofSeconds(10);
    private static final Duration REQUEST_TIMEOUT = Duration.ofSeconds(60);
    private static final int MAX_ERROR_CHARS = 300;

    private final URI push;
    private final URI pull;
    private final Map<String, String> headers;
    private final HttpClient http;

    public HttpHandlers(URI baseUrl, Map<String, String> headers) {
        String base = baseUrl.toString().endsWith("/") ? baseUrl.toString() : baseUrl + "/";
        this.push = URI.create(base + "sync/push");
        this.pull = URI.create(base + "sync/pull");
        this.headers = Map.copyOf(headers);
        this.http = HttpClient.newBuilder()
                .connectTimeout(CONNECT_TIMEOUT)
                .version(HttpClient.Version.HTTP_1_1)
                .build();
    }

    /** {@link SyncWorker.PushHandler#push}. */
    public List<EventResult> push(List<PushEvent> events) throws IOException {
        List<Object> json = new ArrayList<>(events.size());
        for (PushEvent e : events) {
            json.add(OfflineCodec.eventJson(e));
        }
        Map<?, ?> reply = post(push, Map.of("events", json));
        if (!(reply.get("results") instanceof List<?> results)) {
            throw new IOException("POST " + push + " answered without results");
        }
        Set<String> sent = new HashSet<>();
        for (PushEvent e : events) {
            sent.add(e.id());
        }
        List<EventResult> out = new ArrayList<>(results.size());
        for (int i = 0; i < results.size(); i++) {
            Object r = results.get(i);
            if (r instanceof Map<?, ?> m && "retry".equals(m.get("status"))) {
                continue; // not answered: stays in the outbox
            }
            try {
                EventResult result = OfflineCodec.decodeResult(r, "results[" + i + "]");
                if (sent.contains(result.id())) {
                    out.add(result);
                }
            } catch (RuntimeException bad) {
                throw new IOException("POST " + push + " answered a malformed result: " + bad.getMessage(), bad);
            }
        }
        return out;
    }

    /** {@link SyncWorker.PullHandler#pull}. */
    public SyncWorker.PullResult pull(@Nullable String cursor, List<String> rooms, int limit) throws IOException {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("cursor", cursor);
        body.put("rooms", rooms);
        body.put("limit", (long) limit);
        Map<?, ?> reply = post(pull, body);
        try {
            List<SyncWorker.PulledChange> changes = new ArrayList<>();
            for (Object c : (List<?>) reply.get("changes")) {
                Map<?, ?> m = (Map<?, ?>) c;
                boolean deleted = "delete".equals(m.get("operation"));
                @SuppressWarnings("unchecked")
                Map<String, Object> record = deleted ? null : (Map<String, Object>) m.get("record");
                changes.add(new SyncWorker.PulledChange(
                        (String) m.get("roomId"), (String) m.get("recordId"), (String) m.get("typeName"), record));
            }
            Set<String> resync = new HashSet<>();
            if (reply.get("resync") instanceof List<?> r) {
                for (Object room : r) {
                    resync.add((String) room);
                }
            }
            return new SyncWorker.PullResult(
                    changes, (String) reply.get("cursor"), Boolean.TRUE.equals(reply.get("hasMore")), resync);
        } catch (RuntimeException bad) {
            throw new IOException("POST " + pull + " answered a malformed page: " + bad, bad);
        }
    }

    private Map<?, ?> post(URI uri, Object body) throws IOException {
        HttpRequest.Builder request = HttpRequest.newBuilder(uri)
                .timeout(REQUEST_TIMEOUT)
                .header("Content-Type", "application/json")
                .POST(HttpRequest.BodyPublishers.ofString(Json.stringify(body)));
        headers.forEach(request::header);
        HttpResponse<String> response;
        try {
            response = http.send(request.build(), HttpResponse.BodyHandlers.ofString());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for " + uri, e);
        }
        if (response.statusCode() != 200) {
            String text = response.body();
            throw new IOException("POST " + uri + " answered " + response.statusCode() + ": "
                    + (text.length() > MAX_ERROR_CHARS ? text.substring(0, MAX_ERROR_CHARS) + "…" : text));
        }
        try {
            if (Json.parse(response.body()) instanceof Map<?, ?> m) {
                return m;
            }
        } catch (IllegalArgumentException e) {
            throw new IOException("POST " + uri + " answered malformed JSON: " + e.getMessage(), e);
        }
        throw new IOException("POST " + uri + " answered JSON that is not an object");
    }
}
