package dev.tandem.sync.server.internal.cli;

import dev.tandem.sync.core.Durability;
import dev.tandem.sync.redis.ClusterOptions;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/** Multi-node mode on Redis; defaults are {@link ClusterOptions}'. */
public final class ClusterFlags {

    @Option(
            names = "--redis-url",
            paramLabel = "URL",
            description = "Run as one node of a cluster on this Redis, e.g. redis://127.0.0.1:6379, or on the Redis"
                    + " its Sentinels watch, redis-sentinel://host:26379,host2:26379#mymaster; every node must"
                    + " use the same --store postgres database and --durability sync (TANDEM_REDIS_URL)."
                    + " Default: none, a single node.")
    @Nullable
    String redisUrl;

    @Option(
            names = "--node-id",
            paramLabel = "ID",
            description = "This node's id in the cluster, unique, [A-Za-z0-9._-] (TANDEM_NODE_ID). Default: random.")
    @Nullable
    String nodeId;

    @Option(
            names = "--redis-prefix",
            paramLabel = "PREFIX",
            description = "Prefix of the cluster's Redis keys and channels (TANDEM_REDIS_PREFIX)."
                    + " Default: ${DEFAULT-VALUE}.")
    String redisPrefix = ClusterOptions.DEFAULT_KEY_PREFIX;

    @Option(
            names = "--lease-ttl",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "How long a node's ownership of a room lasts without renewal (renewed every third); a dead"
                    + " owner's rooms move to another node after at most this long (TANDEM_LEASE_TTL)."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration leaseTtl = ClusterOptions.DEFAULT_LEASE_TTL;

    /**
     * Returns the cluster settings, or null for a single node; throws {@link IllegalArgumentException} for bad
     * ones, or when the store or durability cannot serve a cluster.
     */
    public @Nullable ClusterOptions clusterOptions(StoreKind store, Durability durability) {
        if (redisUrl == null || redisUrl.isBlank()) {
            return null;
        }
        if (store != StoreKind.POSTGRES) {
            throw new IllegalArgumentException("--redis-url needs --store postgres (a store every node shares)");
        }
        if (durability != Durability.SYNC) {
            throw new IllegalArgumentException(
                    "--redis-url needs --durability sync (a fail-over must not lose acknowledged changes)");
        }
        ClusterOptions.Builder b = ClusterOptions.builder()
                .redisUri(redisUrl)
                .keyPrefix(redisPrefix)
                .leaseTtl(leaseTtl);
        if (nodeId != null) {
            b.nodeId(nodeId);
        }
        return b.build();
    }
}
