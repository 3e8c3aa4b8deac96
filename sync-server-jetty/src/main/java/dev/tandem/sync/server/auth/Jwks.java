package dev.tandem.sync.server.auth;

import dev.tandem.sync.core.Json;
import java.math.BigInteger;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.spec.ECGenParameterSpec;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;
import java.security.spec.ECPublicKeySpec;
import java.security.spec.RSAPublicKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Reads a JWKS document (RFC 7517): {@code {"keys": [...]}} of {@code RSA} ({@code n}, {@code e}), {@code EC}
 * P-256 ({@code x}, {@code y}) and {@code oct} ({@code k}) keys. Keys whose {@code use} is not {@code sig} are
 * skipped; a key's {@code alg}, when present, pins the one algorithm it verifies.
 */
final class Jwks {
    private Jwks() {}

    /** @throws IllegalArgumentException naming the bad key if the document or a key is malformed */
    static List<JwtKey> parse(String json) {
        Object doc;
        try {
            doc = Json.parse(json);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("JWKS is not JSON: " + e.getMessage(), e);
        }
        if (!(doc instanceof Map<?, ?> m) || !(m.get("keys") instanceof List<?> list)) {
            throw new IllegalArgumentException("JWKS must be an object with a \"keys\" array");
        }
        List<JwtKey> out = new ArrayList<>();
        for (int i = 0; i < list.size(); i++) {
            if (!(list.get(i) instanceof Map<?, ?> jwk)) {
                throw new IllegalArgumentException("JWKS key " + i + " is not an object");
            }
            JwtKey key = key(jwk, i);
            if (key != null) {
                out.add(key);
            }
        }
        if (out.isEmpty()) {
            throw new IllegalArgumentException("JWKS has no signature keys");
        }
        return out;
    }

    private static @Nullable JwtKey key(Map<?, ?> jwk, int index) {
        String kid = optional(jwk, "kid", index);
        String use = optional(jwk, "use", index);
        if (use != null && !use.equals("sig")) {
            return null;
        }
        String alg = optional(jwk, "alg", index);
        JwtKey.Algorithm pinned = null;
        if (alg != null) {
            pinned = JwtKey.Algorithm.of(alg);
            if (pinned == null) {
                return null; // an algorithm this server does not verify
            }
        }
        String name = kid == null ? "JWKS key " + index : "JWKS key " + kid;
        String kty = required(jwk, "kty", index);
        try {
            JwtKey key = switch (kty) {
                case "RSA" -> {
                    BigInteger n = unsigned(required(jwk, "n", index));
                    BigInteger e = unsigned(required(jwk, "e", index));
                    yield JwtKey.asymmetric(
                            kid, KeyFactory.getInstance("RSA").generatePublic(new RSAPublicKeySpec(n, e)));
                }
                case "EC" -> {
                    String crv = required(jwk, "crv", index);
                    if (!crv.equals("P-256")) {
                        throw new IllegalArgumentException(name + " has curve " + crv + "; only P-256");
                    }
                    ECPoint w = new ECPoint(unsigned(required(jwk, "x", index)), unsigned(required(jwk, "y", index)));
                    if (!EcSignatures.onCurve(w)) {
                        throw new IllegalArgumentException(name + " is not a point on P-256");
                    }
                    java.security.AlgorithmParameters params = java.security.AlgorithmParameters.getInstance("EC");
                    params.init(new ECGenParameterSpec("secp256r1"));
                    ECParameterSpec spec = params.getParameterSpec(ECParameterSpec.class);
                    yield JwtKey.asymmetric(
                            kid, KeyFactory.getInstance("EC").generatePublic(new ECPublicKeySpec(w, spec)));
                }
                case "oct" -> JwtKey.hmac(kid, Base64.getUrlDecoder().decode(required(jwk, "k", index)));
                default -> throw new IllegalArgumentException(name + " has unsupported kty " + kty);
            };
            if (pinned != null && !key.accepts(pinned)) {
                throw new IllegalArgumentException(name + " of kty " + kty + " cannot have alg " + alg);
            }
            return key.pinnedTo(pinned);
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException(name + " is not a valid " + kty + " key: " + e.getMessage(), e);
        }
    }

    private static BigInteger unsigned(String base64url) {
        return new BigInteger(1, Base64.getUrlDecoder().decode(base64url));
    }

    private static @Nullable String optional(Map<?, ?> jwk, String field, int index) {
        Object v = jwk.get(field);
        if (v != null && !(v instanceof String)) {
            throw new IllegalArgumentException("JWKS key " + index + ": " + field + " must be a string");
        }
        return (String) v;
    }

    private static String required(Map<?, ?> jwk, String field, int index) {
        String v = optional(jwk, field, index);
        if (v == null) {
            throw new IllegalArgumentException("JWKS key " + index + " has no " + field);
        }
        return v;
    }
}
