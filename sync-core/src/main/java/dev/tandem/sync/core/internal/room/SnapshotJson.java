package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.RoomSnapshot;

/** Placeholder. */
public final class SnapshotJson {
    private SnapshotJson() {}

    public static RoomSnapshot parse(String json) {
        throw new UnsupportedOperationException("TODO");
    }

    public static String write(RoomSnapshot snapshot) {
        throw new UnsupportedOperationException("TODO");
    }
}
