package dev.tandem.sync.core.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.sync.core.testing.Property;
import java.util.List;
import org.junit.jupiter.api.Test;

/** Chunking rules CH1–CH3 and CH9 of tldraw's sync-core spec. */
class ChunkerTest {

    @Test
    void chunk_CH1_shorterThanMax_isSentAsIs() {
        String message = "x".repeat(Chunker.MAX_SAFE_MESSAGE_SIZE - 1);
        assertThat(Chunker.chunk(message)).containsExactly(message);
        assertThat(Chunker.chunk("{}", 3)).containsExactly("{}");
        assertThat(Chunker.chunk("", 1)).containsExactly("");
    }

    @Test
    void chunk_CH1_exactlyMax_isChunked() {
        String message = "a".repeat(Chunker.MAX_SAFE_MESSAGE_SIZE - 2) + "bc";
        List<String> chunks = Chunker.chunk(message);
        // Cut from the end: 0_ takes 262142 characters, 1_ the 2 left over.
        assertThat(chunks).hasSize(2);
        assertThat(chunks.get(0)).isEqualTo("1_aa");
        assertThat(chunks.get(1))
                .hasSize(Chunker.MAX_SAFE_MESSAGE_SIZE)
                .startsWith("0_aaa")
                .endsWith("abc");
    }

    @Test
    void chunk_CH2_specExample_countsDownWithRemainderFirst() {
        assertThat(Chunker.chunk("{\"type\":\"ping\",\"x\":\"abcdefghij\"}", 10))
                .containsExactly("3_{\"type\":", "2_\"ping\",\"", "1_x\":\"abcd", "0_efghij\"}");
        assertThat(Chunker.chunk("abcdefghijk", 5)).containsExactly("3_ab", "2_cde", "1_fgh", "0_ijk");
    }

    @Test
    void chunk_CH2_manyChunks_prefixesWidenAndBodiesJoinToMessage() {
        String message = "0123456789".repeat(50);
        List<String> chunks = Chunker.chunk(message, 6);
        int total = chunks.size();
        StringBuilder joined = new StringBuilder();
        for (int i = 0; i < total; i++) {
            String prefix = (total - 1 - i) + "_";
            assertThat(chunks.get(i)).startsWith(prefix);
            joined.append(chunks.get(i).substring(prefix.length()));
        }
        assertThat(joined).hasToString(message);
        assertThat(chunks.get(total - 1)).isEqualTo("0_6789");
        assertThat(chunks.get(0)).startsWith((total - 1) + "_0");
    }

    @Test
    void chunk_CH3_everyChunkFitsTheLimit() {
        String message = "z".repeat(10_000);
        for (int max : new int[] {7, 100, 9_999, 10_000}) {
            assertThat(Chunker.chunk(message, max))
                    .allSatisfy(c -> assertThat(c.length()).isLessThanOrEqualTo(max));
        }
    }

    @Test
    void chunk_CH3_prefixAloneFillsLimit_eachChunkStillCarriesOneCharacter() {
        assertThat(Chunker.chunk("abcdefghijkl", 2))
                .containsExactly("11_a", "10_b", "9_c", "8_d", "7_e", "6_f", "5_g", "4_h", "3_i", "2_j", "1_k", "0_l");
    }

    @Test
    void chunk_CH9_surrogatePairAtCut_shrinksTheChunk() {
        String smile = "\uD83D\uDE00";
        // max 5: bodies of 3. Cutting "ab" + pair + "cd" (6 units) 3 from the end would split the pair, so the
        // last chunk shrinks to "cd" and the pair moves whole into the chunk before.
        List<String> chunks = Chunker.chunk("ab" + smile + "cd", 5);
        assertThat(chunks).containsExactly("2_a", "1_b" + smile, "0_cd");
    }

    @Test
    void chunk_CH9_surrogatePairInOneCharacterBody_growsTheChunk() {
        String smile = "\uD83D\uDE00";
        List<String> chunks = Chunker.chunk("a" + smile + smile, 2);
        assertThat(chunks).containsExactly("2_a", "1_" + smile, "0_" + smile);
    }

    @Test
    void chunk_badLimit_isRejected() {
        assertThatThrownBy(() -> Chunker.chunk("x", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxSize must be > 0 but was 0");
    }

    @Test
    void chunk_CH9_randomAstralText_neverSplitsAPairAndJoinsBack() {
        Property.forAll(
                3_000,
                r -> {
                    StringBuilder sb = new StringBuilder();
                    for (int i = r.nextInt(300); i > 0; i--) {
                        if (r.nextBoolean()) {
                            sb.appendCodePoint(0x10000 + r.nextInt(0x100000));
                        } else {
                            sb.append((char) ('a' + r.nextInt(26)));
                        }
                    }
                    return new Object[] {sb.toString(), 1 + r.nextInt(40)};
                },
                input -> {
                    String message = (String) input[0];
                    int max = (int) input[1];
                    List<String> chunks = Chunker.chunk(message, max);
                    StringBuilder joined = new StringBuilder();
                    for (int i = 0; i < chunks.size(); i++) {
                        String chunk = chunks.get(i);
                        if (message.length() >= max) {
                            String prefix = (chunks.size() - 1 - i) + "_";
                            assertThat(chunk).startsWith(prefix);
                            chunk = chunk.substring(prefix.length());
                            assertThat(chunk).isNotEmpty();
                        }
                        assertThat(Character.isLowSurrogate(chunk.isEmpty() ? 'x' : chunk.charAt(0)))
                                .isFalse();
                        assertThat(Character.isHighSurrogate(chunk.isEmpty() ? 'x' : chunk.charAt(chunk.length() - 1)))
                                .isFalse();
                        joined.append(chunk);
                    }
                    assertThat(joined).hasToString(message);
                });
    }
}
