package dev.tandem.sync.server.auth;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.sync.core.AuthRequest;
import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.SyncException;
import java.nio.charset.StandardCharsets;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

class JwtAuthenticatorTest {
    private static final long NOW = System.currentTimeMillis() / 1000;

    private static JwtAuthenticator hs() {
        return JwtAuthenticator.builder().hmacSecret(Tokens.SECRET).build();
    }

    private static JwtAuthenticator rsa() {
        return JwtAuthenticator.builder()
                .publicKeyPem(null, Tokens.pem(Tokens.RSA.getPublic()))
                .build();
    }

    private static void assertRefused(JwtAuthenticator auth, String token, String reason) {
        assertThatThrownBy(() -> auth.verify(token))
                .isInstanceOf(SyncException.class)
                .hasMessage(reason)
                .satisfies(e -> assertThat(((SyncException) e).reason()).isEqualTo(CloseReason.NOT_AUTHENTICATED))
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain(token));
    }

    private static Map<String, Object> with(Map<String, Object> claims, String key, Object value) {
        claims.put(key, value);
        return claims;
    }

    @Test
    void verify_hs256_returnsSubAndClaims() {
        Principal p = hs().verify(Tokens.hs256(with(Tokens.claims("alice"), "role", "admin")));
        assertThat(p.id()).isEqualTo("alice");
        assertThat(p.claims()).containsEntry("role", "admin");
    }

    @Test
    void verify_rs256FromPem_accepts() {
        assertThat(rsa().verify(Tokens.rs256(Tokens.claims("bob"), Tokens.RSA.getPrivate(), null))
                        .id())
                .isEqualTo("bob");
    }

    @Test
    void verify_es256FromPem_acceptsJoseSignature() {
        JwtAuthenticator auth = JwtAuthenticator.builder()
                .publicKeyPem("ec", Tokens.pem(Tokens.EC.getPublic()))
                .build();
        for (int i = 0; i < 50; i++) { // r and s with and without a high bit
            assertThat(auth.verify(Tokens.es256(Tokens.claims("carol" + i), Tokens.EC.getPrivate(), "ec"))
                            .id())
                    .isEqualTo("carol" + i);
        }
    }

    @Test
    void verify_jwks_choosesKeyByKid() {
        JwtAuthenticator auth = JwtAuthenticator.builder().jwks(Tokens.jwks()).build();
        assertThat(auth.verify(Tokens.rs256(Tokens.claims("r"), Tokens.RSA.getPrivate(), "rsa-1"))
                        .id())
                .isEqualTo("r");
        assertThat(auth.verify(Tokens.es256(Tokens.claims("e"), Tokens.EC.getPrivate(), "ec-1"))
                        .id())
                .isEqualTo("e");
        assertRefused(
                auth,
                Tokens.rs256(Tokens.claims("r"), Tokens.RSA.getPrivate(), "other"),
                "no key for alg RS256 and kid 'other'");
        // the RSA key of the JWKS is pinned to RS256; the EC key is never tried for RS256
        assertRefused(
                auth,
                Tokens.rs256(Tokens.claims("r"), Tokens.RSA.getPrivate(), "ec-1"),
                "no key for alg RS256 and kid 'ec-1'");
    }

    @Test
    void verify_expired_isRefused() {
        assertRefused(hs(), Tokens.hs256(with(Tokens.claims("a"), "exp", NOW - 120)), "token expired");
    }

    @Test
    void verify_expiredWithinLeeway_isAccepted() {
        assertThat(hs().verify(Tokens.hs256(with(Tokens.claims("a"), "exp", NOW - 5)))
                        .id())
                .isEqualTo("a");
    }

    @Test
    void verify_noExp_isRefusedUnlessAllowed() {
        Map<String, Object> claims = Tokens.claims("a");
        claims.remove("exp");
        assertRefused(hs(), Tokens.hs256(claims), "no exp claim");
        JwtAuthenticator lax = JwtAuthenticator.builder()
                .hmacSecret(Tokens.SECRET)
                .requireExpiry(false)
                .build();
        assertThat(lax.verify(Tokens.hs256(claims)).id()).isEqualTo("a");
    }

    @Test
    void verify_notYetValid_isRefused() {
        assertRefused(hs(), Tokens.hs256(with(Tokens.claims("a"), "nbf", NOW + 600)), "token not yet valid");
    }

    @Test
    void verify_fixedClock_decidesExpiry() {
        JwtAuthenticator auth = JwtAuthenticator.builder()
                .hmacSecret(Tokens.SECRET)
                .leeway(Duration.ZERO)
                .clock(Clock.fixed(Instant.ofEpochSecond(1000), ZoneOffset.UTC))
                .build();
        assertThat(auth.verify(Tokens.hs256(with(Tokens.claims("a"), "exp", 1001)))
                        .id())
                .isEqualTo("a");
        assertRefused(auth, Tokens.hs256(with(Tokens.claims("a"), "exp", 1000)), "token expired");
    }

    @Test
    void verify_issuerAndAudience_areChecked() {
        JwtAuthenticator auth = JwtAuthenticator.builder()
                .hmacSecret(Tokens.SECRET)
                .issuer("https://issuer")
                .audience("tandem")
                .build();
        Map<String, Object> good =
                with(with(Tokens.claims("a"), "iss", "https://issuer"), "aud", List.of("x", "tandem"));
        assertThat(auth.verify(Tokens.hs256(good)).id()).isEqualTo("a");
        assertRefused(
                auth, Tokens.hs256(with(new java.util.LinkedHashMap<>(good), "iss", "https://evil")), "wrong issuer");
        assertRefused(auth, Tokens.hs256(with(new java.util.LinkedHashMap<>(good), "aud", "other")), "wrong audience");
    }

    @Test
    void verify_algNone_isRefused() {
        assertRefused(hs(), Tokens.none(Tokens.claims("a")), "unsupported alg 'none'");
    }

    @Test
    void verify_hs256SignedWithRsaPublicKey_isRefused() {
        // algorithm confusion: the attacker signs HS256 with the server's public RSA key as the secret
        String pem = Tokens.pem(Tokens.RSA.getPublic());
        assertRefused(
                rsa(), Tokens.hs256(Tokens.claims("a"), pem.getBytes(StandardCharsets.UTF_8)), "no key for alg HS256");
        assertRefused(
                rsa(), Tokens.hs256(Tokens.claims("a"), Tokens.RSA.getPublic().getEncoded()), "no key for alg HS256");
    }

    @Test
    void verify_badSignature_isRefused() {
        String token = Tokens.hs256(
                Tokens.claims("a"), "another secret of thirty-two bytes!".getBytes(StandardCharsets.UTF_8));
        assertRefused(hs(), token, "bad signature");
        String forged = Tokens.hs256(Tokens.claims("a"));
        String swapped = forged.substring(0, forged.indexOf('.') + 1)
                + Tokens.part(Tokens.claims("admin"))
                + forged.substring(forged.lastIndexOf('.'));
        assertRefused(hs(), swapped, "bad signature");
    }

    @Test
    void verify_malformed_isRefused() {
        assertRefused(hs(), "abc", "malformed token: not three parts");
        assertRefused(hs(), "a.b.c.d", "malformed token: not three parts");
        assertRefused(hs(), "!!.e30.", "malformed token: header is not base64url");
        assertRefused(hs(), Tokens.part(List.of(1)) + ".e30.", "malformed token: header is not a JSON object");
        assertRefused(hs(), "bm90IGpzb24.e30.", "malformed token: header is not JSON");
        assertRefused(
                hs(), Tokens.part(Map.of("alg", "HS256", "crit", List.of("x"))) + ".e30.", "unsupported crit header");
        assertRefused(hs(), Tokens.hs256(with(Tokens.claims("a"), "exp", "tomorrow")), "malformed exp claim");
        assertRefused(hs(), Tokens.hs256(with(Tokens.claims("a"), "sub", 42)), "no sub claim");
    }

    @Test
    void verify_oversized_isRefusedBeforeParsing() {
        String big = Tokens.hs256(with(Tokens.claims("a"), "pad", "x".repeat(10_000)));
        assertRefused(hs(), big, "token longer than 8192 characters");
    }

    @Test
    void authenticate_readsBearerHeaderThenQueryParameter() {
        String token = Tokens.hs256(Tokens.claims("q"));
        AuthRequest header = new AuthRequest("r", Map.of("Authorization", List.of("Bearer " + token)), Map.of(), null);
        AuthRequest query = new AuthRequest("r", Map.of(), Map.of("token", List.of(token)), null);
        assertThat(hs().authenticate(header).id()).isEqualTo("q");
        assertThat(hs().authenticate(query).id()).isEqualTo("q");
        assertThatThrownBy(() -> hs().authenticate(new AuthRequest("r", Map.of(), Map.of(), null)))
                .hasMessage("no token");
    }

    @Test
    void builder_rejectsWeakKeysAndNoKey() {
        assertThatThrownBy(() -> JwtAuthenticator.builder().hmacSecret(new byte[16]))
                .hasMessage("hmacSecret must be at least 32 bytes but was 16");
        assertThatThrownBy(() -> JwtAuthenticator.builder().build()).hasMessageStartingWith("give at least one key");
        assertThatThrownBy(() -> JwtAuthenticator.builder().leeway(Duration.ofHours(1)))
                .hasMessage("leeway must be between 0 and 5 minutes but was PT1H");
        assertThatThrownBy(() -> JwtAuthenticator.builder().publicKeyPem(null, "nope"))
                .hasMessage("not a PEM public key or certificate");
    }

    @Test
    void joseToDer_roundTripsThroughJdkVerifier() throws Exception {
        byte[] data = "x".getBytes(StandardCharsets.US_ASCII);
        for (int i = 0; i < 50; i++) {
            java.security.Signature p1363 = java.security.Signature.getInstance("SHA256withECDSAinP1363Format");
            p1363.initSign(Tokens.EC.getPrivate());
            p1363.update(data);
            byte[] jose = p1363.sign();
            java.security.Signature der = java.security.Signature.getInstance("SHA256withECDSA");
            der.initVerify(Tokens.EC.getPublic());
            der.update(data);
            assertThat(der.verify(EcSignatures.joseToDer(jose))).isTrue();
        }
    }
}
