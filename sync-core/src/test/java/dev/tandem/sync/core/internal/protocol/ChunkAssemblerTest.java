package dev.tandem.sync.core.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.internal.json.RandomJson;
import dev.tandem.sync.core.internal.protocol.ChunkAssembler.Incomplete;
import dev.tandem.sync.core.internal.protocol.ChunkAssembler.Result;
import dev.tandem.sync.core.testing.Property;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Assembly rules CH4–CH8 of tldraw's sync-core spec, plus the size limit. */
class ChunkAssemblerTest {
    private static final String PING = "{\"type\":\"ping\"}";

    private final ChunkAssembler assembler = new ChunkAssembler(1_000_000);

    private static Result message(ClientMessage m) {
        return new ChunkAssembler.Message(m);
    }

    private static Result error(String message) {
        return new ChunkAssembler.Error(message);
    }

    private static Result tooLarge(String message) {
        return new ChunkAssembler.Error(message, true);
    }

    @Test
    void assembler_CH4_wholeMessageWhileIdle_isDecodedAtOnce() {
        assertThat(assembler.accept(PING)).isEqualTo(message(ClientMessage.Ping.INSTANCE));
        assertThat(assembler.isIdle()).isTrue();
    }

    @Test
    void assembler_CH4_wholeMessageInvalidJson_isErrorAndStaysUsable() {
        Result r = assembler.accept("{\"type\":");
        assertThat(r).isInstanceOf(ChunkAssembler.Error.class);
        assertThat(((ChunkAssembler.Error) r).message()).startsWith("malformed JSON at line 1, column 9:");
        assertThat(assembler.accept("{\"type\":\"nope\"}")).isEqualTo(error("unknown client message type \"nope\""));
        assertThat(assembler.accept(PING)).isEqualTo(message(ClientMessage.Ping.INSTANCE));
    }

    @Test
    void assembler_CH5_wholeMessageMidSequence_isErrorAndResets() {
        assertThat(assembler.accept("1_{\"type\":")).isEqualTo(Incomplete.INSTANCE);
        assertThat(assembler.isIdle()).isFalse();
        assertThat(assembler.accept(PING)).isEqualTo(error("Unexpected non-chunk message"));
        assertThat(assembler.isIdle()).isTrue();
        // The partial sequence is gone: a fresh sequence works.
        assertThat(assembler.accept("1_{\"type\":")).isEqualTo(Incomplete.INSTANCE);
        assertThat(assembler.accept("0_\"ping\"}")).isEqualTo(message(ClientMessage.Ping.INSTANCE));
    }

    @Test
    void assembler_CH6_chunksAccumulateUntilZero() {
        assertThat(assembler.accept("3_{\"type\":")).isEqualTo(Incomplete.INSTANCE);
        assertThat(assembler.accept("2_\"ping\",\"")).isEqualTo(Incomplete.INSTANCE);
        assertThat(assembler.accept("1_x\":\"abcd")).isEqualTo(Incomplete.INSTANCE);
        assertThat(assembler.accept("0_efghij\"}")).isEqualTo(message(ClientMessage.Ping.INSTANCE));
        assertThat(assembler.isIdle()).isTrue();
    }

    @Test
    void assembler_CH6_singleZeroChunk_isAWholeMessage() {
        assertThat(assembler.accept("0_" + PING)).isEqualTo(message(ClientMessage.Ping.INSTANCE));
    }

    @Test
    void assembler_CH6_joinedChunksInvalid_isErrorAndResets() {
        assertThat(assembler.accept("1_{\"type\"")).isEqualTo(Incomplete.INSTANCE);
        Result r = assembler.accept("0_\"ping\"}");
        assertThat(r).isInstanceOf(ChunkAssembler.Error.class);
        assertThat(((ChunkAssembler.Error) r).message())
                .isEqualTo(
                        "malformed JSON at line 1, column 8: Unexpected character ('\"' (code 34)): was expecting a colon to separate property name and value");
        assertThat(assembler.isIdle()).isTrue();
        assertThat(assembler.accept(PING)).isEqualTo(message(ClientMessage.Ping.INSTANCE));
    }

