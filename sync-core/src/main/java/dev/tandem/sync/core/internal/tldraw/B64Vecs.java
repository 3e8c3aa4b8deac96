package dev.tandem.sync.core.internal.tldraw;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;

/**
 * tldraw's base64 point encoding for draw and highlight segments ({@code path}), written from its published
 * format: the first point as three little-endian float32s ({@code x, y, z}), each further point as three
 * float16 deltas from the previous one; 2D paths omit {@code z} (float32 pair, then float16 delta pairs) and
 * decode with pressure 0.5. The legacy format is three float16s per point, absolute. Float16 rounding follows
 * tldraw's own portable conversion (the one a Node.js server without native float16 uses), so strings are
 * byte-identical to tldraw's. Stateless and thread-safe.
 */
final class B64Vecs {
    static final int DIM_2D = 2;
    private static final double DEFAULT_PRESSURE = 0.5;

    private B64Vecs() {}

    /** One point; {@code z} is the pressure. */
    record Vec(double x, double y, double z) {}

    /** Encodes points as a 3D path (z defaults to 0.5). */
    static String encodePoints(List<Vec> points) {
        if (points.isEmpty()) {
            return "";
        }
        ByteBuffer buf = ByteBuffer.allocate(12 + (points.size() - 1) * 6).order(ByteOrder.LITTLE_ENDIAN);
        Vec first = points.get(0);
        buf.putFloat((float) first.x()).putFloat((float) first.y()).putFloat((float) first.z());
        double px = first.x();
        double py = first.y();
        double pz = first.z();
        for (int i = 1; i < points.size(); i++) {
            Vec p = points.get(i);
            buf.putShort((short) toFloat16Bits(p.x() - px));
            buf.putShort((short) toFloat16Bits(p.y() - py));
            buf.putShort((short) toFloat16Bits(p.z() - pz));
            px = p.x();
            py = p.y();
            pz = p.z();
        }
        return Base64.getEncoder().encodeToString(buf.array());
    }

    /** Decodes a 3D path, or a 2D one (pressure 0.5) if {@code dim} is {@link #DIM_2D}. */
    static List<Vec> decodePoints(String base64, int dim) {
        List<Vec> out = new ArrayList<>();
        if (base64.isEmpty()) {
            return out;
        }
        ByteBuffer buf = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
        boolean twoD = dim == DIM_2D;
        double x = buf.getFloat(0);
        double y = buf.getFloat(4);
        double z = twoD ? DEFAULT_PRESSURE : buf.getFloat(8);
        out.add(new Vec(x, y, z));
        int step = twoD ? 4 : 6;
        for (int off = twoD ? 8 : 12; off + step <= buf.capacity(); off += step) {
            x += fromFloat16Bits(buf.getShort(off) & 0xffff);
            y += fromFloat16Bits(buf.getShort(off + 2) & 0xffff);
            if (!twoD) {
                z += fromFloat16Bits(buf.getShort(off + 4) & 0xffff);
            }
            out.add(new Vec(x, y, z));
        }
        return out;
    }

    /** Decodes the legacy format: three absolute float16s per point. */
    static List<Vec> legacyDecodePoints(String base64) {
        ByteBuffer buf = ByteBuffer.wrap(Base64.getDecoder().decode(base64)).order(ByteOrder.LITTLE_ENDIAN);
        List<Vec> out = new ArrayList<>();
        for (int off = 0; off + 6 <= buf.capacity(); off += 6) {
            out.add(new Vec(
                    fromFloat16Bits(buf.getShort(off) & 0xffff),
                    fromFloat16Bits(buf.getShort(off + 2) & 0xffff),
                    fromFloat16Bits(buf.getShort(off + 4) & 0xffff)));
        }
        return out;
    }

    static double fromFloat16Bits(int bits) {
        int sign = bits >> 15;
        int exp = (bits >> 10) & 0x1f;
        int frac = bits & 0x3ff;
        if (exp == 0) {
            double v = frac * (Math.pow(2, -14) / 1024);
            return sign != 0 ? -v : v;
        }
        if (exp == 31) {
            return frac != 0 ? Double.NaN : sign != 0 ? Double.NEGATIVE_INFINITY : Double.POSITIVE_INFINITY;
        }
        double magnitude = Math.pow(2, exp - 15) * (1 + frac / 1024.0);
        return sign != 0 ? -magnitude : magnitude;
    }

    /**
     * Rounds like tldraw's portable float16 conversion: the mantissa is rounded half up (JavaScript's {@code
     * Math.round}), not half to even.
     */
    static int toFloat16Bits(double value) {
        if (value == 0) {
            return Double.doubleToRawLongBits(value) < 0 ? 0x8000 : 0;
        }
        if (Double.isNaN(value)) {
            return 0x7e00;
        }
        if (Double.isInfinite(value)) {
            return value > 0 ? 0x7c00 : 0xfc00;
        }
        int sign = value < 0 ? 1 : 0;
        double v = Math.abs(value);
        // floor(log2(v)); a value just below a power of two rounds to the same bits either way
        int exp = Math.getExponent(v);
        if (exp < Double.MIN_EXPONENT) {
            exp = Double.MIN_EXPONENT - 1; // double subnormals: far below float16's range
        }
        int expBiased = exp + 15;
        if (expBiased >= 31) {
            return (sign << 15) | 0x7c00;
        }
        if (expBiased <= 0) {
            long frac = Math.round(v * Math.pow(2, 14) * 1024);
            return (sign << 15) | (int) (frac & 0x3ff);
        }
        double mantissa = v / Math.pow(2, exp) - 1;
        long frac = Math.round(mantissa * 1024);
        if (frac >= 1024) {
            frac = 0;
            expBiased++;
            if (expBiased >= 31) {
                return (sign << 15) | 0x7c00;
            }
        }
        return (sign << 15) | (expBiased << 10) | (int) frac;
    }
}
