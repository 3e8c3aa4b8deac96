package dev.tandem.sync.core;

import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Holds the rooms of one server, creating each on first use. Thread-safe.
 *
 * <pre>{@code
 * RoomManager rooms = RoomManager.create(roomId -> RoomOptions.builder().build());
 * Room room = rooms.room("my-room");
 * }</pre>
 */
public final class RoomManager implements AutoCloseable {
    private final Function<String, RoomOptions> optionsForRoom;
    private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private RoomManager(Function<String, RoomOptions> optionsForRoom) {
        this.optionsForRoom = optionsForRoom;
    }

    /** Creates a manager whose rooms all use the same options. */
    public static RoomManager create(RoomOptions options) {
        Objects.requireNonNull(options, "options");
        return new RoomManager(id -> options);
    }

    /** Creates a manager that asks for each room's options when the room is first used. */
    public static RoomManager create(Function<String, RoomOptions> optionsForRoom) {
        return new RoomManager(Objects.requireNonNull(optionsForRoom, "optionsForRoom"));
    }

    /**
     * Returns the room with this id, creating it if needed.
     *
     * @throws IllegalStateException if the manager is closed
     */
    public Room room(String roomId) {
        Objects.requireNonNull(roomId, "roomId");
        if (closed) {
            throw new IllegalStateException("room manager is closed");
        }
        return rooms.computeIfAbsent(roomId, id -> Room.create(id, optionsForRoom.apply(id)));
    }

    /** Returns the room with this id if it exists. */
    public Optional<Room> find(String roomId) {
        return Optional.ofNullable(rooms.get(roomId));
    }

    /** Returns the rooms that exist now. */
    public Collection<Room> rooms() {
        return List.copyOf(rooms.values());
    }

    /** Closes every room. Idempotent. */
    @Override
    public void close() {
        closed = true;
        for (Room room : rooms.values()) {
            room.close();
        }
        rooms.clear();
    }
}
