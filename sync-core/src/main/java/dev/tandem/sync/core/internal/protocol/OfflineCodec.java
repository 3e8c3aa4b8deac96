package dev.tandem.sync.core.internal.protocol;

import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.PushEvent;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The JSON shapes of offline HTTP sync, shared by the server's {@code /sync/push} route and the client's
 * {@code SyncWorker} (which also keeps events in this shape in its outbox):
 *
 * <ul>
 *   <li>an event: {@code {"id", "roomId", "recordId", "typeName", "operation": "create"|"update"|"delete",
 *       "record"?, "patch"?, "clientTime"}}, {@code patch} an object diff as in the sync protocol;
 *   <li>a result: {@code {"id", "status": "applied"|"rejected", "reason"?, "serverClock"}}.
 * </ul>
 *
 * <p>Thread-safe and stateless.
 */
public final class OfflineCodec {
    private OfflineCodec() {}

    /** Returns the JSON form of an event (a map of plain JSON values). */
    public static Map<String, Object> eventJson(PushEvent e) {
        Objects.requireNonNull(e, "e");
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", e.id());
        out.put("roomId", e.roomId());
        out.put("recordId", e.recordId());
        out.put("typeName", e.typeName());
        out.put("operation", e.operation().wireName());
        if (e.record() != null) {
            out.put("record", e.record());
        }
        if (e.patch() != null) {
            out.put("patch", Json.parse(ProtocolCodec.encodeObjectDiff(e.patch())));
        }
        out.put("clientTime", e.clientTime());
        return out;
    }

    /** Returns the JSON text of an event. */
    public static String encodeEvent(PushEvent e) {
        return Json.stringify(eventJson(e));
    }

    /**
     * Returns the event id of a parsed event, or null if it has none (not an object, or no string {@code id}).
     */
    public static @Nullable String eventId(@Nullable Object json) {
        return json instanceof Map<?, ?> m && m.get("id") instanceof String id && !id.isEmpty() ? id : null;
    }

    /**
     * Decodes one parsed event.
     *
     * @param where the event's name in error messages, e.g. {@code events[3]}
     * @throws ProtocolException naming the bad field if the event is malformed
     */
    @SuppressWarnings("unchecked")
    public static PushEvent decodeEvent(@Nullable Object json, String where) {
        if (!(json instanceof Map<?, ?> m)) {
            throw new ProtocolException(where + " must be an object");
        }
        String id = string(m, "id", where);
        String roomId = string(m, "roomId", where);
        String recordId = string(m, "recordId", where);
        String typeName = string(m, "typeName", where);
        Object op = m.get("operation");
        PushEvent.Operation operation;
        if (op instanceof String s && s.equals(s.toLowerCase(Locale.ROOT))) {
            try {
                operation = PushEvent.Operation.valueOf(s.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException bad) {
                throw new ProtocolException(where + ".operation must be \"create\", \"update\" or \"delete\"");
            }
        } else {
            throw new ProtocolException(where + ".operation must be \"create\", \"update\" or \"delete\"");
        }
        Object record = m.get("record");
        if (record != null && !(record instanceof Map)) {
            throw new ProtocolException(where + ".record must be an object");
        }
        Object patchJson = m.get("patch");
        ObjectDiff patch = patchJson == null ? null : ProtocolCodec.decodeObjectDiff(patchJson, where + ".patch");
        Object time = m.get("clientTime");
        long clientTime;
        if (time == null) {
            clientTime = 0;
        } else if (time instanceof Number n && n.doubleValue() == Math.rint(n.doubleValue())) {
            clientTime = n.longValue();
        } else {
            throw new ProtocolException(where + ".clientTime must be an integer");
        }
        try {
            return new PushEvent(
                    id, roomId, recordId, typeName, operation, (Map<String, Object>) record, patch, clientTime);
        } catch (IllegalArgumentException | NullPointerException e) {
            throw new ProtocolException(where + ": " + e.getMessage());
        }
    }

    /** Returns the JSON form of a result. */
    public static Map<String, Object> resultJson(EventResult r) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("id", r.id());
        out.put("status", r.status());
        if (r.reason() != null) {
            out.put("reason", r.reason());
        }
        out.put("serverClock", r.serverClock());
        return out;
    }

    /**
     * Decodes one parsed result whose status is {@code applied} or {@code rejected}.
     *
     * @throws ProtocolException naming the bad field if the result is malformed or has another status
     */
    public static EventResult decodeResult(@Nullable Object json, String where) {
        if (!(json instanceof Map<?, ?> m)) {
            throw new ProtocolException(where + " must be an object");
        }
        String id = string(m, "id", where);
        Object status = m.get("status");
        boolean applied;
        if ("applied".equals(status)) {
            applied = true;
        } else if ("rejected".equals(status)) {
            applied = false;
        } else {
            throw new ProtocolException(where + ".status must be \"applied\" or \"rejected\"");
        }
        Object reason = m.get("reason");
        if (reason != null && !(reason instanceof String)) {
            throw new ProtocolException(where + ".reason must be a string");
        }
        Object clock = m.get("serverClock");
        if (!(clock instanceof Number n)) {
            throw new ProtocolException(where + ".serverClock must be a number");
        }
        return new EventResult(id, applied, (String) reason, n.longValue());
    }

    private static String string(Map<?, ?> m, String field, String where) {
        Object v = m.get(field);
        if (!(v instanceof String s) || s.isEmpty()) {
            throw new ProtocolException(where + "." + field + " must be a non-empty string");
        }
        return s;
    }
}
