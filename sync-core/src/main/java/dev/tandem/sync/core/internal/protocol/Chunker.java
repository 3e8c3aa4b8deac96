package dev.tandem.sync.core.internal.protocol;

import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Objects;

/**
 * Splits an outgoing client message into frames of at most {@link #MAX_SAFE_MESSAGE_SIZE} UTF-16 units, as
 * tldraw's client does ({@code reference/tldraw-sync-protocol.md} §6.1), for {@link ChunkAssembler} on the
 * other side to join.
 *
 * <p>A message shorter than the limit goes as it is. A longer one becomes frames {@code "<n>_<body>"}
 * where {@code n} counts the frames still to come, down to {@code 0_}. Bodies are cut from the end of the
 * message backwards, each as long as the limit allows after its prefix (at least one character), so the
 * first frame carries the odd-sized remainder. Unlike tldraw 5.4.2, and as its later spec (CH9) requires,
 * a surrogate pair is never split: WebSocket text frames must be valid UTF-16, and a lone half would arrive
 * as U+FFFD. The cut moves by one character instead, shrinking the body, or growing it when it would
 * otherwise be empty.
 *
 * <pre>{@code
 * for (String frame : Chunker.chunk(ProtocolCodec.encode(push))) {
 *     socket.sendText(frame);
 * }
 * }</pre>
 *
 * <p>Thread-safe and stateless.
 */
public final class Chunker {
    /** tldraw's limit: Cloudflare's 1 MiB message limit over 4 bytes per character, worst case. */
    public static final int MAX_SAFE_MESSAGE_SIZE = 262_144;

    private Chunker() {}

    /** Returns the frames for {@code message} with tldraw's limit of {@link #MAX_SAFE_MESSAGE_SIZE}. */
    public static List<String> chunk(String message) {
        return chunk(message, MAX_SAFE_MESSAGE_SIZE);
    }

    /**
     * Returns the frames for {@code message}, each at most {@code maxSize} UTF-16 units long except when a
     * prefix alone fills the limit, or a surrogate pair cannot otherwise stay whole.
     *
     * @throws IllegalArgumentException if {@code maxSize} is not positive
     */
    public static List<String> chunk(String message, int maxSize) {
        Objects.requireNonNull(message, "message");
        if (maxSize <= 0) {
            throw new IllegalArgumentException("maxSize must be > 0 but was " + maxSize);
        }
        if (message.length() < maxSize) {
            return List.of(message);
        }
        List<String> chunks = new ArrayList<>(message.length() / Math.max(1, maxSize - 8) + 2);
        int end = message.length();
        for (int n = 0; end > 0; n++) {
            String prefix = n + "_";
            int bodySize = Math.max(maxSize - prefix.length(), 1);
            int start = Math.max(end - bodySize, 0);
            if (start > 0
                    && Character.isHighSurrogate(message.charAt(start - 1))
                    && Character.isLowSurrogate(message.charAt(start))) {
                start += end - start > 1 ? 1 : -1;
            }
            chunks.add(prefix + message.substring(start, end));
            end = start;
        }
        Collections.reverse(chunks);
        return Collections.unmodifiableList(chunks);
    }
}
