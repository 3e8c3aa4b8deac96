package dev.tandem.sync.server.internal.cluster;

import dev.tandem.sync.core.Room;
import dev.tandem.sync.redis.RedisCluster;
import dev.tandem.sync.server.internal.http.RoomDirectory;
import java.util.Optional;

/**
 * The rooms of a cluster node's HTTP routes: every route works on every node, each room operation running on
 * the room's owner (this node takes a room nobody owns), with the principal this node authenticated. Thread-safe.
 */
public final class ClusterRoomDirectory implements RoomDirectory {
    private final RedisCluster cluster;

    public ClusterRoomDirectory(RedisCluster cluster) {
        this.cluster = cluster;
    }

    @Override
    public Room room(String roomId) {
        return cluster.room(roomId);
    }

    @Override
    public Optional<Room> find(String roomId) {
        return cluster.find(roomId);
    }
}
