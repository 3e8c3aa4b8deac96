package dev.tandem.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.sync.core.AuthRequest;
import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.SyncException;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.Jwt;
import org.springframework.security.oauth2.jwt.JwtDecoder;

class JwtDecoderAuthenticatorTest {
    private static final String GOOD = "good.token.value";

    private final JwtDecoder decoder = token -> {
        if (!token.equals(GOOD)) {
            throw new BadJwtException("signature does not match");
        }
        return Jwt.withTokenValue(token)
                .header("alg", "HS256")
                .subject("alice")
                .claim("role", "editor")
                .issuedAt(Instant.parse("2026-01-01T00:00:00Z"))
                .build();
    };
    private final JwtDecoderAuthenticator auth = new JwtDecoderAuthenticator(decoder);

    @Test
    void authenticate_bearerHeader_principalIsSubjectWithClaims() {
        Principal p = auth.authenticate(request(Map.of("authorization", List.of("Bearer " + GOOD)), Map.of()));
        assertThat(p.id()).isEqualTo("alice");
        assertThat(p.claims())
                .containsEntry("role", "editor")
                .containsEntry("sub", "alice")
                .containsEntry("iat", 1767225600L);
    }

    @Test
    void authenticate_tokenQueryParameter_isAccepted() {
        Principal p = auth.authenticate(request(Map.of(), Map.of("token", List.of(GOOD))));
        assertThat(p.id()).isEqualTo("alice");
    }

    @Test
    void authenticate_noToken_isNotAuthenticated() {
        assertThatThrownBy(() -> auth.authenticate(request(Map.of(), Map.of())))
                .isInstanceOfSatisfying(
                        SyncException.class, e -> assertThat(e.reason()).isEqualTo(CloseReason.NOT_AUTHENTICATED))
                .hasMessage("no token");
    }

    @Test
    void authenticate_rejectedToken_isNotAuthenticatedWithoutTheToken() {
        assertThatThrownBy(() -> auth.authenticate(
                        request(Map.of("authorization", List.of("Bearer forged.secret.token")), Map.of())))
                .isInstanceOfSatisfying(
                        SyncException.class, e -> assertThat(e.reason()).isEqualTo(CloseReason.NOT_AUTHENTICATED))
                .hasMessage("token rejected: BadJwtException");
    }

    @Test
    void authenticate_tokenWithoutSubject_isNotAuthenticated() {
        JwtDecoderAuthenticator noSub = new JwtDecoderAuthenticator(token -> Jwt.withTokenValue(token)
                .header("alg", "HS256")
                .claim("role", "editor")
                .build());
        assertThatThrownBy(() -> noSub.authenticate(request(Map.of(), Map.of("token", List.of(GOOD)))))
                .isInstanceOf(SyncException.class)
                .hasMessage("token has no sub claim");
    }

    private static AuthRequest request(Map<String, List<String>> headers, Map<String, List<String>> query) {
        return new AuthRequest("room-1", headers, query, "127.0.0.1");
    }
}
