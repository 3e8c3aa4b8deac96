package dev.tandem.sync.core.internal.protocol;

import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

/**
 * Reassembles the frames one client sends into protocol messages ({@code reference/tldraw-sync-protocol.md}
 * §6.1), the counterpart of {@link Chunker}.
 *
 * <p>A frame starting with <code>{</code> while no chunked message is in progress is a whole message. Any
 * other frame must be a chunk {@code "<n>_<body>"} (n in ASCII digits; the body may hold any character,
 * line terminators included): the first chunk of a message announces {@code n + 1} chunks in all, and each
 * later one must count down by exactly one, ending at {@code 0_}, when the bodies are joined and decoded
 * with {@link ProtocolCodec#decodeClient}. Any error (a chunk out of order, a whole message in the middle
 * of a chunked one, a frame that is neither, a message that does not decode, one longer than the
 * configured maximum, or a first chunk announcing more than {@link #MAX_CHUNK_COUNT} chunks) discards what
 * was gathered and returns the assembler to idle; the caller is expected to close the session. The last two
 * are {@link Error#tooLarge()}, as tldraw 5.5's limits ({@code MAX_ASSEMBLED_MESSAGE_CHARS}, 16 Mi units,
 * Tandem's default maximum, and {@code MAX_CHUNK_COUNT}).
 *
 * <p>Memory is bounded: the bodies gathered for one message never exceed {@code maxMessageChars} UTF-16
 * units, checked as each chunk arrives, so a client cannot grow the server's memory by sending chunks that
 * never end. The bodies are kept as they arrived and joined once, into a string of exactly the message's
 * length, when the last one comes: what an unfinished message holds is the size of its bodies, never a
 * growing buffer's doubled capacity or the copy made while it grows.
 *
 * <pre>{@code
 * ChunkAssembler assembler = new ChunkAssembler(limits.maxMessageChars());
 * switch (assembler.accept(frame)) { ... }
 * }</pre>
 *
 * <p>Not thread-safe: create one per session and feed it that session's frames in the order they arrived,
 * from one thread at a time.
 */
public final class ChunkAssembler {

    /** What one frame produced. */
    public sealed interface Result {}

    /** A complete message. */
    public record Message(ClientMessage message) implements Result {
        public Message {
            Objects.requireNonNull(message, "message");
        }
    }

    /** A chunk was stored; more are expected. */
    public record Incomplete() implements Result {
        /** The only instance needed. */
        public static final Incomplete INSTANCE = new Incomplete();
    }

    /**
     * The frame was rejected; {@code message} says why. {@code tooLarge} when the message is over the size
     * limit or announces more than {@link #MAX_CHUNK_COUNT} chunks: resending it would fail the same way, so
     * the session is closed with {@code MESSAGE_TOO_LARGE}. The assembler is idle again.
     */
    public record Error(String message, boolean tooLarge) implements Result {
        public Error {
            Objects.requireNonNull(message, "message");
        }

        /** An error that is not about size. */
        public Error(String message) {
            this(message, false);
        }
    }

    /** Text of the error for a whole message arriving while a chunked one is in progress. */
    public static final String UNEXPECTED_NON_CHUNK = "Unexpected non-chunk message";

    /** Text of the error for a chunk whose number does not count down from the previous one. */
    public static final String WRONG_ORDER = "Chunks received in wrong order";

    /** Text of the error for a frame that is neither a whole message nor a chunk. */
    public static final String INVALID_CHUNK = "Invalid chunk";

    /** The most chunks one message may announce, tldraw 5.5's {@code MAX_CHUNK_COUNT}. */
    public static final long MAX_CHUNK_COUNT = 100_000;

    /** Chunk numbers longer than this cannot fit a long; no real sequence comes near. */
    private static final int MAX_CHUNK_NUMBER_DIGITS = 18;

    private final int maxMessageChars;

    /** The bodies so far, in order; empty when idle. */
    private final List<String> bodies = new ArrayList<>();

    /** The characters in {@link #bodies}. */
    private long gathered;

    /** Chunks the current message has in all, or -1 when idle. */
    private long total = -1;

    /** Chunks of the current message received so far. */
    private long received;

    /**
     * Creates an assembler that rejects messages longer than {@code maxMessageChars} UTF-16 units, whole or
     * chunked.
     *
     * @throws IllegalArgumentException if {@code maxMessageChars} is not positive
     */
    public ChunkAssembler(int maxMessageChars) {
        if (maxMessageChars <= 0) {
            throw new IllegalArgumentException("maxMessageChars must be > 0 but was " + maxMessageChars);
        }
        this.maxMessageChars = maxMessageChars;
    }

    /** Returns true when no chunked message is in progress. */
    public boolean isIdle() {
        return total < 0;
    }

    /** Takes the next frame received from the client and returns what it completed, if anything. */
    public Result accept(String frame) {
        Objects.requireNonNull(frame, "frame");
        if (frame.startsWith("{")) {
            if (!isIdle()) {
                return fail(UNEXPECTED_NON_CHUNK);
            }
            if (frame.length() > maxMessageChars) {
                return tooLarge(tooLong(frame.length()));
            }
            return decode(frame);
        }

        int digits = 0;
        while (digits < frame.length() && isAsciiDigit(frame.charAt(digits))) {
            digits++;
        }
        if (digits == 0
                || digits > MAX_CHUNK_NUMBER_DIGITS
                || digits == frame.length()
                || frame.charAt(digits) != '_') {
            return fail(INVALID_CHUNK);
        }
        long n = Long.parseLong(frame, 0, digits, 10);
        if (isIdle()) {
            if (n + 1 > MAX_CHUNK_COUNT) {
                return tooLarge("Too many chunks: " + (n + 1));
            }
            total = n + 1;
        } else if (n != total - received - 1) {
            return fail(WRONG_ORDER);
        }
        received++;
        int bodyLength = frame.length() - digits - 1;
        if (gathered + bodyLength > maxMessageChars) {
            return tooLarge(tooLong(gathered + bodyLength));
        }
        bodies.add(frame.substring(digits + 1));
        gathered += bodyLength;
        if (n > 0) {
            return Incomplete.INSTANCE;
        }
        String json = bodies.size() == 1 ? bodies.get(0) : String.join("", bodies);
        reset();
        return decode(json);
    }

    private Result decode(String json) {
        try {
            return new Message(ProtocolCodec.decodeClient(json));
        } catch (ProtocolException e) {
            return new Error(e.getMessage());
        }
    }

    private String tooLong(long length) {
        return "Message of at least " + length + " characters exceeds the maximum of " + maxMessageChars;
    }

    private Error fail(String message) {
        reset();
        return new Error(message);
    }

    private Error tooLarge(String message) {
        reset();
        return new Error(message, true);
    }

    private void reset() {
        total = -1;
        received = 0;
        gathered = 0;
        bodies.clear();
    }

    private static boolean isAsciiDigit(char c) {
        return c >= '0' && c <= '9';
    }
}
