package dev.tandem.sync.server;

import static dev.tandem.sync.server.SyncClients.assertClosedWith;
import static dev.tandem.sync.server.SyncClients.awaitPushResult;
import static dev.tandem.sync.server.SyncClients.handshake;
import static dev.tandem.sync.server.SyncClients.note;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.SyncLimits;
import dev.tandem.sync.server.auth.JwtAuthenticator;
import dev.tandem.sync.server.auth.RoomPolicies;
import dev.tandem.sync.server.auth.RoomPolicy;
import dev.tandem.sync.server.auth.Tokens;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * Every security rule at a real server on a socket: each rejection arrives as a 4099 close with its exact reason,
 * and the honest sessions of the same room keep working and lose nothing.
 */
class SecurityIT {
    private static final HttpClient HTTP = HttpClient.newHttpClient();
    private static final long NOW = System.currentTimeMillis() / 1000;

    private TandemServer server;
    private SyncClients clients;
    private RoomStore store;

    private void start(UnaryOperator<RoomOptions.Builder> room, UnaryOperator<ServerLimits.Builder> limits) {
        start(room, limits, RoomPolicies.UnclaimedRooms.OPEN);
    }

    private void start(RoomPolicies.UnclaimedRooms unclaimed) {
        start(b -> b, b -> b, unclaimed);
    }

    private void start(
            UnaryOperator<RoomOptions.Builder> room,
            UnaryOperator<ServerLimits.Builder> limits,
            RoomPolicies.UnclaimedRooms unclaimed) {
        store = RoomStore.inMemory();
        JwtAuthenticator jwt = JwtAuthenticator.builder()
                .hmacSecret(Tokens.SECRET)
                .publicKeyPem("rsa", Tokens.pem(Tokens.RSA.getPublic()))
                .issuer("https://issuer.test")
                .audience("tandem")
                .maxTokenChars(4096)
                .build();
        server = TandemServer.builder()
                .port(0)
                .roomOptions(room.apply(RoomOptions.builder()
                                .schema(RoomSchema.pinned())
                                .store(store)
                                .batchInterval(Duration.ZERO))
                        .build())
                .security(new ServerSecurity(
                        jwt,
                        RoomPolicies.builder(store)
                                .adminClaim("role", "admin")
                                .unclaimedRooms(unclaimed)
                                .build(),
                        limits.apply(ServerLimits.builder()).build()))
                .build()
                .start();
        clients = new SyncClients(server);
    }

    private void start() {
        start(b -> b, b -> b);
    }

    @AfterEach
    void stop() {
        if (server != null) {
            server.close();
        }
    }

    private static Map<String, Object> claims(String sub) {
        Map<String, Object> c = Tokens.claims(sub);
        c.put("iss", "https://issuer.test");
        c.put("aud", "tandem");
        return c;
    }

    /** A valid token: the server checks iss and aud, so it carries them. */
    private static String honest(String sub) {
        return Tokens.hs256(claims(sub));
    }

    /** The honest pair of a room: alice writes, bob reads; both connected before the attack. */
    private record Pair(WebSocketRecorder writer, WebSocketRecorder reader) {}

    private Pair honestPair(String room) {
        WebSocketRecorder w = clients.join(room, "honest-w", honest("alice"));
        WebSocketRecorder r = clients.join(room, "honest-r", honest("alice"));
        w.send(clients.push(note("note:before", "before the attack")));
        assertThat(awaitPushResult(w)).isEqualTo("commit");
        return new Pair(w, r);
    }

    private void assertHonestUnaffected(String room, Pair pair, List<String> absent) {
        clients.assertRoomWorks(room, pair.writer(), pair.reader(), honest("alice"), List.of("note:before"), absent);
    }

