package dev.tandem.sync.core.internal.protocol;

import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.internal.json.JsonCodec;
import dev.tandem.sync.core.internal.json.JsonWriter;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * Encodes and decodes tldraw sync protocol v8 messages ({@code reference/tldraw-sync-protocol.md} §2, §3.1)
 * as JSON text. Servers use {@link #decodeClient} and {@link #encode(ServerMessage)}; the Java client uses
 * {@link #encode(ClientMessage)} and {@link #decodeServer}.
 *
 * <p>Decoding is strict about everything it understands and ignores what it does not: a missing or mistyped
 * field, an unknown message type or op, an append whose offset is not a non-negative integer, or a put whose
 * record is not an object each throw a {@link ProtocolException} naming the place, such as {@code
 * push.diff["shape:1"][1] must be an object}; unknown fields and extra tuple elements are ignored, as a
 * JavaScript peer ignores them. Decoding never throws anything else for any input string.
 *
 * <p>The document diff of a client's {@code push} is the exception: it is read as tldraw's server reads it.
 * Ops that server ignores (an unknown op, an op that is not an array, an append of a value that is neither a
 * string nor an array or at an offset no length can have) are left out and {@link ClientMessage.Push#diffAsSent}
 * is cleared; a put of a value that is not an object decodes as a put of an empty record (which the room
 * refuses as {@code INVALID_RECORD}, as tldraw does); only a {@code null} op or a put or patch without its
 * payload, a {@code TypeError} in tldraw, throws.
 *
 * <p>Encoding writes fields in tldraw's order and omits optional fields that are null. Output is what
 * {@code JSON.stringify} would produce for the same message.
 *
 * <pre>{@code
 * ClientMessage msg = ProtocolCodec.decodeClient(frameText);
 * String reply = ProtocolCodec.encode(new ServerMessage.Data(List.of(result)));
 * }</pre>
 *
 * <p>Thread-safe and stateless.
 */
public final class ProtocolCodec {
    /** The protocol version this codec speaks: tldraw's {@code TLSYNC_PROTOCOL_VERSION}. */
    public static final int PROTOCOL_VERSION = 8;

    private ProtocolCodec() {}

    /**
     * Decodes a message sent by a client.
     *
     * @throws ProtocolException if {@code json} is not a well-formed {@code connect}, {@code push} or
     *     {@code ping} message
     */
    public static ClientMessage decodeClient(String json) {
        return MessageDecoder.decodeClient(json);
    }

    /**
     * Decodes a message sent by a server, including the legacy (protocol v4) top-level {@code patch} and
     * {@code push_result}, which decode to {@link ServerMessage.Patch} and {@link ServerMessage.PushResult}.
     *
     * @throws ProtocolException if {@code json} is not a well-formed server message
     */
    public static ServerMessage decodeServer(String json) {
        return MessageDecoder.decodeServer(json);
    }

    /**
     * Returns the JSON text of an object diff, as it appears inside a {@code patch} op: {@code {"key": ["put",
     * value], …}}. Used by HTTP push, whose update events carry a patch.
     */
    public static String encodeObjectDiff(ObjectDiff diff) {
        Objects.requireNonNull(diff, "diff");
        return JsonCodec.write(w -> MessageEncoder.writeObjectDiff(w, diff));
    }

    /**
     * Decodes an object diff from its parsed JSON form (see {@link dev.tandem.sync.core.Json#parse}).
     *
     * @param field the name used for the value in error messages, e.g. {@code events[3].patch}
     * @throws ProtocolException naming the bad op if {@code json} is not a well-formed object diff
     */
    public static ObjectDiff decodeObjectDiff(@Nullable Object json, String field) {
        Objects.requireNonNull(field, "field");
        return MessageDecoder.objectDiff(dev.tandem.sync.core.Json.freeze(json), MessagePath.root(field));
    }

    /** Returns the JSON text of a client message. */
    public static String encode(ClientMessage message) {
        Objects.requireNonNull(message, "message");
        return JsonCodec.write(w -> MessageEncoder.writeClient(w, message));
    }

    /** Appends the JSON text of a client message to {@code out}. */
    public static void encode(ClientMessage message, StringBuilder out) {
        Objects.requireNonNull(message, "message");
        MessageEncoder.writeClient(new JsonWriter(out), message);
    }

    /** Returns the JSON text of a server message. */
    public static String encode(ServerMessage message) {
        Objects.requireNonNull(message, "message");
        return JsonCodec.write(w -> MessageEncoder.writeServer(w, message));
    }

    /** Receives a message's text piece by piece. */
    @FunctionalInterface
    public interface Pieces {
        /** Takes the next piece; {@code last} is true for the message's final piece. */
        void accept(String text, boolean last);
    }

    /**
     * Encodes a server message in pieces of about {@code pieceChars} characters (or more: pieces end between two
     * records of a diff), handing each to {@code out} as soon as it is written, so a large connect reply can be
     * on its way while the rest is encoded. A message shorter than that comes as one piece, last.
     */
    public static void encode(ServerMessage message, int pieceChars, Pieces out) {
        Objects.requireNonNull(message, "message");
        Objects.requireNonNull(out, "out");
        StringBuilder sb = new StringBuilder(Math.min(pieceChars, 1 << 16) + 1024);
        MessageEncoder.writeServer(new JsonWriter(sb, pieceChars, piece -> out.accept(piece, false)), message);
        out.accept(sb.toString(), true);
    }

    /** Appends the JSON text of a server message to {@code out}. */
    public static void encode(ServerMessage message, StringBuilder out) {
        Objects.requireNonNull(message, "message");
        MessageEncoder.writeServer(new JsonWriter(out), message);
    }
}
