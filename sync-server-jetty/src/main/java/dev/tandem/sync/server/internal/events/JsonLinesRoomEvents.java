package dev.tandem.sync.server.internal.events;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.RoomEvents;
import java.time.Clock;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Writes each room event as one JSON object on one line, for analytics: {@code {"ts", "event", "room",
 * "session", "reason", …}} with the event's own numbers (clock, records, latency in ms). Never writes payloads.
 * The default sink is the SLF4J logger {@value #LOGGER} at INFO, which the standalone server's logging sends to
 * standard output as bare lines. Thread-safe if the sink is.
 */
public final class JsonLinesRoomEvents implements RoomEvents {
    /** The logger the default sink writes to. */
    public static final String LOGGER = "tandem.events";

    private final Consumer<String> sink;
    private final Clock clock;

    /** Writes to {@code sink}, time-stamped by {@code clock}. */
    public JsonLinesRoomEvents(Consumer<String> sink, Clock clock) {
        this.sink = Objects.requireNonNull(sink, "sink");
        this.clock = Objects.requireNonNull(clock, "clock");
    }

    /** Writes to the {@value #LOGGER} logger at INFO, when that logger is enabled. */
    public static RoomEvents toLog() {
        Logger log = LoggerFactory.getLogger(LOGGER);
        return log.isInfoEnabled() ? new JsonLinesRoomEvents(log::info, Clock.systemUTC()) : RoomEvents.NONE;
    }

    private void emit(String event, String room, @Nullable String session, @Nullable String reason, Object... extra) {
        Map<String, Object> line = new LinkedHashMap<>();
        line.put("ts", clock.instant().toString());
        line.put("event", event);
        line.put("room", room);
        if (session != null) {
            line.put("session", session);
        }
        if (reason != null) {
            line.put("reason", reason);
        }
        for (int i = 0; i + 1 < extra.length; i += 2) {
            line.put((String) extra[i], extra[i + 1]);
        }
        sink.accept(Json.stringify(line));
    }

    @Override
    public void sessionConnected(String roomId, String sessionId, boolean readOnly) {
        emit("session_joined", roomId, sessionId, null, "readOnly", readOnly);
    }

    @Override
    public void sessionRejected(String roomId, String sessionId, CloseReason reason) {
        emit("session_rejected", roomId, sessionId, reason.wireName());
    }

    @Override
    public void sessionRemoved(String roomId, String sessionId, int sessionsRemaining) {
        emit("session_left", roomId, sessionId, null, "sessionsRemaining", sessionsRemaining);
    }

    @Override
    public void slowConsumerDropped(String roomId, String sessionId) {
        emit("session_dropped", roomId, sessionId, "SLOW_CONSUMER");
    }

    @Override
    public void changesCommitted(String roomId, long documentClock, int recordsChanged) {
        emit("changes_committed", roomId, null, null, "clock", documentClock, "records", recordsChanged);
    }

    @Override
    public void changesPersisted(String roomId, long documentClock, Duration latency) {
        emit("changes_persisted", roomId, null, null, "clock", documentClock, "latencyMs", latency.toMillis());
    }

    @Override
    public void commitFailed(String roomId, Throwable error) {
        emit("commit_failed", roomId, null, error.getClass().getSimpleName());
    }

    @Override
    public void roomLoaded(String roomId, long documentClock, int records, Duration loadTime) {
        emit(
                "room_loaded",
                roomId,
                null,
                null,
                "clock",
                documentClock,
                "records",
                records,
                "loadMs",
                loadTime.toMillis());
    }

    @Override
    public void roomUnloaded(String roomId) {
        emit("room_unloaded", roomId, null, null);
    }

    @Override
    public void roomEmpty(String roomId) {
        emit("room_empty", roomId, null, null);
    }
}
