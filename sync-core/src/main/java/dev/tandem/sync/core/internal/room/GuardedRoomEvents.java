package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.RoomEvents;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A user's {@link RoomEvents} wrapped once, where it enters (in {@code RoomOptions.Builder.events}): an exception
 * it throws is logged and changes nothing the room does. The first failure and every 1,000th after it are logged
 * at WARN with the exception, the others at DEBUG, so a listener that always throws cannot flood the log.
 * Thread-safe if the wrapped listener is.
 */
public final class GuardedRoomEvents implements RoomEvents {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedRoomEvents.class);

    private final RoomEvents delegate;
    private final AtomicLong failures = new AtomicLong();

    private GuardedRoomEvents(RoomEvents delegate) {
        this.delegate = delegate;
    }

    /** Returns {@code events} guarded; {@link RoomEvents#NONE} and an already guarded listener as they are. */
    public static RoomEvents of(RoomEvents events) {
        return events == RoomEvents.NONE || events instanceof GuardedRoomEvents
                ? events
                : new GuardedRoomEvents(events);
    }

    private void failed(String event, RuntimeException e) {
        long n = failures.incrementAndGet();
        if (n == 1 || n % 1000 == 0) {
            LOG.warn("room event listener {} threw in {} ({} failures so far); ignored", delegate, event, n, e);
        } else {
            LOG.debug("room event listener {} threw in {}; ignored", delegate, event, e);
        }
    }

    @Override
    public void sessionOpened(String roomId, String sessionId) {
        try {
            delegate.sessionOpened(roomId, sessionId);
        } catch (RuntimeException e) {
            failed("sessionOpened", e);
        }
    }

    @Override
    public void sessionConnected(String roomId, String sessionId, boolean readOnly) {
        try {
            delegate.sessionConnected(roomId, sessionId, readOnly);
        } catch (RuntimeException e) {
            failed("sessionConnected", e);
        }
    }

    @Override
    public void sessionRejected(String roomId, String sessionId, CloseReason reason) {
        try {
            delegate.sessionRejected(roomId, sessionId, reason);
        } catch (RuntimeException e) {
            failed("sessionRejected", e);
        }
    }

    @Override
    public void sessionRemoved(String roomId, String sessionId, int sessionsRemaining) {
        try {
            delegate.sessionRemoved(roomId, sessionId, sessionsRemaining);
        } catch (RuntimeException e) {
            failed("sessionRemoved", e);
        }
    }

    @Override
    public void pushHandled(String roomId, String sessionId, String action) {
        try {
            delegate.pushHandled(roomId, sessionId, action);
        } catch (RuntimeException e) {
            failed("pushHandled", e);
        }
    }

    @Override
    public void changesCommitted(String roomId, long documentClock, int recordsChanged) {
        try {
            delegate.changesCommitted(roomId, documentClock, recordsChanged);
        } catch (RuntimeException e) {
            failed("changesCommitted", e);
        }
    }

    @Override
    public void changesPersisted(String roomId, long documentClock, Duration latency) {
        try {
            delegate.changesPersisted(roomId, documentClock, latency);
        } catch (RuntimeException e) {
            failed("changesPersisted", e);
        }
    }

    @Override
    public void commitFailed(String roomId, Throwable error) {
        try {
            delegate.commitFailed(roomId, error);
        } catch (RuntimeException e) {
            failed("commitFailed", e);
        }
    }

    @Override
    public void roomLoaded(String roomId, long documentClock, int records, Duration loadTime) {
        try {
            delegate.roomLoaded(roomId, documentClock, records, loadTime);
        } catch (RuntimeException e) {
            failed("roomLoaded", e);
        }
    }

    @Override
    public void roomUnloaded(String roomId) {
        try {
            delegate.roomUnloaded(roomId);
        } catch (RuntimeException e) {
            failed("roomUnloaded", e);
        }
    }

    @Override
    public void slowConsumerDropped(String roomId, String sessionId) {
        try {
            delegate.slowConsumerDropped(roomId, sessionId);
        } catch (RuntimeException e) {
            failed("slowConsumerDropped", e);
        }
    }

    @Override
    public void roomEmpty(String roomId) {
        try {
            delegate.roomEmpty(roomId);
        } catch (RuntimeException e) {
            failed("roomEmpty", e);
        }
    }

    @Override
    public String toString() {
        return "guarded " + delegate;
    }
}
