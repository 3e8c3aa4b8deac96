package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.CloseReason;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.function.IntSupplier;
import org.jspecify.annotations.Nullable;

/** Protocol helpers for the security tests: connect, push, and the checks that a room still works. */
final class SyncClients {
    static final Map<String, Object> SCHEMA = Map.of("schemaVersion", 2, "sequences", Map.of("com.example.note", 1));

    private final IntSupplier port;
    private int clientClock;

    SyncClients(TandemServer server) {
        this(server::port);
    }

    /** Clients of a server listening on {@code port} of 127.0.0.1 (routes mounted in another Jetty server). */
    SyncClients(IntSupplier port) {
        this.port = port;
    }

    URI uri(String route, String room, String sessionId, @Nullable String token) {
        String q = "?sessionId=" + sessionId;
        if (token != null) {
            q += "&token=" + URLEncoder.encode(token, StandardCharsets.UTF_8);
        }
        return URI.create("ws://127.0.0.1:" + port.getAsInt() + "/" + route + "/" + room + q);
    }

    /** Opens a socket (not yet connected to the room). */
    WebSocketRecorder open(String room, String sessionId, @Nullable String token) {
        return WebSocketRecorder.connect(uri("connect", room, sessionId, token));
    }

    /** Opens a socket and completes the handshake; returns the client and its connect reply. */
    WebSocketRecorder join(String room, String sessionId, @Nullable String token) {
        WebSocketRecorder c = open(room, sessionId, token);
        handshake(c);
        return c;
    }

    static Map<String, Object> handshake(WebSocketRecorder c) {
        c.send(connectMessage());
        return c.nextMessageMatching(m -> "connect".equals(m.get("type")));
    }

    static Map<String, Object> connectMessage() {
        return Map.of(
                "type",
                "connect",
                "connectRequestId",
                "req",
                "lastServerClock",
                -1,
                "protocolVersion",
                8,
                "schema",
                SCHEMA);
    }

    static Map<String, Object> note(String id, String text) {
        return Map.of("id", id, "typeName", "note", "text", text);
    }

    Map<String, Object> push(Map<String, Object> record) {
        return Map.of(
                "type",
                "push",
                "clientClock",
                clientClock++,
                "diff",
                Map.of((String) record.get("id"), List.of("put", record)));
    }

    /** Returns the events of a data frame, or the message itself. */
    @SuppressWarnings("unchecked")
    static List<Map<String, Object>> events(Map<String, Object> frame) {
        if ("data".equals(frame.get("type"))) {
            return (List<Map<String, Object>>) frame.get("data");
        }
        return List.of(frame);
    }

    /**
     * Waits for the push result of the client's last push and returns its action: {@code commit}, {@code discard},
     * or {@code rebaseWithDiff} when the server changed it.
     */
    @SuppressWarnings("unchecked")
    static String awaitPushResult(WebSocketRecorder c) {
        List<Map<String, Object>> found = new ArrayList<>();
        c.nextMessageMatching(m -> {
            for (Map<String, Object> e : events(m)) {
                if ("push_result".equals(e.get("type"))) {
                    found.add(e);
                    return true;
                }
            }
            return false;
        });
        Object action = found.get(0).get("action");
        return action instanceof Map<?, ?> m ? (String) m.keySet().iterator().next() : (String) action;
    }

    /** Waits until the client receives a patch that puts {@code id}. */
    @SuppressWarnings("unchecked")
    static void awaitPatchWith(WebSocketRecorder c, String id) {
        c.nextMessageMatching(m -> {
            for (Map<String, Object> e : events(m)) {
                if ("patch".equals(e.get("type")) && ((Map<String, Object>) e.get("diff")).containsKey(id)) {
                    return true;
                }
            }
            return false;
        });
    }

    /** Asserts the socket is closed with 4099 and the reason. */
    static void assertClosedWith(WebSocketRecorder c, CloseReason reason) {
        WebSocketRecorder.Closed closed = c.awaitClose();
        assertThat(closed.code()).as("close code").isEqualTo(CloseReason.CLOSE_CODE);
        assertThat(closed.reason()).as("close reason").isEqualTo(reason.wireName());
    }

    /**
     * Asserts that {@code writer} can still push and {@code reader} sees it, and that a new client of the room
     * finds every record in {@code expected} (nothing was lost) and none in {@code absent}.
     */
    @SuppressWarnings("unchecked")
    void assertRoomWorks(
            String room,
            WebSocketRecorder writer,
            WebSocketRecorder reader,
            @Nullable String token,
            List<String> expected,
            List<String> absent) {
        String id = "note:check-" + clientClock;
        writer.send(push(note(id, "still works")));
        assertThat(awaitPushResult(writer)).isEqualTo("commit");
        awaitPatchWith(reader, id);
        WebSocketRecorder fresh = open(room, "fresh-" + clientClock++, token);
        Map<String, Object> reply = handshake(fresh);
        Map<String, Object> diff = (Map<String, Object>) reply.get("diff");
        assertThat(diff).containsKeys(expected.toArray(String[]::new)).containsKey(id);
        assertThat(diff).doesNotContainKeys(absent.toArray(String[]::new));
        fresh.close();
    }
}
