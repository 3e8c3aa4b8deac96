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
