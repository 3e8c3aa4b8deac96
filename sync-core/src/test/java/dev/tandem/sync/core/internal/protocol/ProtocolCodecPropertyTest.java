package dev.tandem.sync.core.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.internal.json.FrozenList;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.json.JsonCodec;
import dev.tandem.sync.core.internal.json.RandomJson;
import dev.tandem.sync.core.testing.Property;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Random;
import java.util.function.Function;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

class ProtocolCodecPropertyTest {

    @Test
    void encodeThenDecode_randomClientMessages_roundTrip() {
        Property.forAll(5_000, RandomMessages::client, m -> {
            String json = ProtocolCodec.encode(m);
            ClientMessage decoded = ProtocolCodec.decodeClient(json);
            assertThat(decoded).isEqualTo(m);
            assertThat(ProtocolCodec.encode(decoded)).isEqualTo(json);
        });
    }

    @Test
    void encodeThenDecode_randomServerMessages_roundTrip() {
        Property.forAll(5_000, RandomMessages::server, m -> {
            String json = ProtocolCodec.encode(m);
            ServerMessage decoded = ProtocolCodec.decodeServer(json);
            assertThat(decoded).isEqualTo(m);
            assertThat(ProtocolCodec.encode(decoded)).isEqualTo(json);
        });
    }

    @Test
    void encode_randomMessages_isValidJsonOfTheSameValue() {
        Property.forAll(2_000, RandomMessages::server, m -> {
            String json = ProtocolCodec.encode(m);
            assertThat(JsonCodec.stringify(JsonCodec.parse(json))).isEqualTo(json);
        });
    }

    // ---- hostile input: decoding either succeeds or throws ProtocolException with a message

    @Test
    void decode_randomGarbage_onlyThrowsProtocolException() {
        Property.forAll(10_000, ProtocolCodecPropertyTest::garbage, ProtocolCodecPropertyTest::decodeBothWays);
    }

    @Test
    void decode_truncatedValidFrames_onlyThrowsProtocolException() {
        Property.forAll(
                5_000,
                r -> {
                    String json = validFrame(r);
                    return json.substring(0, r.nextInt(json.length() + 1));
                },
                ProtocolCodecPropertyTest::decodeBothWays);
    }

    @Test
    void decode_characterMutatedValidFrames_onlyThrowsProtocolException() {
        Property.forAll(
                10_000,
                r -> {
                    StringBuilder sb = new StringBuilder(validFrame(r));
                    for (int i = 1 + r.nextInt(4); i > 0 && sb.length() > 0; i--) {
                        int at = r.nextInt(sb.length());
                        switch (r.nextInt(3)) {
                            case 0 -> sb.setCharAt(at, jsonishChar(r));
                            case 1 -> sb.insert(at, jsonishChar(r));
                            default -> sb.deleteCharAt(at);
                        }
                    }
                    return sb.toString();
                },
                ProtocolCodecPropertyTest::decodeBothWays);
    }

    /** Swaps one value anywhere in a valid frame for a random one: type confusion at every depth. */
    @Test
    void decode_structurallyMutatedValidFrames_onlyThrowsProtocolException() {
        Property.forAll(
                10_000,
                r -> {
                    Object tree = JsonCodec.parse(validFrame(r));
                    int[] countdown = {r.nextInt(countNodes(tree))};
                    return JsonCodec.stringify(replaceNode(tree, countdown, r));
                },
                ProtocolCodecPropertyTest::decodeBothWays);
    }

    private static void decodeBothWays(String frame) {
        decodeOrProtocolException(
                frame,
                ProtocolCodec::decodeClient,
                m -> ProtocolCodec.decodeClient(ProtocolCodec.encode((ClientMessage) m)));
        decodeOrProtocolException(
                frame,
                ProtocolCodec::decodeServer,
                m -> ProtocolCodec.decodeServer(ProtocolCodec.encode((ServerMessage) m)));
    }

