package dev.tandem.sync.redis.internal;

import org.jspecify.annotations.Nullable;

/**
 * The relay's messages on a node channel: one line of type and connection id, then the fields, each a line
 * except the last, which is the rest of the message (a frame may hold newlines).
 *
 * <ul>
 *   <li>{@code O} open (entry → owner): entry node, room, session id, read-only flag, then JSON {@code {"meta":
 *       {…}, "principal": {"id": …, "claims": {…}}}} (the entry node authenticated the client and decided access);
 *   <li>{@code F} a frame from the client (entry → owner);
 *   <li>{@code C} the client's connection ended (entry → owner);
 *   <li>{@code A} the owner accepted the session (owner → entry);
 *   <li>{@code S} a frame for the client (owner → entry);
 *   <li>{@code X} the owner closed the session: code, reason (owner → entry).
 * </ul>
 *
 * <p>Beside sessions ({@link RoomCalls}, {@link Handoff}), the id being a call's:
 *
 * <ul>
 *   <li>{@code Q} a room call: caller node, room, method, JSON arguments (any node → owner);
 *   <li>{@code R} its answer: {@code ok}, {@code moved} or {@code error}, then JSON (owner → caller);
 *   <li>{@code H} take this room, its lease is now yours: old owner, room (draining owner → new owner);
 *   <li>{@code K} the room is loaded ({@code ok}) or why not (new owner → old owner).
 * </ul>
 */
record RelayMessage(char type, String cid, String body) {
    static final int NORMAL_CLOSE = 1000;

    static String open(String cid, String entryNode, SessionOptionsJson session, String roomId) {
        return "O" + cid + "\n" + entryNode + "\n" + roomId + "\n" + session.sessionId() + "\n"
                + (session.readOnly() ? "1" : "0") + "\n" + session.json();
    }

    /** A session's options as relayed: id, read-only flag, and meta and principal as JSON. */
    record SessionOptionsJson(String sessionId, boolean readOnly, String json) {
        static SessionOptionsJson of(dev.tandem.sync.core.SessionOptions o) {
            java.util.Map<String, Object> principal = new java.util.LinkedHashMap<>();
            principal.put("id", o.principal().id());
            principal.put("claims", o.principal().claims());
            java.util.Map<String, Object> all = new java.util.LinkedHashMap<>();
            all.put("meta", o.meta());
            all.put("principal", principal);
            return new SessionOptionsJson(o.sessionId(), o.readOnly(), dev.tandem.sync.core.Json.stringify(all));
        }

        @SuppressWarnings("unchecked")
        dev.tandem.sync.core.SessionOptions toOptions() {
            java.util.Map<String, Object> all = (java.util.Map<String, Object>) dev.tandem.sync.core.Json.parse(json);
            java.util.Map<String, Object> p = (java.util.Map<String, Object>) all.get("principal");
            String id = (String) p.get("id");
            dev.tandem.sync.core.Principal principal =
                    dev.tandem.sync.core.Principal.ANONYMOUS.id().equals(id)
                            ? dev.tandem.sync.core.Principal.ANONYMOUS
                            : new dev.tandem.sync.core.Principal(id, (java.util.Map<String, Object>) p.get("claims"));
            return new dev.tandem.sync.core.SessionOptions(
                    sessionId, readOnly, (java.util.Map<String, Object>) all.get("meta"), principal);
        }
    }

    static String frame(String cid, String text) {
        return "F" + cid + "\n" + text;
    }

    static String clientClosed(String cid) {
        return "C" + cid + "\n";
    }

    static String accepted(String cid) {
        return "A" + cid + "\n";
    }

    static String send(String cid, String text) {
        return "S" + cid + "\n" + text;
    }

    static String ownerClosed(String cid, int code, String reason) {
        return "X" + cid + "\n" + code + "\n" + reason;
    }

    static @Nullable RelayMessage parse(String message) {
        int nl = message.indexOf('\n');
        if (message.isEmpty() || nl < 1) {
            return null;
        }
        return new RelayMessage(message.charAt(0), message.substring(1, nl), message.substring(nl + 1));
    }

    /** Splits the body into {@code n} fields, the last one taking the rest. */
    String[] fields(int n) {
        return body.split("\n", n);
    }
}
