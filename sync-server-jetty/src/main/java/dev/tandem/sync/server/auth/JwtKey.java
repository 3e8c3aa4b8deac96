package dev.tandem.sync.server.auth;

import java.security.PublicKey;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import org.jspecify.annotations.Nullable;

/**
 * One verification key: an HMAC secret or an RSA / EC public key, with an optional key id and, from a JWK, an
 * optional pinned algorithm. A key only ever verifies the algorithm family of its own type, so an RSA key can
 * never be used as an HMAC secret.
 */
record JwtKey(
        @Nullable String kid,
        byte @Nullable [] secret,
        @Nullable PublicKey publicKey,
        @Nullable Algorithm pinned) {

    /** The supported JWS algorithms. */
    enum Algorithm {
        HS256,
        RS256,
        ES256;

        /** Returns the algorithm named exactly {@code name}, or null ({@code none} included). */
        static @Nullable Algorithm of(String name) {
            return switch (name) {
                case "HS256" -> HS256;
                case "RS256" -> RS256;
                case "ES256" -> ES256;
                default -> null;
            };
        }
    }

    static JwtKey hmac(@Nullable String kid, byte[] secret) {
        return new JwtKey(kid, secret, null, null);
    }

    static JwtKey asymmetric(@Nullable String kid, PublicKey key) {
        if (!(key instanceof RSAPublicKey) && !(key instanceof ECPublicKey)) {
            throw new IllegalArgumentException(
                    "only RSA and EC public keys are supported but got " + key.getAlgorithm());
        }
        return new JwtKey(kid, null, key, null);
    }

    JwtKey pinnedTo(@Nullable Algorithm algorithm) {
        return new JwtKey(kid, secret, publicKey, algorithm);
    }

    /** Returns whether this key may verify a token signed with {@code algorithm}. */
    boolean accepts(Algorithm algorithm) {
        if (pinned != null && pinned != algorithm) {
            return false;
        }
        return switch (algorithm) {
            case HS256 -> secret != null;
            case RS256 -> publicKey instanceof RSAPublicKey;
            case ES256 -> publicKey instanceof ECPublicKey;
        };
    }

    @Override
    public String toString() {
        // never print the secret
        return "JwtKey[kid=" + kid + ", type=" + (secret != null ? "oct" : publicKey.getAlgorithm()) + "]";
    }
}
