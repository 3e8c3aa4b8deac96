package dev.tandem.sync.server.auth;

import java.io.ByteArrayOutputStream;
import java.math.BigInteger;
import java.security.interfaces.ECPublicKey;
import java.security.spec.ECFieldFp;
import java.security.spec.ECParameterSpec;
import java.security.spec.ECPoint;

/** ECDSA P-256 helpers: the JOSE signature format and the curve check. */
final class EcSignatures {
    /** P-256 (secp256r1) domain parameters, FIPS 186-4 D.1.2.3. */
    static final BigInteger P = new BigInteger("ffffffff00000001000000000000000000000000ffffffffffffffffffffffff", 16);

    static final BigInteger A = P.subtract(BigInteger.valueOf(3));
    static final BigInteger B = new BigInteger("5ac635d8aa3a93e7b3ebbd55769886bc651d06b0cc53b0f63bce3c3e27d2604b", 16);
    static final BigInteger N = new BigInteger("ffffffff00000000ffffffffffffffffbce6faada7179e84f3b9cac2fc632551", 16);

    private EcSignatures() {}

    /** Returns whether the key is on P-256: its curve's field, coefficients and order, and its point on it. */
    static boolean isP256(ECPublicKey key) {
        ECParameterSpec params = key.getParams();
        if (!(params.getCurve().getField() instanceof ECFieldFp field)
                || !field.getP().equals(P)
                || !params.getCurve().getA().equals(A)
                || !params.getCurve().getB().equals(B)
                || !params.getOrder().equals(N)) {
            return false;
        }
        return onCurve(key.getW());
    }

    /** Returns whether an affine point satisfies y² = x³ + ax + b (mod p) with coordinates in range. */
    static boolean onCurve(ECPoint w) {
        if (w.equals(ECPoint.POINT_INFINITY)) {
            return false;
        }
        BigInteger x = w.getAffineX();
        BigInteger y = w.getAffineY();
        if (x.signum() < 0 || x.compareTo(P) >= 0 || y.signum() < 0 || y.compareTo(P) >= 0) {
            return false;
        }
        BigInteger left = y.multiply(y).mod(P);
        BigInteger right = x.pow(3).add(A.multiply(x)).add(B).mod(P);
        return left.equals(right);
    }

    /**
     * Converts a JOSE ES256 signature (r and s as 32-byte big-endian integers, concatenated; RFC 7518 §3.4) to the
     * ASN.1 DER {@code SEQUENCE { INTEGER r, INTEGER s }} that {@code SHA256withECDSA} verifies.
     *
     * @throws IllegalArgumentException if the signature is not 64 bytes or r or s is out of [1, n-1]
     */
    static byte[] joseToDer(byte[] jose) {
        if (jose.length != 64) {
            throw new IllegalArgumentException("ES256 signatures are 64 bytes but this one is " + jose.length);
        }
        byte[] r = integer(jose, 0);
        byte[] s = integer(jose, 32);
        ByteArrayOutputStream out = new ByteArrayOutputStream(72);
        out.write(0x30);
        out.write(2 + r.length + 2 + s.length); // at most 70: short-form length
        out.write(0x02);
        out.write(r.length);
        out.write(r, 0, r.length);
        out.write(0x02);
        out.write(s.length);
        out.write(s, 0, s.length);
        return out.toByteArray();
    }

    /** Returns the minimal DER INTEGER content of the unsigned 32-byte value at {@code offset}. */
    private static byte[] integer(byte[] jose, int offset) {
        BigInteger v = new BigInteger(1, java.util.Arrays.copyOfRange(jose, offset, offset + 32));
        if (v.signum() == 0 || v.compareTo(N) >= 0) {
            throw new IllegalArgumentException("ES256 signature value out of range");
        }
        return v.toByteArray(); // two's complement, minimal, with a leading 0 when the top bit is set
    }
}
