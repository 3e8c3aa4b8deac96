package dev.tandem.sync.server.internal.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SessionSocket;
import dev.tandem.sync.core.SocketHandler;
import dev.tandem.sync.server.ConnectionSettings;
import dev.tandem.sync.server.NodeBudget;
import dev.tandem.sync.server.internal.budget.NodeBudgets;
import java.lang.reflect.Proxy;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicReference;
import org.eclipse.jetty.websocket.api.Session;
import org.eclipse.jetty.websocket.api.StatusCode;
import org.junit.jupiter.api.Test;

class WebSocketConnectionTest {

    @Test
    void utf8Length_matchesTheEncoder_onRandomWellFormedStrings() {
        long seed = System.nanoTime();
        Random random = new Random(seed);
        for (int i = 0; i < 2000; i++) {
            StringBuilder sb = new StringBuilder();
            int n = random.nextInt(20);
            for (int j = 0; j < n; j++) {
                int cp = switch (random.nextInt(4)) {
                    case 0 -> random.nextInt(0x80);
                    case 1 -> 0x80 + random.nextInt(0x800 - 0x80);
                    case 2 -> 0xE000 + random.nextInt(0x2000);
                    default -> 0x10000 + random.nextInt(0x10FFFF - 0x10000);
                };
                sb.appendCodePoint(cp);
            }
            String s = sb.toString();
            assertThat(WebSocketConnection.utf8Length(s))
                    .as("seed %d, string %s", seed, s)
                    .isEqualTo(s.getBytes(StandardCharsets.UTF_8).length);
        }
    }

    @Test
    void utf8Length_ofAnUnpairedSurrogate_isAnUpperBound() {
        assertThat(WebSocketConnection.utf8Length("\uD800")).isEqualTo(3);
    }

    @Test
    void chunkNumber_readsTheCountdownOfAChunk_andMinusOneForAnythingElse() {
        assertThat(WebSocketConnection.chunkNumber("31_abc")).isEqualTo(31);
        assertThat(WebSocketConnection.chunkNumber("0_}")).isZero();
        assertThat(WebSocketConnection.chunkNumber("{\"type\":\"ping\"}")).isEqualTo(-1);
        assertThat(WebSocketConnection.chunkNumber("12")).isEqualTo(-1);
        assertThat(WebSocketConnection.chunkNumber("_x")).isEqualTo(-1);
        assertThat(WebSocketConnection.chunkNumber("12345678901_x")).isEqualTo(-1);
    }

    @Test
    void truncateReason_upTo123Bytes_isUnchanged() {
        assertThat(WebSocketConnection.truncateReason("INVALID_RECORD")).isEqualTo("INVALID_RECORD");
        assertThat(WebSocketConnection.truncateReason("x".repeat(123))).isEqualTo("x".repeat(123));
        assertThat(WebSocketConnection.truncateReason("é".repeat(61) + "x")).isEqualTo("é".repeat(61) + "x");
    }

    /** The expected reasons are what tldraw 5.5's closeSession sends for the same input. */
    @Test
    void truncateReason_over123Bytes_isCutWholeCharactersAndSaysHowManyBytesWentAsTldraw55() {
        assertThat(WebSocketConnection.truncateReason("x".repeat(124))).isEqualTo("x".repeat(107) + "... (+17 bytes)");
        assertThat(WebSocketConnection.truncateReason("é".repeat(100))).isEqualTo("é".repeat(53) + "... (+94 bytes)");
        assertThat(WebSocketConnection.truncateReason("€".repeat(100))).isEqualTo("€".repeat(35) + "... (+195 bytes)");
        assertThat(WebSocketConnection.truncateReason("😀".repeat(40))).isEqualTo("😀".repeat(26) + "... (+56 bytes)");
        for (int n = 124; n < 2000; n += 7) {
            String cut = WebSocketConnection.truncateReason("ab€😀".repeat(n / 10 + 1));
            assertThat(cut.getBytes(StandardCharsets.UTF_8).length)
                    .as("n %d", n)
                    .isLessThanOrEqualTo(123);
        }
    }

    @Test
    void close_withAnExceptionsText_sendsOnlyTheProtocolReason() {
        List<String> closes = new ArrayList<>();
        SessionSocket socket = open(closes);

        socket.close(CloseReason.CLOSE_CODE, "java.lang.NullPointerException: Cannot invoke \"Map.get(Object)\"");

        assertThat(closes).containsExactly("4099 UNKNOWN_ERROR");
    }

    @Test
    void close_withFreeTextAndAnotherCode_sendsNoReason() {
        List<String> closes = new ArrayList<>();
        SessionSocket socket = open(closes);

        socket.close(StatusCode.SERVER_ERROR, "java.lang.OutOfMemoryError: Java heap space");

        assertThat(closes).containsExactly("1011 ");
    }

    @Test
    void wireReason_protocolWordsAndTheServersOwnReasons_areSentAsTheyAre() {
        for (CloseReason r : CloseReason.values()) {
            assertThat(WebSocketConnection.wireReason(CloseReason.CLOSE_CODE, r.wireName()))
                    .isEqualTo(r.wireName());
        }
        assertThat(WebSocketConnection.wireReason(StatusCode.NORMAL, "")).isEmpty();
        assertThat(WebSocketConnection.wireReason(StatusCode.TRY_AGAIN_LATER, "outgoing queue full"))
                .isEqualTo("outgoing queue full");
        assertThat(WebSocketConnection.wireReason(StatusCode.SHUTDOWN, "server shutting down"))
                .isEqualTo("server shutting down");
        assertThat(WebSocketConnection.wireReason(CloseReason.CLOSE_CODE, "")).isEqualTo("UNKNOWN_ERROR");
    }

    /** Opens a connection on a Jetty session that records each close as "code reason"; returns the room's socket. */
    private static SessionSocket open(List<String> closes) {
        AtomicReference<SessionSocket> socket = new AtomicReference<>();
        WebSocketConnection connection = new WebSocketConnection(
                "room",
                (s, o) -> {
                    socket.set(s);
                    return new SocketHandler() {
                        @Override
                        public void onText(String text) {}

                        @Override
                        public void onClose() {}

                        @Override
                        public void onError(Throwable cause) {}
                    };
                },
                SessionOptions.of("session"),
                ConnectionSettings.defaults(),
                ConcurrentHashMap.newKeySet(),
                null,
                () -> {},
                NodeBudgets.of(NodeBudget.defaults(), 100));
        Session session = (Session) Proxy.newProxyInstance(
                Session.class.getClassLoader(), new Class<?>[] {Session.class}, (proxy, method, args) -> {
                    switch (method.getName()) {
                        case "close" -> {
                            if (args != null && args.length == 3) {
                                closes.add(args[0] + " " + args[1]);
                            }
                            return null;
                        }
                        case "isOpen" -> {
                            return true;
                        }
                        default -> {
                            return null;
                        }
                    }
                });
        connection.onWebSocketOpen(session);
        return socket.get();
    }
}
