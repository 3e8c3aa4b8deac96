package dev.tandem.sync.core;

import java.time.Instant;
import java.util.Objects;

/**
 * A stored version of a room.
 *
 * @param id the version id, unique within the room
 * @param documentClock the room's document clock when the version was taken
 * @param createdAt when the version was stored
 */
public record VersionInfo(String id, long documentClock, Instant createdAt) {
    public VersionInfo {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(createdAt, "createdAt");
    }
}
