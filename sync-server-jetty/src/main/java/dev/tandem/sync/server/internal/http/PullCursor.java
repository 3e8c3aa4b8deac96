package dev.tandem.sync.server.internal.http;

import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.PullPage;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The opaque cursor of {@code POST /sync/pull}: each room's {@link PullPage.Position}, as base64url (no
 * padding) of the compact JSON {@code {"v":1,"r":{"roomId":[clock,"recordId",resyncFrom],…}}}. Clients treat
 * it as an opaque string; the server accepts only what it could have written.
 *
 * @param positions each room's position; a room not listed starts from {@link PullPage.Position#START}
 */
record PullCursor(Map<String, PullPage.Position> positions) {
    /** The cursor format's version. */
    static final long VERSION = 1;
    /** The most rooms one cursor holds. */
    static final int MAX_ROOMS = 1_000;
    /** The longest cursor accepted, in characters. */
    static final int MAX_LENGTH = 256 * 1024;

    PullCursor {
        positions = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(positions));
    }

    /** The cursor before everything. */
    static final PullCursor EMPTY = new PullCursor(Map.of());

    /** Returns the position of a room. */
    PullPage.Position position(String roomId) {
        return positions.getOrDefault(roomId, PullPage.Position.START);
    }

    /** Returns this cursor with one room's position replaced. */
    PullCursor with(String roomId, PullPage.Position p) {
        LinkedHashMap<String, PullPage.Position> next = new LinkedHashMap<>(positions);
        next.put(roomId, p);
        return new PullCursor(next);
    }

    /** Returns the opaque text of this cursor. */
    String encode() {
        Map<String, Object> rooms = new LinkedHashMap<>();
        positions.forEach((room, p) -> rooms.put(room, List.of(p.clock(), p.recordId(), p.resyncFrom())));
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("v", VERSION);
        json.put("r", rooms);
        return Base64.getUrlEncoder()
                .withoutPadding()
                .encodeToString(Json.stringify(json).getBytes(StandardCharsets.UTF_8));
    }

    /**
     * Decodes a cursor; null means {@link #EMPTY}.
     *
     * @throws IllegalArgumentException with a message for the client if the cursor is not one of ours
     */
    static PullCursor decode(@Nullable String text) {
        if (text == null) {
            return EMPTY;
        }
        if (text.length() > MAX_LENGTH) {
            throw new IllegalArgumentException("cursor is longer than " + MAX_LENGTH + " characters");
        }
        Object json;
        try {
            json = Json.parse(new String(Base64.getUrlDecoder().decode(text), StandardCharsets.UTF_8));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("cursor is not a cursor this server returned");
        }
        if (!(json instanceof Map<?, ?> m) || !Long.valueOf(VERSION).equals(m.get("v"))) {
            throw new IllegalArgumentException("cursor is not a cursor this server returned");
        }
        if (!(m.get("r") instanceof Map<?, ?> rooms) || rooms.size() > MAX_ROOMS) {
            throw new IllegalArgumentException("cursor is not a cursor this server returned");
        }
        Map<String, PullPage.Position> positions = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : rooms.entrySet()) {
            String room = (String) e.getKey();
            if (!(e.getValue() instanceof List<?> p)
                    || p.size() != 3
                    || !(p.get(0) instanceof Long clock)
                    || !(p.get(1) instanceof String recordId)
                    || !(p.get(2) instanceof Long resyncFrom)
                    || clock < -1
                    || resyncFrom < -1
                    || Route.idProblem("roomId", room, Route.MAX_ROOM_ID_LENGTH) != null) {
                throw new IllegalArgumentException("cursor is not a cursor this server returned");
            }
            positions.put(room, new PullPage.Position(clock, recordId, resyncFrom));
        }
        return new PullCursor(positions);
    }

    /** Returns the rooms of the cursor, for tests. */
    List<String> rooms() {
        return new ArrayList<>(positions.keySet());
    }
}
