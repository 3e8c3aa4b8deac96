package dev.tandem.spring.boot;

import dev.tandem.sync.core.AuthRequest;
import dev.tandem.sync.core.Authenticator;
import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.server.auth.JwtAuthenticator;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;
import org.springframework.security.oauth2.jwt.JwtException;

/**
 * An {@link Authenticator} that verifies bearer tokens with Spring Security's {@link JwtDecoder} (the one a
 * resource server configures from {@code spring.security.oauth2.resourceserver.jwt.*}). The token comes from
 * {@code Authorization: Bearer}, else the {@code token} query parameter; the principal's id is the {@code sub}
 * claim and its claims are the token's. A missing or rejected token is {@code NOT_AUTHENTICATED}; the message
 * never contains the token.
 *
 * <p>Thread-safe when the decoder is, as Spring's are.
 */
public final class JwtDecoderAuthenticator implements Authenticator {
    private final JwtDecoder decoder;

    /** Returns an authenticator over {@code decoder}. */
    public JwtDecoderAuthenticator(JwtDecoder decoder) {
        this.decoder = Objects.requireNonNull(decoder, "decoder");
    }

    @Override
    public Principal authenticate(AuthRequest request) {
        Optional<String> token = JwtAuthenticator.token(request);
        if (token.isEmpty()) {
            throw new SyncException(CloseReason.NOT_AUTHENTICATED, "no token");
        }
        Jwt jwt;
        try {
            jwt = decoder.decode(token.get());
        } catch (JwtException e) {
            throw new SyncException(
                    CloseReason.NOT_AUTHENTICATED,
                    "token rejected: " + e.getClass().getSimpleName());
        }
        String subject = jwt.getSubject();
        if (subject == null || subject.isBlank()) {
            throw new SyncException(CloseReason.NOT_AUTHENTICATED, "token has no sub claim");
        }
        return new Principal(subject, jsonClaims(jwt.getClaims()));
    }

    /**
     * Returns the claims as JSON values, as a {@link Principal} holds them: Spring's decoder turns the time claims
     * into {@link Instant}s (back to seconds since the epoch, a JWT NumericDate) and may turn others into URLs or
     * other objects (to their strings).
     */
    static Map<String, Object> jsonClaims(Map<String, Object> claims) {
        Map<String, Object> json = new LinkedHashMap<>();
        claims.forEach((name, value) -> {
            Object v = jsonValue(value);
            if (v != null) {
                json.put(name, v);
            }
        });
        return json;
    }

    private static @Nullable Object jsonValue(@Nullable Object value) {
        if (value == null || value instanceof String || value instanceof Number || value instanceof Boolean) {
            return value;
        }
        if (value instanceof Instant instant) {
            return instant.getEpochSecond();
        }
        if (value instanceof Map<?, ?> map) {
            Map<String, Object> json = new LinkedHashMap<>();
            map.forEach((k, v) -> {
                Object j = jsonValue(v);
                if (j != null) {
                    json.put(String.valueOf(k), j);
                }
            });
            return json;
        }
        if (value instanceof Collection<?> list) {
            List<Object> json = new ArrayList<>();
            for (Object v : list) {
                Object j = jsonValue(v);
                if (j != null) {
                    json.add(j);
                }
            }
            return json;
        }
        return value.toString();
    }
}
