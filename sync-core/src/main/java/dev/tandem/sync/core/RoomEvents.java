package dev.tandem.sync.core;

/**
 * Listener for what happens in rooms, for logs and metrics. Every method has a no-op default, so new events
 * break no implementation. Called on the room's lane: implementations must be fast and must not block or
 * throw (exceptions are logged and ignored).
 */
public interface RoomEvents {

    /** A connection was attached (before its handshake). */
    default void sessionOpened(String roomId, String sessionId) {}

    /** A session completed its handshake. */
    default void sessionConnected(String roomId, String sessionId, boolean readOnly) {}

    /** A session was rejected with a 4099 close. */
    default void sessionRejected(String roomId, String sessionId, CloseReason reason) {}

    /** A session was removed (after its grace period, a timeout, or a rejection). */
    default void sessionRemoved(String roomId, String sessionId, int sessionsRemaining) {}

    /**
     * A session's push was answered; {@code action} is {@code commit}, {@code discard} or {@code
     * rebaseWithDiff} (presence-only pushes are commits).
     */
    default void pushHandled(String roomId, String sessionId, String action) {}

    /** A push or host update committed; {@code documentClock} is the clock after it. */
    default void changesCommitted(String roomId, long documentClock, int recordsChanged) {}

    /** A room's changes up to {@code documentClock} became durable in the store after {@code latency}. */
    default void changesPersisted(String roomId, long documentClock, java.time.Duration latency) {}

    /** A store commit failed; it is retried. */
    default void commitFailed(String roomId, Throwable error) {}

    /** A room was loaded from its store (or created empty). */
    default void roomLoaded(String roomId, long documentClock, int records, java.time.Duration loadTime) {}

    /** A room was flushed and unloaded after its last session left. */
    default void roomUnloaded(String roomId) {}

    /** A session's outgoing queue was full and the session was dropped. */
    default void slowConsumerDropped(String roomId, String sessionId) {}

    /** The last session left the room. */
    default void roomEmpty(String roomId) {}

    /** The no-op listener. */
    RoomEvents NONE = new RoomEvents() {};
}
