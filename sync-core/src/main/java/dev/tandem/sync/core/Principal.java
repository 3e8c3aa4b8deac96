package dev.tandem.sync.core;

import java.util.Map;
import java.util.Objects;

/**
 * Who a connection acts for, as established by an {@link Authenticator}.
 *
 * @param id a stable user id (for a JWT, its {@code sub})
 * @param claims further verified facts (for a JWT, its claims); never logged
 */
public record Principal(String id, Map<String, Object> claims) {
    /** The principal of unauthenticated connections when a server needs no authentication. */
    public static final Principal ANONYMOUS = new Principal("anonymous", Map.of());

    public Principal {
        Objects.requireNonNull(id, "id");
        claims = Json.frozenObject(Objects.requireNonNull(claims, "claims"));
    }
}
