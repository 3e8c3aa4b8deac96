package dev.tandem.sync.server.auth;

import java.nio.charset.StandardCharsets;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.PrivateKey;
import java.security.PublicKey;
import java.security.Signature;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;
import java.util.LinkedHashMap;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import tools.jackson.databind.json.JsonMapper;

/** Makes JSON Web Tokens for tests with the JDK's signers, independently of the verifier under test. */
public final class Tokens {
    private static final JsonMapper MAPPER = JsonMapper.builder().build();
    private static final Base64.Encoder B64 = Base64.getUrlEncoder().withoutPadding();

    /** A 32-byte HMAC secret. */
    public static final byte[] SECRET = "0123456789abcdef0123456789abcdef".getBytes(StandardCharsets.UTF_8);

    public static final KeyPair RSA = generate("RSA", 2048);
    public static final KeyPair EC = generateEc();

    private Tokens() {}

    private static KeyPair generate(String algorithm, int bits) {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance(algorithm);
            g.initialize(bits);
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    private static KeyPair generateEc() {
        try {
            KeyPairGenerator g = KeyPairGenerator.getInstance("EC");
            g.initialize(new ECGenParameterSpec("secp256r1"));
            return g.generateKeyPair();
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    /** Claims {@code sub} with {@code exp} an hour from now. */
    public static Map<String, Object> claims(String sub) {
        Map<String, Object> c = new LinkedHashMap<>();
        c.put("sub", sub);
        c.put("exp", System.currentTimeMillis() / 1000 + 3600);
        return c;
    }

    public static String hs256(Map<String, Object> claims) {
        return hs256(claims, SECRET);
    }

    public static String hs256(Map<String, Object> claims, byte[] secret) {
        String input = part(Map.of("alg", "HS256", "typ", "JWT")) + "." + part(claims);
        try {
            Mac mac = Mac.getInstance("HmacSHA256");
            mac.init(new SecretKeySpec(secret, "HmacSHA256"));
            return input + "." + B64.encodeToString(mac.doFinal(input.getBytes(StandardCharsets.US_ASCII)));
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    public static String rs256(Map<String, Object> claims, PrivateKey key, String kid) {
        return sign(header("RS256", kid), claims, "SHA256withRSA", key);
    }

    /** ES256 in JOSE form (r||s), made by the JDK's P1363 signer. */
    public static String es256(Map<String, Object> claims, PrivateKey key, String kid) {
        return sign(header("ES256", kid), claims, "SHA256withECDSAinP1363Format", key);
    }

    public static String none(Map<String, Object> claims) {
        return part(Map.of("alg", "none")) + "." + part(claims) + ".";
    }

    private static Map<String, Object> header(String alg, String kid) {
        Map<String, Object> h = new LinkedHashMap<>();
        h.put("alg", alg);
        if (kid != null) {
            h.put("kid", kid);
        }
        return h;
    }

    private static String sign(Map<String, Object> header, Map<String, Object> claims, String alg, PrivateKey key) {
        String input = part(header) + "." + part(claims);
        try {
            Signature s = Signature.getInstance(alg);
            s.initSign(key);
            s.update(input.getBytes(StandardCharsets.US_ASCII));
            return input + "." + B64.encodeToString(s.sign());
        } catch (Exception e) {
            throw new AssertionError(e);
        }
    }

    public static String part(Object json) {
        return B64.encodeToString(MAPPER.writeValueAsBytes(json));
    }

    /** The PEM (SubjectPublicKeyInfo) of a public key. */
    public static String pem(PublicKey key) {
        return "-----BEGIN PUBLIC KEY-----\n"
                + Base64.getMimeEncoder(64, "\n".getBytes(StandardCharsets.US_ASCII))
                        .encodeToString(key.getEncoded())
                + "\n-----END PUBLIC KEY-----\n";
    }

    /** A JWKS with the RSA key as {@code rsa-1} and the EC key as {@code ec-1}. */
    public static String jwks() {
        java.security.interfaces.RSAPublicKey rsa = (java.security.interfaces.RSAPublicKey) RSA.getPublic();
        java.security.interfaces.ECPublicKey ec = (java.security.interfaces.ECPublicKey) EC.getPublic();
        Map<String, Object> r = Map.of(
                "kty",
                "RSA",
                "kid",
                "rsa-1",
                "use",
                "sig",
                "alg",
                "RS256",
                "n",
                unsigned(rsa.getModulus()),
                "e",
                unsigned(rsa.getPublicExponent()));
        Map<String, Object> e = Map.of(
                "kty",
                "EC",
                "kid",
                "ec-1",
                "crv",
                "P-256",
                "x",
                coordinate(ec.getW().getAffineX()),
                "y",
                coordinate(ec.getW().getAffineY()));
        return MAPPER.writeValueAsString(Map.of("keys", java.util.List.of(r, e)));
    }

    private static String unsigned(java.math.BigInteger v) {
        byte[] b = v.toByteArray();
        if (b[0] == 0 && b.length > 1) {
            b = java.util.Arrays.copyOfRange(b, 1, b.length);
        }
        return B64.encodeToString(b);
    }

    private static String coordinate(java.math.BigInteger v) {
        byte[] b = v.toByteArray();
        byte[] out = new byte[32];
        int n = Math.min(32, b.length);
        System.arraycopy(b, b.length - n, out, 32 - n, n);
        return B64.encodeToString(out);
    }
}
