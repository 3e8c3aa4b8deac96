package dev.tandem.sync.core.internal.protocol;

import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.internal.json.Frozen;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A message from server to client (tldraw's {@code TLSocketServerSentEvent}). Immutable and thread-safe:
 * JSON parts are frozen on construction. Encoded and decoded by {@link ProtocolCodec}.
 */
public sealed interface ServerMessage {

    /** How a client rebuilds its store from a {@link Connect} reply. */
    enum HydrationType {
        WIPE_ALL("wipe_all"),
        WIPE_PRESENCE("wipe_presence");

        private final String wireName;

        HydrationType(String wireName) {
            this.wireName = wireName;
        }

        public String wireName() {
            return wireName;
        }
    }

    /** The handshake reply. {@code objectAccess} is null when not sent (clients read that as write). */
    record Connect(
            String connectRequestId,
            HydrationType hydrationType,
            int protocolVersion,
            Map<String, Object> schema,
            NetworkDiff diff,
            long serverClock,
            boolean isReadonly,
            @Nullable String objectAccess)
            implements ServerMessage {
        public Connect {
            Objects.requireNonNull(connectRequestId, "connectRequestId");
            Objects.requireNonNull(hydrationType, "hydrationType");
            schema = frozen(Objects.requireNonNull(schema, "schema"));
            Objects.requireNonNull(diff, "diff");
        }
    }

    /** A batch of patches and push results, in the order they were produced. */
    record Data(List<DataMessage> data) implements ServerMessage {
        public Data {
            data = List.copyOf(data);
        }
    }

    /** {@code pong}: the reply to {@code ping}. */
    record Pong() implements ServerMessage {
        public static final Pong INSTANCE = new Pong();
    }

    /** {@code custom}: host-defined data sent to one session. */
    record Custom(@Nullable Object data) implements ServerMessage {
        public Custom {
            data = Frozen.freeze(data);
        }
    }

    /** {@code incompatibility_error}: deprecated, sent only to protocol v5/v6 clients before a close. */
    record IncompatibilityError(String reason) implements ServerMessage {
        public IncompatibilityError {
            Objects.requireNonNull(reason, "reason");
        }
    }

    /** An element of {@link Data}; also accepted at the top level from legacy (v4) servers. */
    sealed interface DataMessage extends ServerMessage {}

    /** Other sessions' changes, document and/or presence. */
    record Patch(NetworkDiff diff, long serverClock) implements DataMessage {
        public Patch {
            Objects.requireNonNull(diff, "diff");
        }
    }

    /** The answer to one push. */
    record PushResult(long clientClock, long serverClock, PushAction action) implements DataMessage {
        public PushResult {
            Objects.requireNonNull(action, "action");
        }
    }

    /** What the server did with a push. */
    sealed interface PushAction {
        /** The push applied exactly as sent. */
        record Commit() implements PushAction {
            public static final Commit INSTANCE = new Commit();
        }

        /** Nothing of the push's document part applied. */
        record Discard() implements PushAction {
            public static final Discard INSTANCE = new Discard();
        }

        /** The push applied differently; {@code diff} is what actually changed. */
        record RebaseWithDiff(NetworkDiff diff) implements PushAction {
            public RebaseWithDiff {
                Objects.requireNonNull(diff, "diff");
            }
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> frozen(Map<String, Object> object) {
        return (Map<String, Object>) (Map<String, ?>) Frozen.freezeMap(object);
    }
}
