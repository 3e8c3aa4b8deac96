package dev.tandem.sync.server.internal.ws;

import dev.tandem.sync.server.internal.budget.ByteBudget;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;

/**
 * The fragments of one WebSocket message still arriving, kept as they came and counted against the node's budget
 * for unfinished messages until the message is whole, when they are joined once at the message's exact size.
 * A text fragment counts 2 bytes a character (its heap size), a binary one its length.
 *
 * <p>Thread-safe: a connection's frame callbacks add to it, and its end may clear it from another thread.
 */
final class MessageFragments {
    /** What adding a fragment did. */
    enum Added {
        /** Kept; the message is not whole yet. */
        KEPT,
        /** The message is now whole: take it with {@link #joinText()} or {@link #joinBinary()}. */
        WHOLE,
        /** The message would be over its size limit; everything was dropped. */
        TOO_LARGE,
        /** The node's budget is spent; everything was dropped. */
        BUDGET_SPENT
    }

    private final long maxMessageBytes;
    private final ByteBudget budget;
    private final List<Object> pieces = new ArrayList<>();
    /** The UTF-8 bytes of the pieces, checked against {@link #maxMessageBytes}. */
    private long bytes;
    /** What the pieces hold of {@link #budget}. */
    private long held;

    MessageFragments(long maxMessageBytes, ByteBudget budget) {
        this.maxMessageBytes = maxMessageBytes;
        this.budget = budget;
    }

    synchronized boolean isEmpty() {
        return pieces.isEmpty();
    }

    /** Returns the UTF-8 bytes of the message so far. */
    synchronized long bytes() {
        return bytes;
    }

    /** Adds a text fragment of {@code utf8Bytes} UTF-8 bytes; {@code last} if it ends the message. */
    synchronized Added addText(String text, long utf8Bytes, boolean last) {
        return add(text, utf8Bytes, 2L * text.length(), last);
    }

    /** Adds a binary fragment; {@code last} if it ends the message. */
    synchronized Added addBinary(byte[] data, boolean last) {
        return add(data, data.length, data.length, last);
    }

    private Added add(Object piece, long utf8Bytes, long heapBytes, boolean last) {
        if (bytes + utf8Bytes > maxMessageBytes) {
            clear();
            return Added.TOO_LARGE;
        }
        if (!budget.tryAcquire(heapBytes)) {
            clear();
            return Added.BUDGET_SPENT;
        }
        pieces.add(piece);
        bytes += utf8Bytes;
        held += heapBytes;
        return last ? Added.WHOLE : Added.KEPT;
    }

    /** Returns the text message the fragments make, and clears them. */
    synchronized String joinText() {
        StringBuilder joined = new StringBuilder((int) Math.min(Integer.MAX_VALUE - 8, bytes));
        for (Object piece : pieces) {
            joined.append((String) piece);
        }
        clear();
        return joined.toString();
    }

    /** Returns the binary message the fragments make, decoded as UTF-8, and clears them. */
    synchronized String joinBinary() {
        byte[] joined = new byte[(int) bytes];
        int at = 0;
        for (Object piece : pieces) {
            byte[] b = (byte[]) piece;
            System.arraycopy(b, 0, joined, at, b.length);
            at += b.length;
        }
        clear();
        return new String(joined, StandardCharsets.UTF_8);
    }

    /** Drops every fragment and gives back what they held of the budget. */
    synchronized void clear() {
        pieces.clear();
        bytes = 0;
        budget.release(held);
        held = 0;
    }
}
