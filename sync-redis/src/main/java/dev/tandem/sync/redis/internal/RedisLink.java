package dev.tandem.sync.redis.internal;

import dev.tandem.sync.redis.ClusterOptions;
import io.lettuce.core.ClientOptions;
import io.lettuce.core.RedisChannelHandler;
import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisConnectionStateListener;
import io.lettuce.core.RedisURI;
import io.lettuce.core.SocketOptions;
import io.lettuce.core.TimeoutOptions;
import io.lettuce.core.api.StatefulRedisConnection;
import io.lettuce.core.api.async.RedisAsyncCommands;
import io.lettuce.core.pubsub.StatefulRedisPubSubConnection;
import io.lettuce.core.resource.ClientResources;
import io.lettuce.core.resource.Delay;
import java.net.SocketAddress;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A node's two Redis connections: one for commands (leases and publishes, so a node's publishes keep their
 * order) and one subscriber. Standalone ({@code redis://}) or through Sentinels ({@code redis-sentinel://}),
 * which Lettuce asks for the master on every (re)connect, so a fail-over is followed without a restart. Both
 * reconnect by themselves; {@code onLost} runs when the pair stops being fully connected.
 *
 * <p>Thread-safe.
 */
final class RedisLink implements AutoCloseable {
    private static final Logger LOG = LoggerFactory.getLogger(RedisLink.class);

    private final ClientResources resources;
    private final RedisClient client;
    private final StatefulRedisConnection<String, String> connection;
    private final StatefulRedisPubSubConnection<String, String> subscriber;
    private final Set<Object> connected = ConcurrentHashMap.newKeySet();

    /** Connects both; throws {@link IllegalStateException} if Redis cannot be reached. */
    RedisLink(ClusterOptions options, Runnable onLost) {
        this.resources = ClientResources.builder()
                .ioThreadPoolSize(2)
                .computationThreadPoolSize(2)
                .reconnectDelay(
                        Delay.exponential(Duration.ofMillis(50), Duration.ofMillis(1000), 2, TimeUnit.MILLISECONDS))
                .build();
        this.client = RedisClient.create(resources, RedisURI.create(options.redisUri()));
        client.setOptions(ClientOptions.builder()
                .autoReconnect(true)
                .disconnectedBehavior(ClientOptions.DisconnectedBehavior.REJECT_COMMANDS)
                .requestQueueSize(100_000)
                .socketOptions(SocketOptions.builder()
                        .connectTimeout(Duration.ofSeconds(1))
                        .build())
                .timeoutOptions(TimeoutOptions.enabled(Duration.ofSeconds(2)))
                .build());
        client.addListener(new RedisConnectionStateListener() {
            @Override
            public void onRedisConnected(RedisChannelHandler<?, ?> c, SocketAddress address) {
                connected.add(c);
                if (isConnected()) {
                    LOG.info("node {}: connected to Redis at {}", options.nodeId(), address);
                }
            }

            @Override
            public void onRedisDisconnected(RedisChannelHandler<?, ?> c) {
                if (!isOwn(c)) {
                    // a Sentinel lookup's connection, not one of the node's two
                    connected.remove(c);
                    return;
                }
                boolean was = isConnected();
                connected.remove(c);
                if (was) {
                    onLost.run();
                }
            }
        });
        try {
            this.connection = client.connect();
            this.subscriber = client.connectPubSub();
        } catch (RuntimeException e) {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(1));
            resources.shutdown();
            throw new IllegalStateException(
                    "cannot connect to Redis at " + RedisURI.create(options.redisUri()) + ": " + e.getMessage(), e);
        }
        connected.add(connection);
        connected.add(subscriber);
    }

    RedisAsyncCommands<String, String> commands() {
        return connection.async();
    }

    StatefulRedisPubSubConnection<String, String> subscriber() {
        return subscriber;
    }

    /** Whether both connections are up; Sentinel lookups do not count. */
    boolean isConnected() {
        Object commands = connection;
        Object pubSub = subscriber;
        // null while the constructor connects
        return commands != null && pubSub != null && connected.contains(commands) && connected.contains(pubSub);
    }

    private boolean isOwn(Object c) {
        return c == connection || c == subscriber;
    }

    @Override
    public void close() {
        try {
            subscriber.close();
            connection.close();
        } finally {
            client.shutdown(Duration.ZERO, Duration.ofSeconds(2));
            resources.shutdown(0, 2, TimeUnit.SECONDS);
        }
    }
}
