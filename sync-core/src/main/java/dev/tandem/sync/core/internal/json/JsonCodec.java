package dev.tandem.sync.core.internal.json;

import org.jspecify.annotations.Nullable;

/** Placeholder; replaced by the Jackson-backed codec. */
public final class JsonCodec {
    private JsonCodec() {}

    public static @Nullable Object parse(String text) {
        throw new UnsupportedOperationException("TODO");
    }

    public static String stringify(@Nullable Object value) {
        throw new UnsupportedOperationException("TODO");
    }
}
