package dev.tandem.sync.server.auth;

import dev.tandem.sync.core.Access;
import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.Principal;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * A room's access policy, like a tldraw.com file's: an owner, whether the room is shared, and what a shared
 * link grants. The owner reads and writes; others read and write when shared with {@link LinkType#EDIT}, read
 * when shared with {@link LinkType#VIEW}, and are refused when the room is not shared.
 *
 * <p>Stored with the room as the attribute {@value #ATTRIBUTE} in this JSON shape: {@code {"owner": "alice",
 * "shared": true, "linkType": "edit"}}. Immutable.
 *
 * @param owner the owner's principal id
 * @param shared whether principals other than the owner may join
 * @param linkType what a shared room grants the others
 */
public record RoomPolicy(String owner, boolean shared, LinkType linkType) {
    /** The room attribute the policy is stored under. */
    public static final String ATTRIBUTE = "policy";

    /** What a shared room grants principals other than its owner. */
    public enum LinkType {
        EDIT,
        VIEW;

        /** Returns the JSON name: {@code edit} or {@code view}. */
        public String jsonName() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    public RoomPolicy {
        Objects.requireNonNull(owner, "owner");
        if (owner.isEmpty()) {
            throw new IllegalArgumentException("owner must not be empty");
        }
        Objects.requireNonNull(linkType, "linkType");
    }

    /** A private room of {@code owner}. */
    public static RoomPolicy privateTo(String owner) {
        return new RoomPolicy(owner, false, LinkType.EDIT);
    }

    /** Returns what {@code principal} may do in the room. */
    public Access access(Principal principal) {
        if (principal.id().equals(owner) && principal != Principal.ANONYMOUS) {
            return Access.READ_WRITE;
        }
        if (!shared) {
            return Access.FORBIDDEN;
        }
        return linkType == LinkType.EDIT ? Access.READ_WRITE : Access.READ_ONLY;
    }

    /** Returns the policy as JSON. */
    public String toJson() {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("owner", owner);
        out.put("shared", shared);
        out.put("linkType", linkType.jsonName());
        return Json.stringify(out);
    }

    /**
     * Reads a policy from JSON; {@code shared} defaults to false and {@code linkType} to {@code edit}.
     *
     * @throws IllegalArgumentException naming the bad field if the JSON is not a policy
     */
    public static RoomPolicy fromJson(String json) {
        Object value;
        try {
            value = Json.parse(json);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("policy is not JSON");
        }
        if (!(value instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("policy must be a JSON object");
        }
        return fromMap(m, null);
    }

    /**
     * Reads a policy from a JSON object, taking the owner from {@code defaultOwner} when the object has none.
     *
     * @throws IllegalArgumentException naming the bad field
     */
    public static RoomPolicy fromMap(Map<?, ?> m, @Nullable String defaultOwner) {
        for (Object key : m.keySet()) {
            if (!(key.equals("owner") || key.equals("shared") || key.equals("linkType"))) {
                throw new IllegalArgumentException("unknown policy field " + key);
            }
        }
        Object owner = m.containsKey("owner") ? m.get("owner") : defaultOwner;
        if (!(owner instanceof String o) || o.isEmpty()) {
            throw new IllegalArgumentException("owner must be a non-empty string");
        }
        Object shared = m.containsKey("shared") ? m.get("shared") : Boolean.FALSE;
        if (!(shared instanceof Boolean s)) {
            throw new IllegalArgumentException("shared must be true or false");
        }
        Object link = m.containsKey("linkType") ? m.get("linkType") : "edit";
        LinkType linkType;
        if ("edit".equals(link)) {
            linkType = LinkType.EDIT;
        } else if ("view".equals(link)) {
            linkType = LinkType.VIEW;
        } else {
            throw new IllegalArgumentException("linkType must be \"edit\" or \"view\"");
        }
        return new RoomPolicy(o, s, linkType);
    }
}
