package dev.tandem.sync.server;

import static dev.tandem.sync.server.SyncClients.assertClosedWith;
import static dev.tandem.sync.server.SyncClients.awaitPushResult;
import static dev.tandem.sync.server.SyncClients.note;
import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.Access;
import dev.tandem.sync.core.Authenticator;
import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.RoomAccess;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.server.internal.guard.GuardedAuthenticator;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import org.eclipse.jetty.server.Server;
import org.eclipse.jetty.server.ServerConnector;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A user's authenticator or room policy that throws, at a real server on a socket: the request it was asked about
 * is refused (not authenticated, forbidden) with the protocol's reason or an HTTP 4xx, the failure is counted and
 * logged, and every other session of the same room goes on as if nothing happened.
 */
class GuardedCallbacksIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();

    private final AtomicInteger authFailures = new AtomicInteger();
    private final AtomicInteger policyFailures = new AtomicInteger();
    private @Nullable TandemServer server;
    private @Nullable Server jetty;
    private @Nullable RoomStore store;
    private SyncClients clients;

    /** Token {@code boom} throws; any other token is the principal of that name; none is anonymous. */
    private final Authenticator throwingAuthenticator = request -> {
        String token = request.queryParameter("token")
                .or(() -> request.header("authorization").map(h -> h.substring("Bearer ".length())))
                .orElse(null);
        if (token == null) {
            return Principal.ANONYMOUS;
        }
        if (token.equals("boom")) {
            authFailures.incrementAndGet();
            throw new IllegalStateException("user code failed on token " + token);
        }
        return new Principal(token, Map.of());
    };

    /** Throws for mallory, lets everyone else read and write. */
    private final RoomAccess throwingPolicy = new RoomAccess() {
        @Override
        public Access access(Principal principal, String roomId) {
            if (principal.id().equals("mallory")) {
                policyFailures.incrementAndGet();
                throw new IllegalStateException("policy bug");
            }
            return Access.READ_WRITE;
        }
    };

    private void start() {
        store = RoomStore.inMemory();
        server = TandemServer.builder()
                .port(0)
                .roomOptions(RoomOptions.builder()
                        .schema(RoomSchema.pinned())
                        .store(store)
                        .batchInterval(Duration.ZERO)
                        .build())
                .authenticator(throwingAuthenticator)
                .roomAccess(throwingPolicy)
                .build()
                .start();
        clients = new SyncClients(server);
    }

    @AfterEach
    void stop() throws Exception {
        if (server != null) {
            server.close();
        }
        if (jetty != null) {
            jetty.stop();
        }
        if (store != null) {
            store.close();
        }
    }

    private record Pair(WebSocketRecorder writer, WebSocketRecorder reader) {}

    private Pair honestPair(String room) {
        WebSocketRecorder w = clients.join(room, "honest-w", "alice");
        WebSocketRecorder r = clients.join(room, "honest-r", "bob");
        w.send(clients.push(note("note:before", "before the failure")));
        assertThat(awaitPushResult(w)).isEqualTo("commit");
        return new Pair(w, r);
    }

    @Test
    void connect_authenticatorThrows_isClosedNotAuthenticated_andOtherSessionsGoOn() {
        start();
        Pair pair = honestPair("auth");

        WebSocketRecorder failed = clients.open("auth", "failed", "boom");

        assertClosedWith(failed, CloseReason.NOT_AUTHENTICATED);
        assertThat(authFailures).hasValue(1);
        clients.assertRoomWorks("auth", pair.writer(), pair.reader(), "carol", List.of("note:before"), List.of());
        // the failure is not sticky: the same authenticator serves the next request
        WebSocketRecorder again = clients.open("auth", "failed-again", "boom");
        assertClosedWith(again, CloseReason.NOT_AUTHENTICATED);
        assertThat(authFailures).hasValue(2);
    }

    @Test
    void http_authenticatorThrows_is401_andSaysNothingOfTheFailure() throws Exception {
        start();
        Pair pair = honestPair("auth-http");

        HttpResponse<String> failed = http("POST", "/sync/push", "boom", pushBody("auth-http", "ev-1", "note:boom"));
        HttpResponse<String> snapshot = http("GET", "/rooms/auth-http/snapshot", "boom", null);

        assertThat(failed.statusCode()).as(failed.body()).isEqualTo(401);
        assertThat(failed.body()).contains(GuardedAuthenticator.FAILED).doesNotContain("boom");
        assertThat(snapshot.statusCode()).as(snapshot.body()).isEqualTo(401);
        HttpResponse<String> honest = http("POST", "/sync/push", "alice", pushBody("auth-http", "ev-2", "note:ok"));
        assertThat(honest.body()).contains("\"status\":\"applied\"");
        clients.assertRoomWorks(
                "auth-http",
                pair.writer(),
                pair.reader(),
                "carol",
                List.of("note:before", "note:ok"),
                List.of("note:boom"));
    }

    @Test
    void connect_policyThrows_isClosedForbidden_andOtherSessionsGoOn() {
        start();
        Pair pair = honestPair("policy");

        WebSocketRecorder denied = clients.open("policy", "mallory-1", "mallory");

        assertClosedWith(denied, CloseReason.FORBIDDEN);
        assertThat(policyFailures).hasValue(1);
        clients.assertRoomWorks("policy", pair.writer(), pair.reader(), "carol", List.of("note:before"), List.of());
    }

    @Test
    void http_policyThrows_deniesTheEvent_andOtherSessionsGoOn() throws Exception {
        start();
        Pair pair = honestPair("policy-http");

        HttpResponse<String> denied =
                http("POST", "/sync/push", "mallory", pushBody("policy-http", "ev-1", "note:mallory"));

        assertThat(denied.statusCode()).as(denied.body()).isEqualTo(200);
        assertThat(denied.body()).contains("\"status\":\"rejected\"", "FORBIDDEN");
        assertThat(policyFailures).hasPositiveValue();
        clients.assertRoomWorks(
                "policy-http", pair.writer(), pair.reader(), "carol", List.of("note:before"), List.of("note:mallory"));
    }

    @Test
    void mountedRoutes_authenticatorAndPolicyThrow_areRefused_andOtherSessionsGoOn() throws Exception {
        store = RoomStore.inMemory();
        dev.tandem.sync.core.RoomManager rooms = dev.tandem.sync.core.RoomManager.create(RoomOptions.builder()
                .schema(RoomSchema.pinned())
                .store(store)
                .batchInterval(Duration.ZERO)
                .build());
        jetty = new Server();
        ServerConnector connector = new ServerConnector(jetty);
        connector.setHost("127.0.0.1");
        connector.setPort(0);
        jetty.addConnector(connector);
        jetty.setHandler(TandemRoutes.builder(rooms)
                .store(store)
                .authenticator(throwingAuthenticator)
                .roomAccess(throwingPolicy)
                .build()
                .mount(jetty, null));
        jetty.start();
        try {
            SyncClients mounted = new SyncClients(connector::getLocalPort);
            WebSocketRecorder w = mounted.join("mounted", "honest-w", "alice");
            WebSocketRecorder r = mounted.join("mounted", "honest-r", "bob");
            w.send(mounted.push(note("note:before", "before the failure")));
            assertThat(awaitPushResult(w)).isEqualTo("commit");

            assertClosedWith(mounted.open("mounted", "failed", "boom"), CloseReason.NOT_AUTHENTICATED);
            assertClosedWith(mounted.open("mounted", "mallory-1", "mallory"), CloseReason.FORBIDDEN);

            assertThat(authFailures).hasValue(1);
            assertThat(policyFailures).hasValue(1);
            mounted.assertRoomWorks("mounted", w, r, "carol", List.of("note:before"), List.of());
        } finally {
            jetty.stop();
            jetty = null;
            rooms.close(Duration.ofSeconds(5));
        }
    }

    private HttpResponse<String> http(String method, String path, @Nullable String token, @Nullable String body)
            throws Exception {
        HttpRequest.Builder b = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + server.port() + path))
                .method(
                        method,
                        body == null ? HttpRequest.BodyPublishers.noBody() : HttpRequest.BodyPublishers.ofString(body));
        if (token != null) {
            b.header("Authorization", "Bearer " + token);
        }
        if (body != null) {
            b.header("Content-Type", "application/json");
        }
        return HTTP.send(b.build(), HttpResponse.BodyHandlers.ofString());
    }

    private static String pushBody(String room, String eventId, String recordId) {
        return "{\"events\":[{\"id\":\"" + eventId + "\",\"roomId\":\"" + room + "\",\"recordId\":\"" + recordId
                + "\",\"typeName\":\"note\",\"operation\":\"create\",\"record\":{\"id\":\"" + recordId
                + "\",\"typeName\":\"note\",\"text\":\"over HTTP\"},\"clientTime\":1}]}";
    }
}
