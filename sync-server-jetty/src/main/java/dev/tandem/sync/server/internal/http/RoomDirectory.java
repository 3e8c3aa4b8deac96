package dev.tandem.sync.server.internal.http;

import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomManager;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the HTTP routes find rooms: the server's own {@link RoomManager} on a single node, or, on a cluster node,
 * handles that run each operation on the room's owner wherever it is. Implementations are thread-safe.
 */
public interface RoomDirectory {

    /**
     * Returns the room, loading (or, in a cluster, taking) it if needed.
     *
     * @throws IllegalStateException if the server is shutting down
     */
    Room room(String roomId);

    /** Returns the room if it is loaded now (on any node of a cluster), without loading it. */
    Optional<Room> find(String roomId);

    /** Returns the directory of a single node's rooms. */
    static RoomDirectory of(RoomManager rooms) {
        Objects.requireNonNull(rooms, "rooms");
        return new RoomDirectory() {
            @Override
            public Room room(String roomId) {
                return rooms.room(roomId);
            }

            @Override
            public Optional<Room> find(String roomId) {
                return rooms.find(roomId);
            }
        };
    }
}
