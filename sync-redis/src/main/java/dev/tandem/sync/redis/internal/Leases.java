package dev.tandem.sync.redis.internal;

import io.lettuce.core.ScriptOutputType;
import io.lettuce.core.api.async.RedisAsyncCommands;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/**
 * The room leases of one node in Redis: key {@code <prefix>:lease:<roomId>} holding the owner's node id, taken
 * with {@code SET NX PX} semantics, renewed with compare-and-{@code PEXPIRE} and released with compare-and-
 * {@code DEL}, each one Lua script so no other node's lease is ever touched. Thread-safe; never blocks: every
 * call completes its future with the result, or exceptionally if Redis cannot be reached.
 */
final class Leases {
    /** Takes the lease if free, or keeps it if already ours; returns the holder. */
    private static final String ACQUIRE = "local v = redis.call('get', KEYS[1])\n"
            + "if v == ARGV[1] then redis.call('pexpire', KEYS[1], ARGV[2]) return v end\n"
            + "if v then return v end\n"
            + "redis.call('set', KEYS[1], ARGV[1], 'PX', ARGV[2])\n"
            + "return ARGV[1]";
    /** Compare-and-pexpire: 1 if still ours and renewed. */
    private static final String RENEW = "if redis.call('get', KEYS[1]) == ARGV[1] then\n"
            + " return redis.call('pexpire', KEYS[1], ARGV[2]) else return 0 end";
    /** Compare-and-delete. */
    private static final String RELEASE =
            "if redis.call('get', KEYS[1]) == ARGV[1] then\n" + " return redis.call('del', KEYS[1]) else return 0 end";

    /** Compare-and-set to another node: 1 if it was ours and now names the target, with a fresh TTL. */
    private static final String TRANSFER = "if redis.call('get', KEYS[1]) == ARGV[1] then\n"
            + " redis.call('set', KEYS[1], ARGV[2], 'PX', ARGV[3]) return 1 else return 0 end";

    private final RedisAsyncCommands<String, String> redis;
    private final String keyPrefix;
    private final String nodeId;
    private final String ttlMillis;

    Leases(RedisAsyncCommands<String, String> redis, String keyPrefix, String nodeId, Duration ttl) {
        this.redis = redis;
        this.keyPrefix = keyPrefix;
        this.nodeId = nodeId;
        this.ttlMillis = Long.toString(ttl.toMillis());
    }

    /** Takes the room's lease if nobody holds it (or extends ours); completes with the holder's node id. */
    CompletableFuture<String> acquire(String roomId) {
        try {
            return redis.<String>eval(ACQUIRE, ScriptOutputType.VALUE, new String[] {key(roomId)}, nodeId, ttlMillis)
                    .toCompletableFuture()
                    .thenCompose(holder -> holder != null
                            ? CompletableFuture.completedFuture(holder)
                            : CompletableFuture.failedFuture(
                                    new IllegalStateException("lease of room " + roomId + " unreadable")));
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Extends the room's lease if this node still holds it; completes with whether it did. */
    CompletableFuture<Boolean> renew(String roomId) {
        try {
            return redis.<Long>eval(RENEW, ScriptOutputType.INTEGER, new String[] {key(roomId)}, nodeId, ttlMillis)
                    .toCompletableFuture()
                    .thenApply(renewed -> renewed != null && renewed == 1L);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Deletes the room's lease if this node holds it; never completes exceptionally. */
    CompletableFuture<Boolean> release(String roomId) {
        try {
            return redis.<Long>eval(RELEASE, ScriptOutputType.INTEGER, new String[] {key(roomId)}, nodeId)
                    .toCompletableFuture()
                    .thenApply(deleted -> deleted != null && deleted == 1L)
                    .exceptionally(e -> false);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(false);
        }
    }

    /** Hands the room's lease to {@code target} if this node holds it; completes with whether it did. */
    CompletableFuture<Boolean> transfer(String roomId, String target) {
        try {
            return redis.<Long>eval(
                            TRANSFER, ScriptOutputType.INTEGER, new String[] {key(roomId)}, nodeId, target, ttlMillis)
                    .toCompletableFuture()
                    .thenApply(moved -> moved != null && moved == 1L);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Marks this node as draining for {@code ttl}: other draining nodes do not hand rooms to it. */
    CompletableFuture<Void> markDraining(Duration ttl) {
        try {
            return redis.set(keyPrefix + ":draining:" + nodeId, "1", io.lettuce.core.SetArgs.Builder.px(ttl.toMillis()))
                    .toCompletableFuture()
                    .thenApply(ok -> null);
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Removes this node's draining mark (a node restarted under the same id); never completes exceptionally. */
    CompletableFuture<Void> clearDraining() {
        try {
            return redis.del(keyPrefix + ":draining:" + nodeId)
                    .toCompletableFuture()
                    .<Void>thenApply(n -> null)
                    .exceptionally(e -> null);
        } catch (RuntimeException e) {
            return CompletableFuture.completedFuture(null);
        }
    }

    /**
     * Completes with the other nodes that can take rooms: those subscribed to their relay channel now, less this
     * node and nodes that are draining.
     */
    CompletableFuture<java.util.List<String>> liveNodes(String channelPrefix) {
        try {
            return redis.pubsubChannels(channelPrefix + "*")
                    .toCompletableFuture()
                    .thenCompose(channels -> {
                        java.util.List<String> nodes = new java.util.ArrayList<>();
                        for (String c : channels) {
                            String n = c.substring(channelPrefix.length());
                            if (!n.equals(nodeId)) {
                                nodes.add(n);
                            }
                        }
                        if (nodes.isEmpty()) {
                            return CompletableFuture.completedFuture(nodes);
                        }
                        String[] keys = nodes.stream()
                                .map(n -> keyPrefix + ":draining:" + n)
                                .toArray(String[]::new);
                        return redis.mget(keys).toCompletableFuture().thenApply(values -> {
                            java.util.List<String> live = new java.util.ArrayList<>();
                            for (int i = 0; i < nodes.size(); i++) {
                                if (!values.get(i).hasValue()) {
                                    live.add(nodes.get(i));
                                }
                            }
                            java.util.Collections.sort(live);
                            return live;
                        });
                    });
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    /** Completes with the node holding the room's lease, or null if nobody does. */
    CompletableFuture<@Nullable String> holder(String roomId) {
        try {
            return redis.get(key(roomId)).toCompletableFuture();
        } catch (RuntimeException e) {
            return CompletableFuture.failedFuture(e);
        }
    }

    private String key(String roomId) {
        return keyPrefix + ":lease:" + roomId;
    }
}
