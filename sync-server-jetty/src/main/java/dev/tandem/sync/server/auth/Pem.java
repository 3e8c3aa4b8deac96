package dev.tandem.sync.server.auth;

import java.io.ByteArrayInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.PublicKey;
import java.security.cert.CertificateFactory;
import java.security.spec.X509EncodedKeySpec;
import java.util.Base64;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/** Reads public keys from PEM text: {@code PUBLIC KEY} (SubjectPublicKeyInfo) or {@code CERTIFICATE}. */
final class Pem {
    private static final Pattern BLOCK =
            Pattern.compile("-----BEGIN ([A-Z ]+)-----([A-Za-z0-9+/=\\s]+)-----END \\1-----");

    private Pem() {}

    /**
     * Returns the RSA or EC public key of the first PEM block.
     *
     * @throws IllegalArgumentException if there is no such block or it holds no RSA or EC public key
     */
    static PublicKey publicKey(String pem) {
        Matcher m = BLOCK.matcher(pem);
        if (!m.find()) {
            throw new IllegalArgumentException("not a PEM public key or certificate");
        }
        byte[] der;
        try {
            der = Base64.getMimeDecoder().decode(m.group(2));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("PEM block is not base64", e);
        }
        String type = m.group(1);
        try {
            if (type.equals("CERTIFICATE")) {
                return CertificateFactory.getInstance("X.509")
                        .generateCertificate(new ByteArrayInputStream(der))
                        .getPublicKey();
            }
            if (!type.equals("PUBLIC KEY")) {
                throw new IllegalArgumentException(
                        "PEM block is " + type + "; give a PUBLIC KEY (SubjectPublicKeyInfo) or CERTIFICATE");
            }
        } catch (GeneralSecurityException e) {
            throw new IllegalArgumentException("PEM certificate cannot be read: " + e.getMessage(), e);
        }
        for (String algorithm : new String[] {"RSA", "EC"}) {
            try {
                return KeyFactory.getInstance(algorithm).generatePublic(new X509EncodedKeySpec(der));
            } catch (GeneralSecurityException e) {
                // try the next key type
            }
        }
        throw new IllegalArgumentException("PEM public key is neither RSA nor EC");
    }
}
