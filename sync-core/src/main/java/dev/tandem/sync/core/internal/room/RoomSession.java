package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.Scheduler;
import dev.tandem.sync.core.SessionSocket;
import dev.tandem.sync.core.internal.schema.ClientMigrations;
import java.util.ArrayList;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** One client session of a room. Confined to the room's lane. */
final class RoomSession {
    enum State {
        AWAITING_CONNECT("awaiting-connect"),
        CONNECTED("connected"),
        AWAITING_REMOVAL("awaiting-removal");

        final String wireName;

        State(String wireName) {
            this.wireName = wireName;
        }
    }

    final String sessionId;
    final Connection connection;
    final SessionSocket socket;
    /** Changes when a policy change downgrades or upgrades the session. */
    boolean readOnly;

    final Map<String, Object> meta;
    State state = State.AWAITING_CONNECT;
    /** Kept across a resume with the same session id, so peers see no presence churn. */
    @Nullable
    String presenceId;

    boolean requiresLegacyRejection;
    boolean supportsStringAppend = true;
    /** Whether {@link Sessions} counts this session among the connected ones without string appends. */
    boolean countedAsLegacyAppend;
    /** Null until the handshake; empty when the client's schema equals the room's. */
    @Nullable
    ClientMigrations migrations;

    long lastInteractionNanos;
    /** The one timer of this session: connect deadline, idle check or removal, by state. */
    Scheduler.@Nullable Cancellable timer;

    /** Encoded data messages waiting for the end of the batch window, in order. */
    final ArrayList<String> outgoing = new ArrayList<>();

    boolean batchWindowOpen;
    /** When the open batch window ends, on the scheduler's clock. */
    long windowEndsNanos;
    /** Set when a push result flushed the open window before its end; the window then keeps its phase. */
    boolean windowFlushedEarly;
    /** Set when a send failed; the session is dropped at the end of the current lane task. */
    boolean sendFailed;

    RoomSession(String sessionId, Connection connection, boolean readOnly, Map<String, Object> meta) {
        this.sessionId = sessionId;
        this.connection = connection;
        this.socket = connection.socket;
        this.readOnly = readOnly;
        this.meta = meta;
    }

    boolean isConnected() {
        return state == State.CONNECTED;
    }

    boolean needsMigration() {
        return migrations != null && !migrations.isEmpty();
    }

    void cancelTimers() {
        if (timer != null) {
            timer.cancel();
            timer = null;
        }
        batchWindowOpen = false;
    }
}
