package dev.tandem.sync.redis;

import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomManager;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SessionSocket;
import dev.tandem.sync.core.SocketHandler;
import dev.tandem.sync.redis.internal.ClusterNode;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;

/**
 * One node of a multi-node Tandem deployment. Each room has exactly one owner node at a time, chosen by a
 * Redis lease ({@code SET NX PX}, renewed every third of its TTL, released when the room unloads) and fenced in
 * the shared store by an owner epoch claimed when the node takes the room. A session may reach any node: on the
 * owner it joins the room directly; elsewhere its frames are relayed to the owner over Redis pub/sub and the
 * owner's frames relayed back, in order, so a client cannot tell which node it reached.
 *
 * <p>Failures: a node that loses its lease, cannot renew it before it expires by the local clock (less the
 * safety margin), or whose commit is fenced closes the room at once; its sessions, local and relayed, get a
 * normal close and reconnect (another node takes the room from the store). When Redis is unreachable, owned
 * rooms keep serving local sessions while their leases are valid, relayed sessions are closed normally, and
 * new sessions that need Redis are refused with a normal close until it returns (no restart needed).
 *
 * <p>Thread-safe. {@link #start} connects to Redis; {@link #close()} releases the leases of rooms that are
 * already closed and disconnects. Close the {@link #rooms()} (flushing them) before closing the cluster.
 *
 * <pre>{@code
 * RedisCluster cluster = RedisCluster.start(
 *     ClusterOptions.builder().redisUri("redis://127.0.0.1:6379").build(), roomOptionsWithSharedStore, fence);
 * SocketHandler handler = cluster.connect("my-room", socket, SessionOptions.of(sessionId));
 * }</pre>
 */
public interface RedisCluster extends AutoCloseable {

    /**
     * Connects to Redis and starts the node. Rooms are created from {@code roomOptions}, whose store must be
     * the store shared by every node; their commits go through {@code fence} with the room's owner epoch.
     *
     * @throws IllegalArgumentException if {@code roomOptions} has no store
     * @throws IllegalStateException if Redis cannot be reached
     */
    static RedisCluster start(ClusterOptions options, RoomOptions roomOptions, RoomFence fence) {
        Objects.requireNonNull(options, "options");
        Objects.requireNonNull(roomOptions, "roomOptions");
        Objects.requireNonNull(fence, "fence");
        return ClusterNode.start(options, roomOptions, fence);
    }

    /** Returns this node's id. */
    String nodeId();

    /**
     * Attaches a client connection to a room wherever its owner is, and returns the handler the transport feeds
     * (see {@link SocketHandler}). Returns at once: frames that arrive before the owner is known are kept in
     * order. If no owner can be found or taken (Redis unreachable), the socket gets a normal close.
     */
    SocketHandler connect(String roomId, SessionSocket socket, SessionOptions options);

    /** Returns the rooms this node owns and has loaded; a room not owned here cannot be created through it. */
    RoomManager rooms();

    /**
     * Returns a handle on the room wherever its owner is, for the HTTP routes: each operation runs on the room
     * here when this node owns it (taking its lease when nobody holds it), or is relayed to the owner with the
     * principal the caller authenticated, as sessions are. {@link Room#update} works only on the owner.
     *
     * @throws IllegalStateException if the node is closed
     */
    Room room(String roomId);

    /**
     * Returns a handle on the room (see {@link #room}) if some node has it loaded now (holds its lease), without
     * taking it; asks Redis, so it may wait up to the call timeout.
     *
     * @throws IllegalStateException if Redis cannot be asked
     */
    Optional<Room> find(String roomId);

    /** Returns counters of this node's rooms, sessions and relay traffic; never blocks. */
    Stats stats();

    /**
     * Prepares this node to stop without disrupting its rooms: it takes no room from now on, and hands each room
     * it owns to another live node (which loads it before this node closes the room's sessions with close code
     * 1013, so clients reconnect at once and catch up incrementally), then closes its own clients relayed to
     * other owners with 1013 as well. Waits at most {@code timeout}; a room that could not be handed over in
     * time is closed as on {@link #close()}. Returns how many rooms moved. Call before closing the rooms.
     *
     * @throws IllegalArgumentException if {@code timeout} is negative
     */
    int drain(Duration timeout);

    /** Stops renewing, releases the leases of closed rooms and disconnects from Redis. Idempotent. */
    @Override
    void close();

    /**
     * Counters of one node.
     *
     * @param roomsOwned rooms this node owns now
     * @param localSessions client connections on this node joined to a room it owns
     * @param relayedOutSessions client connections on this node relayed to another owner
     * @param relayedInSessions sessions of rooms this node owns whose client is on another node
     * @param relayMessagesIn relay messages received
     * @param relayMessagesOut relay messages published
     * @param relayBytesIn characters of relay messages received
     * @param relayBytesOut characters of relay messages published
     * @param redisConnected whether both Redis connections are up
     */
    record Stats(
            int roomsOwned,
            int localSessions,
            int relayedOutSessions,
            int relayedInSessions,
            long relayMessagesIn,
            long relayMessagesOut,
            long relayBytesIn,
            long relayBytesOut,
            boolean redisConnected) {}
}
