package dev.tandem.sync.core;

import java.util.Objects;

/**
 * Whether a {@link RoomStore} currently works.
 *
 * @param healthy true when the last operations succeeded
 * @param detail a short human-readable status, such as the last error
 */
public record StoreHealth(boolean healthy, String detail) {
    /** A healthy store. */
    public static final StoreHealth OK = new StoreHealth(true, "ok");

    public StoreHealth {
        Objects.requireNonNull(detail, "detail");
    }

    /** Returns an unhealthy status with the reason. */
    public static StoreHealth degraded(String detail) {
        return new StoreHealth(false, detail);
    }
}