    @Test
    void assembler_CH7_chunkOutOfOrder_isErrorAndResets() {
        assertThat(assembler.accept("2_{\"type\"")).isEqualTo(Incomplete.INSTANCE);
        assertThat(assembler.accept("0_:\"ping\"}")).isEqualTo(error("Chunks received in wrong order"));
        assertThat(assembler.isIdle()).isTrue();
        assertThat(assembler.accept("1_{\"type\"")).isEqualTo(Incomplete.INSTANCE);
        assertThat(assembler.accept("1_{\"type\"")).isEqualTo(error("Chunks received in wrong order"));
        assertThat(assembler.accept("1_{\"type\"")).isEqualTo(Incomplete.INSTANCE);
        assertThat(assembler.accept("2_x")).isEqualTo(error("Chunks received in wrong order"));
    }

    @Test
    void assembler_CH7_neitherJsonNorChunk_isInvalidChunk() {
        for (String frame : List.of(
                "", "hello", "_x", "12", "12x_", " {\"type\":\"ping\"}", "[1]", "١_x", "1234567890123456789_x")) {
            assertThat(assembler.accept(frame)).as(frame).isEqualTo(error("Invalid chunk"));
        }
        assertThat(assembler.accept("1_a")).isEqualTo(Incomplete.INSTANCE);
        assertThat(assembler.accept("zz")).isEqualTo(error("Invalid chunk"));
        assertThat(assembler.isIdle()).isTrue();
    }

    @Test
    void assembler_CH8_lineTerminatorsInsideChunks_arePreserved() {
        String text = "a\u2028b\u2029c\nd\re";
        ClientMessage connect = new ClientMessage.Connect(text, 5, 8, null);
        String json = ProtocolCodec.encode(connect);
        assertThat(json).contains("\u2028").contains("\u2029");
        List<String> chunks = Chunker.chunk(json, 4);
        assertThat(chunks).anySatisfy(c -> assertThat(c).endsWith("\u2028"));
        Result last = null;
        for (String chunk : chunks) {
            last = assembler.accept(chunk);
        }
        assertThat(last).isEqualTo(message(connect));
        assertThat(assembler.accept("1_\u2028")).isEqualTo(Incomplete.INSTANCE);
        assertThat(assembler.accept("0_\n")).isInstanceOf(ChunkAssembler.Error.class);
    }

    @Test
    void assembler_wholeMessageOverLimit_isError() {
        ChunkAssembler small = new ChunkAssembler(20);
        assertThat(small.accept(PING)).isEqualTo(message(ClientMessage.Ping.INSTANCE));
        String big = "{\"type\":\"ping\",\"x\":1}";
        assertThat(small.accept(big))
                .isEqualTo(tooLarge("Message of at least 21 characters exceeds the maximum of 20"));
        assertThat(small.accept("{\"type\":\"ping\",\"x\":}")).isInstanceOf(ChunkAssembler.Error.class);
    }

    @Test
    void assembler_chunksOverLimit_isErrorBeforeStoringThem() {
        ChunkAssembler small = new ChunkAssembler(20);
        assertThat(small.accept("9_" + "x".repeat(15))).isEqualTo(Incomplete.INSTANCE);
        assertThat(small.accept("8_" + "y".repeat(5))).isEqualTo(Incomplete.INSTANCE);
        assertThat(small.accept("7_z"))
                .isEqualTo(tooLarge("Message of at least 21 characters exceeds the maximum of 20"));
        assertThat(small.isIdle()).isTrue();
        // Empty chunks cost nothing and are harmless.
        assertThat(small.accept("99999_")).isEqualTo(Incomplete.INSTANCE);
        for (int i = 0; i < 1000; i++) {
            assertThat(small.accept((99998 - i) + "_")).isEqualTo(Incomplete.INSTANCE);
        }
        assertThat(small.accept("5_x")).isEqualTo(error("Chunks received in wrong order"));
    }

