package dev.tandem.sync.server.auth;

import dev.tandem.sync.core.AuthRequest;
import dev.tandem.sync.core.Authenticator;
import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.SyncException;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.security.PublicKey;
import java.security.Signature;
import java.security.interfaces.ECPublicKey;
import java.security.interfaces.RSAPublicKey;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link Authenticator} that accepts a signed JSON Web Token (RFC 7519) and returns its {@code sub} as the
 * principal id, with the token's claims. JDK cryptography only. Built with {@link #builder()}.
 *
 * <p>Supported algorithms: {@code HS256} (a shared secret of at least 32 bytes), {@code RS256} (an RSA public
 * key of at least 2048 bits) and {@code ES256} (an EC P-256 public key). Keys come from the builder (a secret,
 * PEM public keys or certificates) or a JWKS document (RFC 7517: {@code kty} {@code RSA} with {@code n}/{@code
 * e}, {@code EC} with {@code crv: P-256} and {@code x}/{@code y}, or {@code oct} with {@code k}); a token's
 * {@code kid} selects keys with that id.
 *
 * <p>A token is refused when: it is missing, longer than {@link Builder#maxTokenChars}, not three base64url
 * parts of JSON objects, its {@code alg} is {@code none} or unsupported, its header carries {@code crit}, no
 * configured key has the algorithm's type (an RSA or EC key is never used as an HMAC secret, and a JWK whose
 * {@code alg} differs is never used), the signature does not verify, {@code exp} is missing (unless {@link
 * Builder#requireExpiry} is off) or past, {@code nbf} or {@code iat} is in the future, {@code iss} or {@code
 * aud} do not match the configured ones, or {@code sub} is not a non-empty string. Clock checks allow {@link
 * Builder#leeway} (default 30 s). Every refusal is a {@link SyncException} with {@code NOT_AUTHENTICATED} whose
 * message names the reason, never the token; refusals are logged at DEBUG with the reason only.
 *
 * <p>The token is read from {@code Authorization: Bearer <token>}, or else from the {@code token} query
 * parameter (browsers cannot set headers on a WebSocket).
 *
 * <p>Immutable and thread-safe.
 *
 * <pre>{@code
 * Authenticator auth = JwtAuthenticator.builder()
 *     .hmacSecret(secretBytes)
 *     .issuer("https://auth.example.com")
 *     .audience("tandem")
 *     .build();
 * }</pre>
 */
public final class JwtAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(JwtAuthenticator.class);

    /** The query parameter that carries a token when no {@code Authorization} header can be set. */
    public static final String TOKEN_PARAMETER = "token";
    /** The longest token accepted by default. */
    public static final int DEFAULT_MAX_TOKEN_CHARS = 8 * 1024;
    /** The clock skew allowed by default. */
    public static final Duration DEFAULT_LEEWAY = Duration.ofSeconds(30);

    private static final int MIN_HMAC_SECRET_BYTES = 32;
    private static final int MIN_RSA_BITS = 2048;
    private static final Base64.Decoder B64URL = Base64.getUrlDecoder();

    private final List<JwtKey> keys;
    private final @Nullable String issuer;
    private final List<String> audiences;
    private final Duration leeway;
    private final int maxTokenChars;
    private final boolean requireExpiry;
    private final Clock clock;

    private JwtAuthenticator(Builder b) {
        this.keys = List.copyOf(b.keys);
        this.issuer = b.issuer;
        this.audiences = List.copyOf(b.audiences);
        this.leeway = b.leeway;
        this.maxTokenChars = b.maxTokenChars;
        this.requireExpiry = b.requireExpiry;
        this.clock = b.clock;
    }

    /** Returns a builder; give at least one key. */
    public static Builder builder() {
        return new Builder();
    }

    /**
     * Returns the bearer token of a request: the {@code Authorization: Bearer} header's, else the {@code token}
     * query parameter's.
     */
    public static Optional<String> token(AuthRequest request) {
        Optional<String> header = request.header("authorization");
        if (header.isPresent()) {
            String h = header.get().strip();
            if (h.regionMatches(true, 0, "Bearer ", 0, 7)) {
                String t = h.substring(7).strip();
                return t.isEmpty() ? Optional.empty() : Optional.of(t);
            }
        }
        return request.queryParameter(TOKEN_PARAMETER).filter(t -> !t.isEmpty());
    }

    @Override
    public Principal authenticate(AuthRequest request) {
        Optional<String> token = token(request);
        if (token.isEmpty()) {
            throw refuse("no token");
        }
        return verify(token.get());
    }

    /**
     * Verifies a token and returns its principal.
     *
     * @throws SyncException with {@code NOT_AUTHENTICATED} naming the reason if the token is not acceptable
     */
    public Principal verify(String token) {
        Objects.requireNonNull(token, "token");
        if (token.length() > maxTokenChars) {
            throw refuse("token longer than " + maxTokenChars + " characters");
        }
        int dot1 = token.indexOf('.');
        int dot2 = dot1 < 0 ? -1 : token.indexOf('.', dot1 + 1);
        if (dot1 <= 0 || dot2 < 0 || token.indexOf('.', dot2 + 1) >= 0) {
            throw refuse("malformed token: not three parts");
        }
        Map<String, Object> header = jsonObject(token.substring(0, dot1), "header");
        Map<String, Object> claims = jsonObject(token.substring(dot1 + 1, dot2), "payload");
        byte[] signature = base64url(token.substring(dot2 + 1), "signature");

        Object algValue = header.get("alg");
        if (!(algValue instanceof String alg)) {
            throw refuse("malformed token: no alg");
        }
        JwtKey.Algorithm algorithm = JwtKey.Algorithm.of(alg);
        if (algorithm == null) {
            throw refuse("unsupported alg " + printable(alg));
        }
        if (header.containsKey("crit")) {
            throw refuse("unsupported crit header");
        }
        Object kidValue = header.get("kid");
        if (kidValue != null && !(kidValue instanceof String)) {
            throw refuse("malformed token: kid is not a string");
        }
        String kid = (String) kidValue;
        byte[] signed = token.substring(0, dot2).getBytes(StandardCharsets.US_ASCII);
        List<JwtKey> candidates = candidates(algorithm, kid);
        if (candidates.isEmpty()) {
            throw refuse(
                    kid == null ? "no key for alg " + alg : "no key for alg " + alg + " and kid " + printable(kid));
        }
        boolean verified = false;
        for (JwtKey key : candidates) {
            if (verifies(key, algorithm, signed, signature)) {
                verified = true;
                break;
            }
        }
        if (!verified) {
            throw refuse("bad signature");
        }
        checkClaims(claims);
        return new Principal((String) claims.get("sub"), claims);
    }

    private List<JwtKey> candidates(JwtKey.Algorithm algorithm, @Nullable String kid) {
        List<JwtKey> out = new ArrayList<>();
        for (JwtKey k : keys) {
            if (k.accepts(algorithm) && (kid == null || k.kid() == null || kid.equals(k.kid()))) {
                out.add(k);
            }
        }
        if (kid != null) {
            // keys named by the kid first; a key without a kid is a fallback
            out.sort((a, b) -> Boolean.compare(a.kid() == null, b.kid() == null));
        }
        return out;
    }

    private static boolean verifies(JwtKey key, JwtKey.Algorithm algorithm, byte[] signed, byte[] signature) {
        try {
            switch (algorithm) {
                case HS256 -> {
                    Mac mac = Mac.getInstance("HmacSHA256");
                    mac.init(new SecretKeySpec(Objects.requireNonNull(key.secret()), "HmacSHA256"));
                    return MessageDigest.isEqual(mac.doFinal(signed), signature);
                }
                case RS256 -> {
                    Signature s = Signature.getInstance("SHA256withRSA");
                    s.initVerify(Objects.requireNonNull(key.publicKey()));
                    s.update(signed);
                    return s.verify(signature);
                }
                case ES256 -> {
                    if (signature.length != 64) {
                        return false;
                    }
                    Signature s = Signature.getInstance("SHA256withECDSA");
                    s.initVerify(Objects.requireNonNull(key.publicKey()));
                    s.update(signed);
                    return s.verify(EcSignatures.joseToDer(signature));
                }
            }
            return false;
        } catch (GeneralSecurityException | IllegalArgumentException e) {
            return false;
        }
    }

    private void checkClaims(Map<String, Object> claims) {
        long now = clock.millis();
        long skew = leeway.toMillis();
        Object exp = claims.get("exp");
        if (exp == null) {
            if (requireExpiry) {
                throw refuse("no exp claim");
            }
        } else if (now - skew >= millis(exp, "exp")) {
            throw refuse("token expired");
        }
        Object nbf = claims.get("nbf");
        if (nbf != null && now + skew < millis(nbf, "nbf")) {
            throw refuse("token not yet valid");
        }
        Object iat = claims.get("iat");
        if (iat != null && now + skew < millis(iat, "iat")) {
            throw refuse("token issued in the future");
        }
        if (issuer != null && !issuer.equals(claims.get("iss"))) {
            throw refuse("wrong issuer");
        }
        if (!audiences.isEmpty() && !audienceMatches(claims.get("aud"))) {
            throw refuse("wrong audience");
        }
        if (!(claims.get("sub") instanceof String sub) || sub.isEmpty()) {
            throw refuse("no sub claim");
        }
    }

    private boolean audienceMatches(@Nullable Object aud) {
        if (aud instanceof String s) {
            return audiences.contains(s);
        }
        if (aud instanceof List<?> list) {
            for (Object a : list) {
                if (a instanceof String s && audiences.contains(s)) {
                    return true;
                }
            }
        }
        return false;
    }

    private static long millis(Object numericDate, String claim) {
        if (!(numericDate instanceof Number n) || !Double.isFinite(n.doubleValue())) {
            throw refuse("malformed " + claim + " claim");
        }
        double seconds = n.doubleValue();
        if (Math.abs(seconds) > 1e13) {
            throw refuse("malformed " + claim + " claim");
        }
        return (long) (seconds * 1000);
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> jsonObject(String part, String what) {
        byte[] bytes = base64url(part, what);
        Object value;
        try {
            value = Json.parse(StandardCharsets.UTF_8
                    .newDecoder()
                    .decode(java.nio.ByteBuffer.wrap(bytes))
                    .toString());
        } catch (IllegalArgumentException | java.nio.charset.CharacterCodingException | SyncException e) {
            throw refuse("malformed token: " + what + " is not JSON");
        }
        if (!(value instanceof Map)) {
            throw refuse("malformed token: " + what + " is not a JSON object");
        }
        return (Map<String, Object>) value;
    }

    private static byte[] base64url(String part, String what) {
        // strict: base64url alphabet only, no padding (RFC 7515 §2)
        for (int i = 0; i < part.length(); i++) {
            char c = part.charAt(i);
            boolean ok =
                    (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '_';
            if (!ok) {
                throw refuse("malformed token: " + what + " is not base64url");
            }
        }
        if (part.length() % 4 == 1) {
            throw refuse("malformed token: " + what + " is not base64url");
        }
        try {
            return B64URL.decode(part);
        } catch (IllegalArgumentException e) {
            throw refuse("malformed token: " + what + " is not base64url");
        }
    }

    private static String printable(String s) {
        String cut = s.length() > 40 ? s.substring(0, 40) + "…" : s;
        return "'" + cut.replaceAll("[^\\x20-\\x7e]", "?") + "'";
    }

    private static SyncException refuse(String why) {
        LOG.debug("token refused: {}", why);
        return Authenticator.rejected(why);
    }

    /**
     * Builds a {@link JwtAuthenticator}. Each setter checks its value at once and throws {@link
     * IllegalArgumentException} naming it. Not thread-safe.
     */
    public static final class Builder {
        private final List<JwtKey> keys = new ArrayList<>();
        private @Nullable String issuer;
        private final List<String> audiences = new ArrayList<>();
        private Duration leeway = DEFAULT_LEEWAY;
        private int maxTokenChars = DEFAULT_MAX_TOKEN_CHARS;
        private boolean requireExpiry = true;
        private Clock clock = Clock.systemUTC();

        private Builder() {}

        /** Accepts {@code HS256} tokens signed with this secret; at least 32 bytes. */
        public Builder hmacSecret(byte[] secret) {
            Objects.requireNonNull(secret, "secret");
            if (secret.length < MIN_HMAC_SECRET_BYTES) {
                throw new IllegalArgumentException(
                        "hmacSecret must be at least " + MIN_HMAC_SECRET_BYTES + " bytes but was " + secret.length);
            }
            keys.add(JwtKey.hmac(null, secret.clone()));
            return this;
        }

        /**
         * Accepts {@code RS256} or {@code ES256} tokens (by the key's type) signed by this key: a PEM {@code
         * PUBLIC KEY} (SubjectPublicKeyInfo) or {@code CERTIFICATE}. With a non-null {@code kid}, only tokens
         * naming that kid or no kid use it.
         */
        public Builder publicKeyPem(@Nullable String kid, String pem) {
            Objects.requireNonNull(pem, "pem");
            keys.add(checked(JwtKey.asymmetric(kid, Pem.publicKey(pem))));
            return this;
        }

        /** Accepts tokens signed by this RSA (RS256) or EC P-256 (ES256) public key. */
        public Builder publicKey(@Nullable String kid, PublicKey key) {
            Objects.requireNonNull(key, "key");
            keys.add(checked(JwtKey.asymmetric(kid, key)));
            return this;
        }

        /** Reads keys from a JWKS document ({@code {"keys": [...]}}) in a file. */
        public Builder jwksFile(Path file) {
            Objects.requireNonNull(file, "file");
            String json;
            try {
                json = Files.readString(file, StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new IllegalArgumentException("jwksFile " + file + " cannot be read: " + e.getMessage(), e);
            }
            return jwks(json);
        }

        /** Reads keys from a JWKS document ({@code {"keys": [...]}}). */
        public Builder jwks(String json) {
            Objects.requireNonNull(json, "json");
            for (JwtKey k : Jwks.parse(json)) {
                keys.add(checked(k));
            }
            return this;
        }

        /** The required {@code iss} claim; default: not checked. */
        public Builder issuer(String issuer) {
            Objects.requireNonNull(issuer, "issuer");
            if (issuer.isEmpty()) {
                throw new IllegalArgumentException("issuer must not be empty");
            }
            this.issuer = issuer;
            return this;
        }

        /** An accepted {@code aud} value (repeat for more); the token's audience must contain one. */
        public Builder audience(String audience) {
            Objects.requireNonNull(audience, "audience");
            if (audience.isEmpty()) {
                throw new IllegalArgumentException("audience must not be empty");
            }
            audiences.add(audience);
            return this;
        }

        /** Clock skew allowed for {@code exp}, {@code nbf} and {@code iat}; 0 to 5 minutes, default 30 s. */
        public Builder leeway(Duration leeway) {
            Objects.requireNonNull(leeway, "leeway");
            if (leeway.isNegative() || leeway.compareTo(Duration.ofMinutes(5)) > 0) {
                throw new IllegalArgumentException("leeway must be between 0 and 5 minutes but was " + leeway);
            }
            this.leeway = leeway;
            return this;
        }

        /** The longest token accepted, in characters; 256 to 1 MiB, default 8 KiB. */
        public Builder maxTokenChars(int maxTokenChars) {
            if (maxTokenChars < 256 || maxTokenChars > (1 << 20)) {
                throw new IllegalArgumentException(
                        "maxTokenChars must be between 256 and 1048576 but was " + maxTokenChars);
            }
            this.maxTokenChars = maxTokenChars;
            return this;
        }

        /** Whether a token without {@code exp} is refused; default true. */
        public Builder requireExpiry(boolean requireExpiry) {
            this.requireExpiry = requireExpiry;
            return this;
        }

        /** The clock for {@code exp}/{@code nbf}; default the system clock (tests pass a fixed one). */
        public Builder clock(Clock clock) {
            this.clock = Objects.requireNonNull(clock, "clock");
            return this;
        }

        /**
         * Builds the authenticator.
         *
         * @throws IllegalStateException if no key was given
         */
        public JwtAuthenticator build() {
            if (keys.isEmpty()) {
                throw new IllegalStateException(
                        "give at least one key: hmacSecret, publicKeyPem, publicKey, jwks or jwksFile");
            }
            return new JwtAuthenticator(this);
        }

        private static JwtKey checked(JwtKey key) {
            PublicKey pk = key.publicKey();
            if (pk instanceof RSAPublicKey rsa && rsa.getModulus().bitLength() < MIN_RSA_BITS) {
                throw new IllegalArgumentException("RSA keys must have at least " + MIN_RSA_BITS + " bits but "
                        + describe(key) + " has " + rsa.getModulus().bitLength());
            }
            if (pk instanceof ECPublicKey ec && !EcSignatures.isP256(ec)) {
                throw new IllegalArgumentException("EC keys must be on P-256 but " + describe(key) + " is not");
            }
            byte[] secret = key.secret();
            if (secret != null && secret.length < MIN_HMAC_SECRET_BYTES) {
                throw new IllegalArgumentException("HMAC keys must be at least " + MIN_HMAC_SECRET_BYTES + " bytes but "
                        + describe(key) + " has " + secret.length);
            }
            return key;
        }

        private static String describe(JwtKey key) {
            return key.kid() == null ? "a key" : "key " + key.kid();
        }
    }
}
