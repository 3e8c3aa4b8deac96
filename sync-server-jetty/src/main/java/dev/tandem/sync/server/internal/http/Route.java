package dev.tandem.sync.server.internal.http;

import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * A WebSocket route: {@code /connect/{roomId}} and {@code /r/{roomId}} (read-write) or {@code /ro/{roomId}}
 * (read-only).
 *
 * @param roomId the room id, still unvalidated (see {@link #roomIdProblem()})
 * @param readOnly whether the route is the read-only one
 */
public record Route(String roomId, boolean readOnly) {
    /** The longest room id accepted. */
    public static final int MAX_ROOM_ID_LENGTH = 128;
    /** The longest session id accepted. */
    public static final int MAX_SESSION_ID_LENGTH = 128;

    private static final Pattern ID = Pattern.compile("[A-Za-z0-9._~:-]+");

    /**
     * Returns the route for a decoded request path, or null if the path is none of Tandem's routes. A matching
     * prefix with an empty or bad room id still returns a route; check {@link #roomIdProblem()}.
     */
    public static @Nullable Route match(String path) {
        String rest;
        boolean readOnly;
        if (path.startsWith("/connect/")) {
            rest = path.substring("/connect/".length());
            readOnly = false;
        } else if (path.startsWith("/r/")) {
            rest = path.substring("/r/".length());
            readOnly = false;
        } else if (path.startsWith("/ro/")) {
            rest = path.substring("/ro/".length());
            readOnly = true;
        } else {
            return null;
        }
        return new Route(rest, readOnly);
    }

    /** Returns why the room id is not acceptable, or null if it is. */
    public @Nullable String roomIdProblem() {
        return idProblem("roomId", roomId, MAX_ROOM_ID_LENGTH);
    }

    /** Returns why a session id from the query is not acceptable, or null if it is. */
    public static @Nullable String sessionIdProblem(String sessionId) {
        return idProblem("sessionId", sessionId, MAX_SESSION_ID_LENGTH);
    }

    /** Returns why an id named {@code name} is not acceptable, or null if it is. */
    public static @Nullable String idProblem(String name, String id, int maxLength) {
        if (id.isEmpty()) {
            return name + " must not be empty";
        }
        if (id.length() > maxLength) {
            return name + " must be at most " + maxLength + " characters but was " + id.length();
        }
        if (!ID.matcher(id).matches() || id.equals(".") || id.equals("..")) {
            return name + " may contain only letters, digits and . _ ~ : -";
        }
        return null;
    }
}
