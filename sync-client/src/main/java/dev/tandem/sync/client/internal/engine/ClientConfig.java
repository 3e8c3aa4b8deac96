package dev.tandem.sync.client.internal.engine;

import dev.tandem.sync.client.ClientTransport;
import dev.tandem.sync.client.StoreListener;
import dev.tandem.sync.client.SyncListener;
import dev.tandem.sync.core.Scheduler;
import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * A client's validated settings, as the public builder collected them.
 *
 * @param uri the WebSocket URI, {@code sessionId} and {@code storeId} query parameters included
 * @param executor runs the client's lane; null means a dedicated daemon thread owned by the client
 * @param publisherExecutor delivers the publishers' items to their subscribers
 */
public record ClientConfig(
        URI uri,
        String sessionId,
        Map<String, Object> schema,
        String presenceType,
        @Nullable Supplier<? extends @Nullable Map<String, ?>> presence,
        List<SyncListener> listeners,
        List<StoreListener> storeListeners,
        int pushRatePerSecond,
        Duration pingInterval,
        Duration deadAfter,
        Duration connectTimeout,
        Duration backoffMin,
        Duration backoffMax,
        double backoffJitter,
        Scheduler scheduler,
        @Nullable Executor executor,
        Executor publisherExecutor,
        ClientTransport transport,
        RandomGenerator random) {

    public ClientConfig {
        listeners = List.copyOf(listeners);
        storeListeners = List.copyOf(storeListeners);
    }
}