    static Stream<Arguments> badTokens() {
        Map<String, Object> expired = claims("mallory");
        expired.put("exp", NOW - 3600);
        Map<String, Object> notYet = claims("mallory");
        notYet.put("nbf", NOW + 3600);
        Map<String, Object> wrongIss = claims("mallory");
        wrongIss.put("iss", "https://evil.test");
        Map<String, Object> wrongAud = claims("mallory");
        wrongAud.put("aud", "someone-else");
        String confused = Tokens.hs256(
                claims("mallory"), Tokens.pem(Tokens.RSA.getPublic()).getBytes(StandardCharsets.UTF_8));
        String good = Tokens.hs256(claims("mallory"));
        String badSignature =
                good.substring(0, good.lastIndexOf('.') + 1) + "AAAA" + good.substring(good.lastIndexOf('.') + 5);
        return Stream.of(
                Arguments.of("missing", null),
                Arguments.of("expired", Tokens.hs256(expired)),
                Arguments.of("not yet valid", Tokens.hs256(notYet)),
                Arguments.of("wrong iss", Tokens.hs256(wrongIss)),
                Arguments.of("wrong aud", Tokens.hs256(wrongAud)),
                Arguments.of("alg none", Tokens.none(claims("mallory"))),
                Arguments.of("HS256 signed with the RSA public key", confused),
                Arguments.of("bad signature", badSignature),
                Arguments.of("malformed", "not.a.jwt"),
                // longer than the verifier's 4096 but within Jetty's 8 KiB request line (longer ones get HTTP 414)
                Arguments.of("oversized", Tokens.hs256(Map.of("sub", "x", "pad", "y".repeat(4000)))));
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("badTokens")
    void connect_badToken_isClosedNotAuthenticated(String why, String token) {
        start();
        Pair pair = honestPair("auth");

        WebSocketRecorder bad = clients.open("auth", "mallory", token);

        assertClosedWith(bad, CloseReason.NOT_AUTHENTICATED);
        assertHonestUnaffected("auth", pair, List.of());
    }

    @Test
    void connect_tokenInAuthorizationHeader_isAccepted() {
        start();
        WebSocketRecorder c = WebSocketRecorder.connect(
                clients.uri("connect", "header", "h", null), true, Map.of("Authorization", "Bearer " + honest("bob")));
        assertThat(handshake(c)).containsEntry("type", "connect").containsEntry("isReadonly", false);
        c.close();
    }

    private HttpResponse<String> http(String method, String path, String token, String body) throws Exception {
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

    private void putPolicy(String room, String token, String policy) throws Exception {
        HttpResponse<String> r = http("PUT", "/rooms/" + room + "/policy", token, policy);
        assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    }

    @Test
    void connect_sessionIdOfAnotherPrincipal_isClosedForbidden_andNeverTakesItOver() {
        start();
        Pair pair = honestPair("sessions");

        WebSocketRecorder mallory = clients.open("sessions", "honest-w", honest("mallory"));

        assertClosedWith(mallory, CloseReason.FORBIDDEN);
        assertHonestUnaffected("sessions", pair, List.of());
    }

    @Test
    void syncPush_eventIdOfAnotherPrincipal_isAnEventOfItsOwn() throws Exception {
        start();
        putPolicy("events", honest("alice"), "{\"shared\":false}");

        HttpResponse<String> bob = http("POST", "/sync/push", honest("bob"), pushBody("events", "ev-1", "note:bob"));
        HttpResponse<String> alice =
                http("POST", "/sync/push", honest("alice"), pushBody("events", "ev-1", "note:alice"));
        HttpResponse<String> bobAgain =
                http("POST", "/sync/push", honest("bob"), pushBody("events", "ev-1", "note:bob"));

        assertThat(bob.body()).contains("\"status\":\"rejected\"", "FORBIDDEN");
        assertThat(alice.body()).contains("\"id\":\"ev-1\"", "\"status\":\"applied\"");
        assertThat(bobAgain.body()).isEqualTo(bob.body());
        assertThat(http("GET", "/rooms/events/snapshot", honest("alice"), null).body())
                .contains("note:alice")
                .doesNotContain("note:bob");
    }

    @Test
    void connect_privateRoomOfAnother_isClosedForbidden() throws Exception {
        start();
        putPolicy("private", honest("alice"), "{\"shared\":false}");
        Pair pair = honestPair("private");

        WebSocketRecorder intruder = clients.open("private", "bob", honest("bob"));

        assertClosedWith(intruder, CloseReason.FORBIDDEN);
        assertHonestUnaffected("private", pair, List.of());
    }

    @Test
    void appRoutes_copyingARoom_needsAuthenticationAndReadAccess() throws Exception {
        start();
        putPolicy("secret", honest("alice"), "{\"shared\":false}");
        Pair pair = honestPair("secret");
        String body = "{\"roomId\":\"secret\"}";

        HttpResponse<String> anonymous = http("POST", "/snapshots", null, body);
        HttpResponse<String> intruder = http("POST", "/snapshots", honest("bob"), body);
        HttpResponse<String> owner = http("POST", "/snapshots", honest("alice"), body);
        HttpResponse<String> anonymousUnfurl = http("GET", "/unfurl?url=http://127.0.0.1:1/", null, null);

        assertThat(anonymous.statusCode()).as(anonymous.body()).isEqualTo(401);
        assertThat(anonymous.body()).contains("\"error\":\"NOT_AUTHENTICATED\"");
        assertThat(intruder.statusCode()).as(intruder.body()).isEqualTo(403);
        assertThat(intruder.body()).contains("\"error\":\"FORBIDDEN\"");
        assertThat(owner.statusCode()).as(owner.body()).isEqualTo(201);
        assertThat(anonymousUnfurl.statusCode()).isIn(401, 404);
        assertHonestUnaffected("secret", pair, List.of());
    }

    @Test
    void connect_sharedViewLink_isReadOnly_andItsPushesAreDiscarded() throws Exception {
        start();
        putPolicy("view", honest("alice"), "{\"shared\":true,\"linkType\":\"view\"}");
        Pair pair = honestPair("view");

        WebSocketRecorder viewer = clients.open("view", "bob", honest("bob"));
        assertThat(handshake(viewer)).containsEntry("isReadonly", true);
        viewer.send(clients.push(note("note:viewer", "nope")));

        assertThat(awaitPushResult(viewer)).isEqualTo("discard");
        assertHonestUnaffected("view", pair, List.of("note:viewer"));
    }

    @Test
    void policyChange_closesRevokedSessionsAndDowngradesViewers() throws Exception {
        start();
        putPolicy("live", honest("alice"), "{\"shared\":true,\"linkType\":\"edit\"}");
        Pair pair = honestPair("live");
        WebSocketRecorder bobEditor = clients.join("live", "bob", honest("bob"));
        bobEditor.send(clients.push(note("note:bob", "bob edits")));
        assertThat(awaitPushResult(bobEditor)).isEqualTo("commit");

        // edit → view: bob stays, read-only
        putPolicy("live", honest("alice"), "{\"shared\":true,\"linkType\":\"view\"}");
        bobEditor.send(clients.push(note("note:bob2", "now read-only")));
        assertThat(awaitPushResult(bobEditor)).isEqualTo("discard");

        // view → private: bob is closed at once
        putPolicy("live", honest("alice"), "{\"shared\":false}");
        await().atMost(Duration.ofSeconds(1)).until(bobEditor::isClosed);
        assertClosedWith(bobEditor, CloseReason.FORBIDDEN);
        clients.assertRoomWorks(
                "live",
                pair.writer(),
                pair.reader(),
                honest("alice"),
                List.of("note:before", "note:bob"),
                List.of("note:bob2"));
    }

    @Test
    void readOnlyRoute_staysReadOnly_whenPolicyGrantsEdit() throws Exception {
        start();
        putPolicy("ro", honest("alice"), "{\"shared\":true,\"linkType\":\"view\"}");
        WebSocketRecorder viaRo = WebSocketRecorder.connect(clients.uri("ro", "ro", "bob", honest("bob")));
        assertThat(handshake(viaRo)).containsEntry("isReadonly", true);
        putPolicy("ro", honest("alice"), "{\"shared\":true,\"linkType\":\"edit\"}");
        viaRo.send(clients.push(note("note:ro", "x")));
        assertThat(awaitPushResult(viaRo)).isEqualTo("discard");
    }

    @Test
    void policyApi_authenticatesAndAuthorizes() throws Exception {
        start();
        String path = "/rooms/api/policy";
        assertThat(http("GET", path, null, null).statusCode()).isEqualTo(401);
        HttpResponse<String> none = http("GET", path, honest("alice"), null);
        assertThat(none.statusCode()).isEqualTo(404);
        assertThat(none.body()).contains("\"error\":\"POLICY_NOT_FOUND\"");
        // claiming for someone else is refused; claiming for yourself works
        HttpResponse<String> other = http("PUT", path, honest("bob"), "{\"owner\":\"alice\"}");
        assertThat(other.statusCode()).isEqualTo(403);
        assertThat(other.body()).contains("\"error\":\"FORBIDDEN\"");
        putPolicy("api", honest("alice"), "{\"shared\":true,\"linkType\":\"view\"}");
        assertThat(http("GET", path, honest("alice"), null).body())
                .isEqualTo("{\"owner\":\"alice\",\"shared\":true,\"linkType\":\"view\"}");
        // a viewer may read the policy but not change it
        assertThat(http("GET", path, honest("bob"), null).statusCode()).isEqualTo(200);
        assertThat(http("PUT", path, honest("bob"), "{\"shared\":true}").statusCode())
                .isEqualTo(403);
        // an administrator may
        Map<String, Object> admin = claims("root");
        admin.put("role", "admin");
        putPolicy("api", Tokens.hs256(admin), "{\"shared\":false}");
        assertThat(http("GET", path, honest("bob"), null).statusCode()).isEqualTo(403);
        // bad bodies
        HttpResponse<String> bad = http("PUT", path, honest("alice"), "{\"linkType\":\"admin\"}");
        assertThat(bad.statusCode()).isEqualTo(400);
        assertThat(bad.body())
                .isEqualTo(
                        "{\"error\":\"INVALID_POLICY\",\"message\":\"linkType must be \\\"edit\\\" or \\\"view\\\"\"}");
        HttpResponse<String> huge = http("PUT", path, honest("alice"), "{\"owner\":\"" + "a".repeat(20_000) + "\"}");
        assertThat(huge.statusCode()).isEqualTo(413);
        assertThat(huge.body()).contains("\"error\":\"BODY_TOO_LARGE\"");
        // the room routes need access too
        assertThat(http("GET", "/rooms/api/snapshot", null, null).statusCode()).isEqualTo(401);
        assertThat(http("GET", "/rooms/api/snapshot", honest("bob"), null).statusCode())
                .isEqualTo(403);
    }

    private static String admin() {
        Map<String, Object> admin = claims("root");
        admin.put("role", "admin");
        return Tokens.hs256(admin);
    }

    private @Nullable String storedPolicy(String room) throws Exception {
        return store.loadAttribute(room, RoomPolicy.ATTRIBUTE).get(5, TimeUnit.SECONDS);
    }

    private static String pushBody(String room, String eventId, String recordId) {
        return "{\"events\":[" + event(room, eventId, recordId) + "]}";
    }

    private static String event(String room, String eventId, String recordId) {
        return "{\"id\":\"" + eventId + "\",\"roomId\":\"" + room + "\",\"recordId\":\"" + recordId
                + "\",\"typeName\":\"note\",\"operation\":\"create\",\"record\":{\"id\":\"" + recordId
                + "\",\"typeName\":\"note\",\"text\":\"over HTTP\"},\"clientTime\":1}";
    }

    private static void assertRefused(HttpResponse<String> r, String code, String message) {
        assertThat(r.statusCode()).as(r.body()).isEqualTo(403);
        assertThat(r.body()).isEqualTo("{\"error\":\"" + code + "\",\"message\":\"" + message + "\"}");
    }

    @Test
    void readOnlyCopy_isReadOnlyForEveryoneOnEveryRoute_andViewingItClaimsNothing() throws Exception {
        start(RoomPolicies.UnclaimedRooms.CLAIM);
        Pair pair = honestPair("original"); // alice's first join claims her room
        HttpResponse<String> created = http("POST", "/snapshots", honest("alice"), "{\"roomId\":\"original\"}");
        assertThat(created.statusCode()).as(created.body()).isEqualTo(201);
        String slug = (String) ((Map<?, ?>) TestJson.parse(created.body())).get("slug");
        String snapshot = "/rooms/" + slug + "/snapshot";
        String readOnly = "room " + slug + " is a read-only copy";

        // bob opens the link first: he reads it, and does not become its owner
        HttpResponse<String> bobReads = http("GET", snapshot, honest("bob"), null);
        HttpResponse<String> aliceReads = http("GET", snapshot, honest("alice"), null);
        WebSocketRecorder bobViewer = WebSocketRecorder.connect(clients.uri("ro", slug, "bob-view", honest("bob")));
        WebSocketRecorder aliceJoin = clients.open(slug, "alice-copy", honest("alice"));

        assertThat(bobReads.statusCode()).as(bobReads.body()).isEqualTo(200);
        assertThat(aliceReads.statusCode()).as(aliceReads.body()).isEqualTo(200);
        assertThat(aliceReads.body()).contains("note:before");
        assertThat(handshake(bobViewer)).containsEntry("isReadonly", true);
        assertThat(handshake(aliceJoin)).containsEntry("isReadonly", true);
        aliceJoin.send(clients.push(note("note:ws", "into the copy")));
        assertThat(awaitPushResult(aliceJoin)).isEqualTo("discard");
        // no one writes to it over HTTP, its creator and administrators included
        for (String token : List.of(honest("alice"), honest("bob"), admin())) {
            assertRefused(http("PUT", snapshot, token, aliceReads.body()), "FORBIDDEN", readOnly);
            assertRefused(http("POST", "/rooms/" + slug + "/versions/any/restore", token, null), "FORBIDDEN", readOnly);
            assertRefused(
                    http("PUT", "/rooms/" + slug + "/policy", token, "{\"shared\":false}"), "FORBIDDEN", readOnly);
            HttpResponse<String> push =
                    http("POST", "/sync/push", token, pushBody(slug, "ev-" + token.hashCode(), "note:http"));
            assertThat(push.statusCode()).as(push.body()).isEqualTo(200);
            assertThat(push.body()).contains("\"status\":\"rejected\",\"reason\":\"READ_ONLY\"");
        }
        assertThat(http("GET", snapshot, honest("alice"), null).body())
                .isEqualTo(aliceReads.body())
                .doesNotContain("note:http")
                .doesNotContain("note:ws");
        assertThat(http("GET", "/rooms/" + slug + "/policy", honest("bob"), null)
                        .body())
                .isEqualTo("{\"owner\":\"alice\",\"shared\":true,\"linkType\":\"view\"}");
        assertHonestUnaffected("original", pair, List.of());
        bobViewer.close();
        aliceJoin.close();
    }

    @Test
    void claimMode_readsNeverClaim_writesClaimAtMostTenRoomsPerRequest() throws Exception {
        start(RoomPolicies.UnclaimedRooms.CLAIM);
        List<String> squat = new ArrayList<>();
        for (int i = 0; i < 100; i++) {
            squat.add("\"squat-" + i + "\"");
        }

        HttpResponse<String> get = http("GET", "/rooms/future/snapshot", honest("bob"), null);
        HttpResponse<String> versions = http("GET", "/rooms/future/versions", honest("bob"), null);
        HttpResponse<String> pull = http("POST", "/sync/pull", honest("bob"), "{\"rooms\":" + squat + "}");
        WebSocketRecorder viewer = WebSocketRecorder.connect(clients.uri("ro", "future", "bob-view", honest("bob")));

        assertRefused(get, "FORBIDDEN", "no access to room future");
        assertRefused(versions, "FORBIDDEN", "no access to room future");
        assertRefused(pull, "FORBIDDEN", "no access to room squat-0");
        assertClosedWith(viewer, CloseReason.FORBIDDEN);
        assertThat(storedPolicy("future")).isNull();
        for (int i = 0; i < 100; i++) {
            assertThat(storedPolicy("squat-" + i)).as("squat-" + i).isNull();
        }

        // one push naming eleven unclaimed rooms claims none of them
        List<String> eleven = new ArrayList<>();
        for (int i = 0; i < 11; i++) {
            eleven.add(event("squat-" + i, "ev-" + i, "note:" + i));
        }
        assertRefused(
                http("POST", "/sync/push", honest("bob"), "{\"events\":" + eleven + "}"),
                "TOO_MANY_CLAIMS",
                "one request may claim at most 10 rooms but this one would claim 11");
        for (int i = 0; i < 11; i++) {
            assertThat(storedPolicy("squat-" + i)).as("squat-" + i).isNull();
        }
        // a write claims: alice's read-write join makes her the owner, bob's one push makes him another's
        Pair pair = honestPair("future");
        HttpResponse<String> bobPush = http("POST", "/sync/push", honest("bob"), pushBody("bobs", "ev-b", "note:b"));
        assertThat(bobPush.body()).contains("\"status\":\"applied\"");
        assertThat(storedPolicy("future"))
                .isEqualTo(RoomPolicy.privateTo("alice").toJson());
        assertThat(storedPolicy("bobs")).isEqualTo(RoomPolicy.privateTo("bob").toJson());
        assertClosedWith(clients.open("future", "bob", honest("bob")), CloseReason.FORBIDDEN);
        assertHonestUnaffected("future", pair, List.of());
    }

    @Test
    void openMode_policyOnAnUnclaimedRoomInUse_isRefused_exceptToAdministrators() throws Exception {
        start();
        Pair pair = honestPair("busy");
        WebSocketRecorder bob = clients.join("busy", "bob", honest("bob"));
        bob.send(clients.push(note("note:bob", "bob edits")));
        assertThat(awaitPushResult(bob)).isEqualTo("commit");
        String inUse = "room busy is in use without a policy: only an administrator may give it one";

        assertRefused(http("PUT", "/rooms/busy/policy", honest("carol"), "{\"shared\":false}"), "FORBIDDEN", inUse);
        assertRefused(http("PUT", "/rooms/busy/policy", honest("alice"), "{\"shared\":false}"), "FORBIDDEN", inUse);
        assertThat(storedPolicy("busy")).isNull();
        bob.send(clients.push(note("note:bob2", "still writing")));
        assertThat(awaitPushResult(bob)).isEqualTo("commit");
        assertHonestUnaffected("busy", pair, List.of());

        // a room with no content yet may be claimed by its first caller; an administrator may set any policy
        putPolicy("fresh", honest("carol"), "{\"shared\":true,\"linkType\":\"view\"}");
        assertThat(storedPolicy("fresh")).isEqualTo("{\"owner\":\"carol\",\"shared\":true,\"linkType\":\"view\"}");
        putPolicy("busy", admin(), "{\"owner\":\"alice\",\"shared\":true,\"linkType\":\"edit\"}");
        bob.send(clients.push(note("note:bob3", "shared by the admin")));
        assertThat(awaitPushResult(bob)).isEqualTo("commit");
    }

    @Test
    void connect_pastMaxSessionsPerRoom_isClosedRoomFull() {
        start(b -> b.limits(SyncLimits.builder().maxSessionsPerRoom(3).build()), b -> b);
        Pair pair = honestPair("full");
        WebSocketRecorder third = clients.join("full", "third", honest("bob"));

        WebSocketRecorder fourth = clients.open("full", "fourth", honest("bob"));

        assertClosedWith(fourth, CloseReason.ROOM_FULL);
        third.close();
        assertThat(pair.writer().isClosed()).isFalse();
        pair.writer().send(clients.push(note("note:after", "x")));
        assertThat(awaitPushResult(pair.writer())).isEqualTo("commit");
        SyncClients.awaitPatchWith(pair.reader(), "note:after");
    }

    @Test
    void messagesPastSessionRate_areClosedRateLimited() {
        start(
                b -> b.limits(SyncLimits.builder()
                        .messagesPerSecond(5)
                        .messageBurst(10)
                        .build()),
                b -> b);
        Pair pair = honestPair("session-rate");
        WebSocketRecorder flooder = clients.join("session-rate", "flood", honest("bob"));

        for (int i = 0; i < 30 && !flooder.isClosed(); i++) {
            if (!flooder.trySend(Map.of("type", "ping"))) {
                break;
            }
        }

        assertClosedWith(flooder, CloseReason.RATE_LIMITED);
        assertHonestUnaffected("session-rate", pair, List.of());
    }

    @Test
    void reconnect_afterRateLimited_isClosedRateLimited_untilTheCooldownEnds_otherUsersUnaffected() {
        start(
                b -> b.limits(SyncLimits.builder()
                        .messagesPerSecond(5)
                        .messageBurst(10)
                        .build()),
                b -> b.rateLimitCooldown(Duration.ofSeconds(30)));
        Pair pair = honestPair("cooldown");
        WebSocketRecorder flooder = clients.join("cooldown", "flood", honest("bob"));
        for (int i = 0; i < 30 && !flooder.isClosed(); i++) {
            if (!flooder.trySend(Map.of("type", "ping"))) {
                break;
            }
        }
        assertClosedWith(flooder, CloseReason.RATE_LIMITED);

        WebSocketRecorder again = clients.open("cooldown", "flood-again", honest("bob"));

        assertClosedWith(again, CloseReason.RATE_LIMITED);
        WebSocketRecorder carol = clients.join("cooldown", "carol", honest("carol"));
        carol.close();
        assertHonestUnaffected("cooldown", pair, List.of());
    }

    @Test
    void messagesPastPrincipalRate_overAllItsSessions_areClosedRateLimited() {
        start(b -> b, b -> b.principalMessagesPerSecond(5).principalMessageBurst(12));
        Pair pair = honestPair("principal-rate");
        List<WebSocketRecorder> sessions = new ArrayList<>();
        for (int i = 0; i < 3; i++) {
            sessions.add(clients.join("principal-rate", "mallory-" + i, honest("mallory")));
        }
        // 3 sessions × 4 pings stays under each session's limit but not under the principal's 12 (3 connects used)
        for (int round = 0; round < 4; round++) {
            for (WebSocketRecorder s : sessions) {
                if (!s.isClosed()) {
                    try {
                        s.send(Map.of("type", "ping"));
                    } catch (RuntimeException closedMeanwhile) {
                        // the server closed it between the check and the send
                    }
                }
            }
        }

        await().atMost(Duration.ofSeconds(5)).until(() -> sessions.stream().anyMatch(WebSocketRecorder::isClosed));
        WebSocketRecorder limited = sessions.stream()
                .filter(WebSocketRecorder::isClosed)
                .findFirst()
                .orElseThrow();
        assertClosedWith(limited, CloseReason.RATE_LIMITED);
        assertHonestUnaffected("principal-rate", pair, List.of());
    }

    @Test
    void connectionsPastPerIpRate_areClosedRateLimited() {
        start(b -> b, b -> b.connectionsPerIpPerMinute(4));
        Pair pair = honestPair("ip-rate"); // 2 connections
        clients.open("ip-rate", "x1", honest("bob")).close();
        clients.open("ip-rate", "x2", honest("bob")).close();

        WebSocketRecorder fifth = clients.open("ip-rate", "x3", honest("bob"));

        assertClosedWith(fifth, CloseReason.RATE_LIMITED);
        pair.writer().send(clients.push(note("note:after", "x")));
        assertThat(awaitPushResult(pair.writer())).isEqualTo("commit");
        SyncClients.awaitPatchWith(pair.reader(), "note:after");
    }

    @Test
    void recordPastMaxRecordChars_isClosedInvalidRecord_andRolledBack() {
        start(b -> b.limits(SyncLimits.builder().maxRecordChars(1000).build()), b -> b);
        Pair pair = honestPair("record-size");
        WebSocketRecorder bad = clients.join("record-size", "bad", honest("bob"));

        bad.send(clients.push(note("note:huge", "x".repeat(2000))));

        assertClosedWith(bad, CloseReason.INVALID_RECORD);
        assertHonestUnaffected("record-size", pair, List.of("note:huge"));
    }

    @Test
    void pushPastMaxRecordsPerPush_isClosedInvalidRecord_andRolledBack() {
        start(b -> b.limits(SyncLimits.builder().maxRecordsPerPush(5).build()), b -> b);
        Pair pair = honestPair("push-size");
        WebSocketRecorder bad = clients.join("push-size", "bad", honest("bob"));
        Map<String, Object> diff = new java.util.LinkedHashMap<>();
        for (int i = 0; i < 6; i++) {
            diff.put("note:many" + i, List.of("put", note("note:many" + i, "x")));
        }

        bad.send(Map.of("type", "push", "clientClock", 0, "diff", diff));

        assertClosedWith(bad, CloseReason.INVALID_RECORD);
        assertHonestUnaffected("push-size", pair, List.of("note:many0", "note:many5"));
    }

    @Test
    void pushPastMaxDocumentChars_isClosedInvalidRecord_andRolledBack() {
        start(b -> b.limits(SyncLimits.builder().maxDocumentChars(3000).build()), b -> b);
        Pair pair = honestPair("doc-size");
        WebSocketRecorder bad = clients.join("doc-size", "bad", honest("bob"));

        bad.send(clients.push(note("note:big", "x".repeat(2900))));

        assertClosedWith(bad, CloseReason.INVALID_RECORD);
        assertHonestUnaffected("doc-size", pair, List.of("note:big"));
    }

    @Test
    void messagePastMaxMessageChars_isClosedMessageTooLarge() {
        start(b -> b.maxMessageChars(10_000), b -> b);
        Pair pair = honestPair("message-size");
        WebSocketRecorder bad = clients.join("message-size", "bad", honest("bob"));

        bad.send("1_" + "{".repeat(6000));
        bad.send("0_" + "x".repeat(6000));

        assertClosedWith(bad, CloseReason.MESSAGE_TOO_LARGE);
        assertHonestUnaffected("message-size", pair, List.of());
    }

    @Test
    void rawSocket_neverUpgrading_isClosedAfterHandshakeTimeout() throws Exception {
        start(b -> b, b -> b.handshakeTimeout(Duration.ofMillis(500)));
        try (Socket raw = new Socket("127.0.0.1", server.port())) {
            OutputStream out = raw.getOutputStream();
            out.write("GET /connect/slow?sessionId=s HTTP/1.1\r\nHost: x\r\n".getBytes(StandardCharsets.US_ASCII));
            out.flush();
            InputStream in = raw.getInputStream();
            raw.setSoTimeout(10_000);
            // the server ends the half-sent request: EOF (possibly after an error response); no EOF in 10 s
            // throws SocketTimeoutException
            byte[] response = in.readAllBytes();
            assertThat(response.length).isGreaterThanOrEqualTo(0);
        }
    }

    @Test
    void authenticatedSocket_neverSendingConnect_isClosedAfterConnectTimeout() {
        start(b -> b.connectTimeout(Duration.ofMillis(300)), b -> b);
        WebSocketRecorder idle = clients.open("idle", "idle", honest("bob"));
        WebSocketRecorder.Closed closed = idle.awaitClose();
        assertThat(closed.code()).isEqualTo(1000);
    }

    @Test
    void unauthenticatedSocket_isClosedAtOnce_withoutReadingItsFrames() {
        start();
        WebSocketRecorder bad = WebSocketRecorder.connect(clients.uri("connect", "x", "x", null), false);
        bad.readAll();
        assertClosedWith(bad, CloseReason.NOT_AUTHENTICATED);
    }

    /** Sends a request's head and {@code bodyBytes} of its declared 4000-byte body, then waits for the answer. */
    private Socket halfSentBody(String path, @Nullable String token, int bodyBytes) throws Exception {
        Socket raw = new Socket("127.0.0.1", server.port());
        String head = "POST " + path + " HTTP/1.1\r\nHost: 127.0.0.1:" + server.port()
                + "\r\nContent-Type: application/json\r\nContent-Length: 4000\r\n"
                + (token == null ? "" : "Authorization: Bearer " + token + "\r\n") + "\r\n";
        OutputStream out = raw.getOutputStream();
        out.write(head.getBytes(StandardCharsets.US_ASCII));
        out.write("{".repeat(bodyBytes).getBytes(StandardCharsets.US_ASCII));
        out.flush();
        // an answer must come well before the connection's 10 s idle timeout
        raw.setSoTimeout(5_000);
        return raw;
    }

    /** Reads the response on {@code raw} up to the server's close; fails if the server does not close. */
    private static String responseUntilClose(Socket raw) throws Exception {
        return new String(raw.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    }

    @ParameterizedTest
    @ValueSource(strings = {"/sync/push", "/sync/pull", "/snapshots"})
    void post_withoutToken_isRefusedBeforeItsBodyArrives(String path) throws Exception {
        start();
        try (Socket raw = halfSentBody(path, null, 0)) {
            String response = firstResponse(raw);
            assertThat(response).startsWith("HTTP/1.1 401 ").contains("\"error\":\"NOT_AUTHENTICATED\"");
        }
    }

    @Test
    void push_bodyNeverFinished_gets408AndTheConnectionCloses() throws Exception {
        start(b -> b, b -> b.bodyTimeout(Duration.ofSeconds(1)));
        try (Socket raw = halfSentBody("/sync/push", honest("alice"), 10)) {
            String response = responseUntilClose(raw);
            assertThat(response)
                    .startsWith("HTTP/1.1 408 ")
                    .containsIgnoringCase("connection: close")
                    .contains(
                            "{\"error\":\"BODY_TIMEOUT\",\"message\":\"the request body did not arrive within PT1S\"}");
        }
    }

    @Test
    void push_bodyBelowTheMinimumRate_gets408AfterTheGracePeriod() throws Exception {
        start(b -> b, b -> b.minBodyBytesPerSecond(1024));
        try (Socket raw = halfSentBody("/sync/push", honest("alice"), 10)) {
            // 10 bytes in 5 s is below 1024 bytes per second; the 60 s deadline is far away
            raw.setSoTimeout(9_000);
            assertThat(responseUntilClose(raw))
                    .startsWith("HTTP/1.1 408 ")
                    .contains("{\"error\":\"BODY_TIMEOUT\",\"message\":\"the request body arrives slower than 1024"
                            + " bytes per second\"}");
        }
    }

    @Test
    void snapshotsPost_bodyNeverFinished_gets408AndTheConnectionCloses() throws Exception {
        start(b -> b, b -> b.bodyTimeout(Duration.ofSeconds(1)));
        try (Socket raw = halfSentBody("/snapshots", honest("alice"), 10)) {
            assertThat(responseUntilClose(raw)).startsWith("HTTP/1.1 408 ").contains("\"error\":\"BODY_TIMEOUT\"");
        }
    }

    /** Reads the status line, headers and the Content-Length body of the first response on {@code raw}. */
    private static String firstResponse(Socket raw) throws Exception {
        InputStream in = raw.getInputStream();
        StringBuilder head = new StringBuilder();
        while (!head.toString().endsWith("\r\n\r\n")) {
            int c = in.read();
            if (c < 0) {
                break;
            }
            head.append((char) c);
        }
        java.util.regex.Matcher m =
                java.util.regex.Pattern.compile("(?i)content-length: *(\\d+)").matcher(head);
        int length = m.find() ? Integer.parseInt(m.group(1)) : 0;
        return head + new String(in.readNBytes(length), StandardCharsets.UTF_8);
    }
}
