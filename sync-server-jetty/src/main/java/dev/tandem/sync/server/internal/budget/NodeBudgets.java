package dev.tandem.sync.server.internal.budget;

import dev.tandem.sync.server.NodeBudget;
import dev.tandem.sync.server.internal.limits.KeyedBuckets;
import java.util.Objects;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.server.Handler;

/**
 * A {@link NodeBudget} at work on one node: the connection gate and byte budgets every connection and request
 * of the node shares, and the upload quota. Thread-safe.
 */
public final class NodeBudgets {
    private final NodeBudget budget;
    private final int maxTrackedClients;
    private final ConnectionGate connections;
    private final ByteBudget chunks;
    private final ByteBudget queued;
    private final ByteBudget bodies;
    private final UploadQuota uploads;
    private final KeyedBuckets inbound;
    private final AtomicLong pacedReads = new AtomicLong();

    private NodeBudgets(NodeBudget budget, int maxTrackedClients) {
        this.budget = budget;
        this.maxTrackedClients = maxTrackedClients;
        this.connections = new ConnectionGate(budget.maxConnections(), budget.maxConnectionsPerAddress());
        this.chunks = new ByteBudget("maxChunkBytes", budget.maxChunkBytes());
        this.queued = new ByteBudget("maxQueuedBytes", budget.maxQueuedBytes());
        this.bodies = new ByteBudget("maxRequestBodyBytes", budget.maxRequestBodyBytes());
        this.uploads =
                new UploadQuota(budget.maxUploadStoreBytes(), budget.maxUploadBytesPerClient(), maxTrackedClients);
        this.inbound = new KeyedBuckets(
                budget.inboundByteBurst(), budget.inboundBytesPerSecond(), maxTrackedClients, System::nanoTime);
    }

    /**
     * @param maxTrackedClients the most client addresses tracked by the HTTP rate limit and upload quota
     */
    public static NodeBudgets of(NodeBudget budget, int maxTrackedClients) {
        return new NodeBudgets(Objects.requireNonNull(budget, "budget"), maxTrackedClients);
    }

    public NodeBudget budget() {
        return budget;
    }

    public ConnectionGate connections() {
        return connections;
    }

    /** Bytes held for unfinished chunked messages (2 per UTF-16 code unit). */
    public ByteBudget chunks() {
        return chunks;
    }

    /** Outgoing WebSocket characters not yet written. */
    public ByteBudget queued() {
        return queued;
    }

    /** Buffered HTTP request body bytes. */
    public ByteBudget bodies() {
        return bodies;
    }

    public UploadQuota uploads() {
        return uploads;
    }

    /**
     * Counts {@code bytes} a connection from {@code address} received and returns how long to wait before
     * reading that connection again, in nanoseconds: 0 while the address is within its inbound rate.
     */
    public long inboundDelayNanos(String address, long bytes) {
        long delay = inbound.takeOwing(address, bytes);
        if (delay > 0) {
            pacedReads.incrementAndGet();
        }
        return delay;
    }

    /** Returns how many times a connection's next read was put off because its address was past its rate. */
    public long pacedReads() {
        return pacedReads.get();
    }

    /** Runs {@code task} after {@code delayNanos}, on the one daemon thread that paces reading for all nodes. */
    public static void later(long delayNanos, Runnable task) {
        Pacer.INSTANCE.schedule(task, delayNanos, TimeUnit.NANOSECONDS);
    }

    /** The pacing thread, started on first use. */
    private static final class Pacer {
        static final ScheduledExecutorService INSTANCE = Executors.newSingleThreadScheduledExecutor(r -> {
            Thread t = new Thread(r, "tandem-inbound-pacer");
            t.setDaemon(true);
            return t;
        });
    }

    /** Returns {@code routes} behind a guard of this budget's HTTP request rate, concurrency and body bytes. */
    public HttpGuard guard(Handler routes) {
        KeyedBuckets rates = new KeyedBuckets(
                budget.httpRequestBurst(), budget.httpRequestsPerSecond(), maxTrackedClients, System::nanoTime);
        return new HttpGuard(routes, bodies, budget.maxConcurrentRequests(), rates);
    }
}
