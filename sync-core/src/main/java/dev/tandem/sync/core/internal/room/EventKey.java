package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.Principal;

/**
 * The key under which a room remembers and stores the result of an HTTP push event: the pushing principal
 * and the event's id, so one principal's event id never answers another's. Stores key results by a single
 * string, so the key is {@code <length of principal id>:<principal id>:<event id>}; the length prefix keeps
 * it unique whatever characters either id holds.
 */
final class EventKey {
    private EventKey() {}

    static String of(Principal principal, String eventId) {
        String p = principal.id();
        return p.length() + ":" + p + ":" + eventId;
    }

    /** Returns the result under another id (the event's, for the client; the key, for the store). */
    static EventResult answer(EventResult r, String id) {
        return r.id().equals(id) ? r : new EventResult(id, r.applied(), r.reason(), r.serverClock());
    }
}