    @Test
    void assembler_firstChunkAnnouncingOver100000Chunks_isTooLarge() {
        // tldraw 5.5's MAX_CHUNK_COUNT: refused on arrival, before anything is gathered
        assertThat(assembler.accept("100000_{\"type\":")).isEqualTo(tooLarge("Too many chunks: 100001"));
        assertThat(assembler.isIdle()).isTrue();
        assertThat(assembler.accept("999999999999999999_")).isEqualTo(tooLarge("Too many chunks: 1000000000000000000"));
        assertThat(assembler.accept("99999_{\"type\":")).isEqualTo(Incomplete.INSTANCE);
        // only the first chunk announces the count
        assertThat(assembler.accept("99998_\"ping\"}")).isEqualTo(Incomplete.INSTANCE);
    }

    @Test
    void assembler_onlySizeErrorsAreTooLarge() {
        ChunkAssembler small = new ChunkAssembler(20);
        assertThat(small.accept("2_x")).isEqualTo(Incomplete.INSTANCE);
        assertThat(small.accept("0_x")).isEqualTo(error("Chunks received in wrong order"));
        assertThat(small.accept("x_")).isEqualTo(error("Invalid chunk"));
        assertThat(small.accept("0_{")).isInstanceOf(ChunkAssembler.Error.class).isNotEqualTo(tooLarge("x"));
        assertThat(((ChunkAssembler.Error) small.accept("0_{")).tooLarge()).isFalse();
        // exactly at the limit is fine
        assertThat(small.accept("1_{\"type\":\"ping\"")).isEqualTo(Incomplete.INSTANCE);
        assertThat(small.accept("0_,\"\":1}")).isEqualTo(message(ClientMessage.Ping.INSTANCE));
    }

    @Test
    void assembler_badLimit_isRejected() {
        assertThatThrownBy(() -> new ChunkAssembler(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxMessageChars must be > 0 but was 0");
    }

    @Test
    void chunkerThenAssembler_randomMessagesWithAstralText_roundTrip() {
        ChunkAssembler big = new ChunkAssembler(10_000_000);
        Property.forAll(
                2_000,
                r -> {
                    ClientMessage m;
                    if (r.nextBoolean()) {
                        m = RandomMessages.client(r);
                    } else {
                        // A push with long text, astral characters and lone surrogates in values.
                        Map<String, Object> record = new LinkedHashMap<>();
                        record.put("id", "shape:1");
                        record.put("typeName", "shape");
                        StringBuilder text = new StringBuilder();
                        for (int i = r.nextInt(2000); i > 0; i--) {
                            text.append(RandomJson.string(r));
                        }
                        record.put("text", text.toString());
                        m = new ClientMessage.Push(
                                r.nextInt(100), NetworkDiff.of(Map.of("shape:1", new RecordOp.Put(record))), null);
                    }
                    return new Object[] {m, 2 + r.nextInt(r.nextBoolean() ? 30 : 5000)};
                },
                input -> {
                    ClientMessage m = (ClientMessage) input[0];
                    int max = (int) input[1];
                    List<String> frames = Chunker.chunk(ProtocolCodec.encode(m), max);
                    for (int i = 0; i < frames.size() - 1; i++) {
                        assertThat(big.accept(frames.get(i))).isEqualTo(Incomplete.INSTANCE);
                    }
                    for (String frame : frames) {
                        // Encoded JSON escapes lone surrogates, so every frame is well-formed UTF-16.
                        assertThat(frame.codePoints().noneMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF))
                                .isTrue();
                    }
                    assertThat(big.accept(frames.get(frames.size() - 1))).isEqualTo(message(m));
                    assertThat(big.isIdle()).isTrue();
                });
    }
}
