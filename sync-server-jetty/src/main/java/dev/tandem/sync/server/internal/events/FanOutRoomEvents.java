package dev.tandem.sync.server.internal.events;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.RoomEvents;
import java.time.Duration;
import java.util.List;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/** Passes every event to each listener in order; one listener's exception does not stop the others. */
public final class FanOutRoomEvents implements RoomEvents {
    private static final Logger LOG = LoggerFactory.getLogger(FanOutRoomEvents.class);
    private final List<RoomEvents> listeners;

    private FanOutRoomEvents(List<RoomEvents> listeners) {
        this.listeners = listeners;
    }

    /** Returns a listener that calls each of {@code listeners}, skipping {@link RoomEvents#NONE}. */
    public static RoomEvents of(RoomEvents... listeners) {
        List<RoomEvents> real =
                List.of(listeners).stream().filter(l -> l != RoomEvents.NONE).toList();
        return real.size() == 1 ? real.get(0) : new FanOutRoomEvents(real);
    }

    private void each(Consumer<RoomEvents> event) {
        for (RoomEvents l : listeners) {
            try {
                event.accept(l);
            } catch (RuntimeException e) {
                LOG.warn("room event listener {} failed", l.getClass().getName(), e);
            }
        }
    }

    @Override
    public void sessionOpened(String roomId, String sessionId) {
        each(l -> l.sessionOpened(roomId, sessionId));
    }

    @Override
    public void sessionConnected(String roomId, String sessionId, boolean readOnly) {
        each(l -> l.sessionConnected(roomId, sessionId, readOnly));
    }

    @Override
    public void sessionRejected(String roomId, String sessionId, CloseReason reason) {
        each(l -> l.sessionRejected(roomId, sessionId, reason));
    }

    @Override
    public void sessionRemoved(String roomId, String sessionId, int sessionsRemaining) {
        each(l -> l.sessionRemoved(roomId, sessionId, sessionsRemaining));
    }

    @Override
    public void pushHandled(String roomId, String sessionId, String action) {
        each(l -> l.pushHandled(roomId, sessionId, action));
    }

    @Override
    public void changesCommitted(String roomId, long documentClock, int recordsChanged) {
        each(l -> l.changesCommitted(roomId, documentClock, recordsChanged));
    }

    @Override
    public void changesPersisted(String roomId, long documentClock, Duration latency) {
        each(l -> l.changesPersisted(roomId, documentClock, latency));
    }

    @Override
    public void commitFailed(String roomId, Throwable error) {
        each(l -> l.commitFailed(roomId, error));
    }

    @Override
    public void roomLoaded(String roomId, long documentClock, int records, Duration loadTime) {
        each(l -> l.roomLoaded(roomId, documentClock, records, loadTime));
    }

    @Override
    public void roomUnloaded(String roomId) {
        each(l -> l.roomUnloaded(roomId));
    }

    @Override
    public void slowConsumerDropped(String roomId, String sessionId) {
        each(l -> l.slowConsumerDropped(roomId, sessionId));
    }

    @Override
    public void roomEmpty(String roomId) {
        each(l -> l.roomEmpty(roomId));
    }
}
