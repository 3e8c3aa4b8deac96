/**
 * Multi-node Tandem on Redis: each room has one owner node at a time, chosen by a Redis lease and fenced in
 * the store by an owner epoch; sessions that reach another node are relayed to the owner over Redis pub/sub.
 * Start with {@link dev.tandem.sync.redis.RedisCluster#start}.
 */
@NullMarked
package dev.tandem.sync.redis;

import org.jspecify.annotations.NullMarked;
