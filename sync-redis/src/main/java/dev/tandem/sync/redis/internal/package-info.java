/** Implementation of {@link dev.tandem.sync.redis.RedisCluster}: leases, relay and fencing. */
@NullMarked
package dev.tandem.sync.redis.internal;

import org.jspecify.annotations.NullMarked;
