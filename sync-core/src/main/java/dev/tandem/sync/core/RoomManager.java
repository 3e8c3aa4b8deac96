package dev.tandem.sync.core;

import dev.tandem.sync.core.internal.room.SyncRoom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Function;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Holds the rooms of one server, creating each on first use. With a store in the room options, a room loads
 * from the store on first use and unloads itself once its last session left and its changes are durable; a
 * later use loads it again. Thread-safe.
 *
 * <pre>{@code
 * RoomManager rooms = RoomManager.create(roomId -> RoomOptions.builder().build());
 * Room room = rooms.room("my-room");
 * }</pre>
 */
public final class RoomManager implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RoomManager.class);
    private final Function<String, RoomOptions> optionsForRoom;
    private final int maxRooms;
    private final ConcurrentHashMap<String, Room> rooms = new ConcurrentHashMap<>();
    private volatile boolean closed;

    private RoomManager(Function<String, RoomOptions> optionsForRoom, int maxRooms) {
        this.optionsForRoom = optionsForRoom;
        this.maxRooms = maxRooms;
    }

    private RoomManager(Function<String, RoomOptions> optionsForRoom) {
        this(optionsForRoom, Integer.MAX_VALUE);
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
     * Creates a manager that holds at most {@code maxRooms} loaded rooms: asking for another room then throws
     * {@link TooManyRoomsException} until one unloads.
     */
    public static RoomManager create(Function<String, RoomOptions> optionsForRoom, int maxRooms) {
        if (maxRooms <= 0) {
            throw new IllegalArgumentException("maxRooms must be > 0 but was " + maxRooms);
        }
        return new RoomManager(Objects.requireNonNull(optionsForRoom, "optionsForRoom"), maxRooms);
    }

    /**
     * Returns the room with this id, creating it if needed.
     *
     * @throws IllegalStateException if the manager is closed
     * @throws TooManyRoomsException if the room is not loaded and the manager holds its limit of rooms
     */
    public Room room(String roomId) {
        Objects.requireNonNull(roomId, "roomId");
        if (closed) {
            throw new IllegalStateException("room manager is closed");
        }
        if (maxRooms == Integer.MAX_VALUE) {
            return load(roomId);
        }
        Room loaded = rooms.get(roomId);
        if (loaded != null && !loaded.isClosed()) {
            return loaded;
        }
        // creations are serial so the count is exact; unloads only lower it
        synchronized (this) {
            Room again = rooms.get(roomId);
            if ((again == null || again.isClosed()) && rooms.size() >= maxRooms) {
                throw new TooManyRoomsException(maxRooms);
            }
            return load(roomId);
        }
    }

    private Room load(String roomId) {
        return rooms.compute(roomId, (id, existing) -> {
            if (existing != null && !existing.isClosed()) {
                return existing;
            }
            Room[] self = new Room[1];
            self[0] = new SyncRoom(id, optionsForRoom.apply(id), () -> rooms.remove(id, self[0]));
            return self[0];
        });
    }

    /** Returns the room with this id if it exists. */
    public Optional<Room> find(String roomId) {
        return Optional.ofNullable(rooms.get(roomId));
    }

    /** Returns the rooms that exist now. */
    public Collection<Room> rooms() {
        return List.copyOf(rooms.values());
    }

    /**
     * Closes every room (sessions get a normal close) and waits, up to {@code timeout}, until every room's
     * changes are durable in its store. Returns true if everything was flushed in time. Idempotent.
     */
    public boolean close(Duration timeout) {
        closed = true;
        List<Room> all = List.copyOf(rooms.values());
        List<CompletableFuture<Void>> flushed = new ArrayList<>();
        for (Room room : all) {
            room.close();
            flushed.add(room.flush());
        }
        rooms.clear();
        try {
            CompletableFuture.allOf(flushed.toArray(CompletableFuture[]::new))
                    .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
            return true;
        } catch (TimeoutException | ExecutionException e) {
            LOG.warn("rooms not flushed within {}: {}", timeout, e.toString());
            return false;
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return false;
        }
    }

    /** Closes every room and waits up to 30 seconds for their stores to be flushed. */
    @Override
    public void close() {
        close(Duration.ofSeconds(30));
    }
}
