package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.RoomOptions;

/** Placeholder until the room lands. */
public final class SyncRoom {
    public SyncRoom(String roomId, RoomOptions options) {
        throw new UnsupportedOperationException("TODO");
    }
}
