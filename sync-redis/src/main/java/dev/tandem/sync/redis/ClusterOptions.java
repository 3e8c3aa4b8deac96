package dev.tandem.sync.redis;

import java.time.Duration;
import java.util.Objects;
import java.util.UUID;

/**
 * Settings of one node of a {@link RedisCluster}, built with {@link #builder()}, which checks each value at
 * once. Immutable and thread-safe.
 *
 * <pre>{@code
 * ClusterOptions options = ClusterOptions.builder()
 *     .redisUri("redis://127.0.0.1:6379")
 *     .nodeId("node-a")
 *     .leaseTtl(Duration.ofSeconds(10))
 *     .build();
 * }</pre>
 *
 * @param redisUri the Redis server, {@code redis://host:port[/db]} (or {@code rediss://}), or the Sentinels that
 *     watch it, {@code redis-sentinel://host:port[,host:port…][/db]#masterName}, as Lettuce's {@code RedisURI}
 *     parses them: the node finds the master through the Sentinels and follows a fail-over by itself
 * @param nodeId this node's id, unique in the cluster; relayed frames for this node go to its channel
 * @param keyPrefix the prefix of every Redis key and channel the cluster uses
 * @param leaseTtl how long a room lease lives without renewal; renewed every third of it. A paused or
 *     partitioned owner stops serving a room at most this long after its last renewal, and another node can
 *     take the room only after it expires
 * @param safetyMargin how long before its lease would expire, by the local clock, an owner that cannot renew
 *     stops serving (covers clock drift between the node and Redis)
 * @param relayOpenTimeout how long a relayed session waits for the owner to accept it before it is closed
 *     normally (the client reconnects)
 */
public record ClusterOptions(
        String redisUri,
        String nodeId,
        String keyPrefix,
        Duration leaseTtl,
        Duration safetyMargin,
        Duration relayOpenTimeout) {

    /** The default lease time to live. */
    public static final Duration DEFAULT_LEASE_TTL = Duration.ofSeconds(10);
    /** The default time a relayed session waits for the owner. */
    public static final Duration DEFAULT_RELAY_OPEN_TIMEOUT = Duration.ofSeconds(5);
    /** The default key prefix. */
    public static final String DEFAULT_KEY_PREFIX = "tandem";

    public ClusterOptions {
        Objects.requireNonNull(redisUri, "redisUri");
        Objects.requireNonNull(nodeId, "nodeId");
        Objects.requireNonNull(keyPrefix, "keyPrefix");
        Objects.requireNonNull(leaseTtl, "leaseTtl");
        Objects.requireNonNull(safetyMargin, "safetyMargin");
        Objects.requireNonNull(relayOpenTimeout, "relayOpenTimeout");
        if (!redisUri.startsWith("redis://")
                && !redisUri.startsWith("rediss://")
                && !redisUri.startsWith("redis-sentinel://")
                && !redisUri.startsWith("rediss-sentinel://")) {
            throw new IllegalArgumentException(
                    "redisUri must start with redis://, rediss://, redis-sentinel:// or rediss-sentinel:// but was "
                            + redisUri);
        }
        if (redisUri.contains("-sentinel://") && !redisUri.contains("#")) {
            throw new IllegalArgumentException(
                    "a redis-sentinel:// redisUri must name the master after '#' (host:port,host:port#mymaster) but was "
                            + redisUri);
        }
        if (nodeId.isEmpty() || !nodeId.matches("[A-Za-z0-9._-]{1,64}")) {
            throw new IllegalArgumentException("nodeId must be 1 to 64 of [A-Za-z0-9._-] but was '" + nodeId + "'");
        }
        if (keyPrefix.isEmpty() || keyPrefix.contains("\n")) {
            throw new IllegalArgumentException("keyPrefix must be non-empty and one line but was '" + keyPrefix + "'");
        }
        if (leaseTtl.compareTo(Duration.ofMillis(500)) < 0) {
            throw new IllegalArgumentException("leaseTtl must be >= 500ms but was " + leaseTtl);
        }
        if (safetyMargin.isNegative() || safetyMargin.compareTo(leaseTtl.dividedBy(2)) > 0) {
            throw new IllegalArgumentException(
                    "safetyMargin must be between 0 and half the lease TTL but was " + safetyMargin);
        }
        if (relayOpenTimeout.isNegative() || relayOpenTimeout.isZero()) {
            throw new IllegalArgumentException("relayOpenTimeout must be > 0 but was " + relayOpenTimeout);
        }
    }

    /** Returns how often leases are renewed: a third of the TTL. */
    public Duration renewInterval() {
        return leaseTtl.dividedBy(3);
    }

    /** Returns a builder with the defaults and a random node id. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds {@link ClusterOptions}; not thread-safe. */
    public static final class Builder {
        private String redisUri = "redis://127.0.0.1:6379";
        private String nodeId = "node-" + UUID.randomUUID().toString().substring(0, 8);
        private String keyPrefix = DEFAULT_KEY_PREFIX;
        private Duration leaseTtl = DEFAULT_LEASE_TTL;
        private Duration safetyMargin = DEFAULT_LEASE_TTL.dividedBy(10);
        private boolean marginSet;
        private Duration relayOpenTimeout = DEFAULT_RELAY_OPEN_TIMEOUT;

        private Builder() {}

        /** The Redis server; default {@code redis://127.0.0.1:6379}. */
        public Builder redisUri(String redisUri) {
            this.redisUri = Objects.requireNonNull(redisUri, "redisUri");
            return this;
        }

        /** This node's id; default {@code node-} and 8 random hex digits. */
        public Builder nodeId(String nodeId) {
            this.nodeId = Objects.requireNonNull(nodeId, "nodeId");
            return this;
        }

        /** The prefix of the cluster's keys and channels; default {@code tandem}. */
        public Builder keyPrefix(String keyPrefix) {
            this.keyPrefix = Objects.requireNonNull(keyPrefix, "keyPrefix");
            return this;
        }

        /** The room lease time to live, >= 500ms; default 10 s. Unless set, the safety margin is a tenth of it. */
        public Builder leaseTtl(Duration leaseTtl) {
            this.leaseTtl = Objects.requireNonNull(leaseTtl, "leaseTtl");
            if (!marginSet) {
                this.safetyMargin = leaseTtl.dividedBy(10);
            }
            return this;
        }

        /** How long before local lease expiry an owner that cannot renew stops; default a tenth of the TTL. */
        public Builder safetyMargin(Duration safetyMargin) {
            this.safetyMargin = Objects.requireNonNull(safetyMargin, "safetyMargin");
            this.marginSet = true;
            return this;
        }

        /** How long a relayed session waits for the owner to accept it; > 0, default 5 s. */
        public Builder relayOpenTimeout(Duration relayOpenTimeout) {
            this.relayOpenTimeout = Objects.requireNonNull(relayOpenTimeout, "relayOpenTimeout");
            return this;
        }

        /** Checks the settings together and returns them. */
        public ClusterOptions build() {
            return new ClusterOptions(redisUri, nodeId, keyPrefix, leaseTtl, safetyMargin, relayOpenTimeout);
        }
    }
}