    /** Decodes; a success must survive encode-then-decode unchanged, a failure must be a ProtocolException. */
    private static void decodeOrProtocolException(
            String frame, Function<String, Object> decode, Function<Object, Object> reencodeAndDecode) {
        Object decoded;
        try {
            decoded = decode.apply(frame);
        } catch (ProtocolException e) {
            assertThat(e.getMessage()).isNotBlank();
            assertThat(e.reason()).isEqualTo(CloseReason.UNKNOWN_ERROR);
            return;
        } catch (Throwable t) {
            fail("decode threw " + t + " instead of ProtocolException", t);
            return;
        }
        // Encoding writes only the ops that were kept, so the re-decoded push is as sent
        Object expected = decoded instanceof ClientMessage.Push p
                ? new ClientMessage.Push(p.clientClock(), p.diff(), p.presence(), true)
                : decoded;
        assertThat(reencodeAndDecode.apply(decoded)).isEqualTo(expected);
    }

    private static String validFrame(Random r) {
        return r.nextBoolean()
                ? ProtocolCodec.encode(RandomMessages.client(r))
                : ProtocolCodec.encode(RandomMessages.server(r));
    }

    private static String garbage(Random r) {
        switch (r.nextInt(4)) {
            case 0: {
                StringBuilder sb = new StringBuilder();
                for (int i = r.nextInt(60); i > 0; i--) {
                    sb.append(jsonishChar(r));
                }
                return sb.toString();
            }
            case 1: {
                StringBuilder sb = new StringBuilder();
                for (int i = r.nextInt(60); i > 0; i--) {
                    sb.append((char) r.nextInt(0x10000));
                }
                return sb.toString();
            }
            case 2:
                return JsonCodec.stringify(RandomJson.value(r, 4));
            default: {
                // An object that looks like a message: a real type and random members.
                String[] types = {
                    "connect", "push", "ping", "pong", "data", "patch", "push_result", "custom", "incompatibility_error"
                };
                LinkedHashMap<String, Object> m = new LinkedHashMap<>();
                m.put("type", types[r.nextInt(types.length)]);
                String[] fields = {
                    "connectRequestId",
                    "lastServerClock",
                    "protocolVersion",
                    "schema",
                    "clientClock",
                    "diff",
                    "presence",
                    "data",
                    "serverClock",
                    "action",
                    "hydrationType",
                    "isReadonly",
                    "objectAccess",
                    "reason"
                };
                for (int i = r.nextInt(6); i > 0; i--) {
                    m.put(fields[r.nextInt(fields.length)], RandomJson.value(r, 3));
                }
                return JsonCodec.stringify(m);
            }
        }
    }

    private static char jsonishChar(Random r) {
        String alphabet = "{}[]\":,.-+eE0123456789 truefalsnul\\/u\u2028\uD800\uDC00a_";
        return alphabet.charAt(r.nextInt(alphabet.length()));
    }

    private static int countNodes(@Nullable Object v) {
        int n = 1;
        if (v instanceof FrozenMap m) {
            for (Object child : m.values()) {
                n += countNodes(child);
            }
        } else if (v instanceof FrozenList l) {
            for (Object child : l) {
                n += countNodes(child);
            }
        }
        return n;
    }

    /** Returns {@code v} with its node number {@code countdown[0]} (pre-order) replaced by a random value. */
    private static @Nullable Object replaceNode(@Nullable Object v, int[] countdown, Random r) {
        if (countdown[0]-- == 0) {
            return r.nextInt(4) == 0 ? null : RandomJson.value(r, 2);
        }
        if (v instanceof FrozenMap m) {
            Map<String, @Nullable Object> copy = new LinkedHashMap<>();
            for (Map.Entry<String, @Nullable Object> e : m.entrySet()) {
                copy.put(e.getKey(), replaceNode(e.getValue(), countdown, r));
            }
            return copy;
        }
        if (v instanceof FrozenList l) {
            ArrayList<@Nullable Object> copy = new ArrayList<>();
            for (Object child : l) {
                copy.add(replaceNode(child, countdown, r));
            }
            return copy;
        }
        return v;
    }
}
