package dev.tandem.sync.server.internal.events;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.RoomEvents;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Logs the session lifecycle at INFO, one line per event: joined, left, rejected with the reason, dropped as a
 * slow consumer. Rooms log their own loads, unloads and store errors. Never logs payloads. Thread-safe.
 */
public final class LoggingRoomEvents implements RoomEvents {
    private static final Logger LOG = LoggerFactory.getLogger("dev.tandem.sync.server.sessions");

    @Override
    public void sessionConnected(String roomId, String sessionId, boolean readOnly) {
        LOG.info("session {} joined room {}{}", sessionId, roomId, readOnly ? " (read-only)" : "");
    }

    @Override
    public void sessionRejected(String roomId, String sessionId, CloseReason reason) {
        LOG.info("session {} rejected from room {}: {}", sessionId, roomId, reason.wireName());
    }

    @Override
    public void sessionRemoved(String roomId, String sessionId, int sessionsRemaining) {
        LOG.info("session {} left room {} ({} sessions remain)", sessionId, roomId, sessionsRemaining);
    }

    @Override
    public void slowConsumerDropped(String roomId, String sessionId) {
        LOG.info("session {} dropped from room {}: outgoing queue full", sessionId, roomId);
    }
}
