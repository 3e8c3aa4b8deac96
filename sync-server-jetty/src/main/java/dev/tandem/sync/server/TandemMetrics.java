package dev.tandem.sync.server;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomEvents;
import dev.tandem.sync.core.RoomManager;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.redis.RedisCluster;
import dev.tandem.sync.store.jdbc.JdbcRoomStore;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.EnumMap;
import java.util.Map;
import java.util.Objects;

/**
 * The server's Micrometer meters, served as Prometheus text at {@code GET /metrics}. Room meters come from
 * {@link #roomEvents()}, which the rooms must report to; gauges read the rooms, the store and the open
 * connections when scraped.
 *
 * <p>Meters (Prometheus names): {@code tandem_sessions}, {@code tandem_rooms_loaded}, {@code
 * tandem_websocket_connections}, {@code tandem_websocket_queued_bytes}, {@code tandem_store_healthy}, {@code
 * tandem_store_queued_writes}, {@code tandem_store_transactions_total}, {@code tandem_store_commits_total},
 * {@code tandem_store_failed_transactions_total}, {@code tandem_sessions_opened_total}, {@code tandem_sessions_connected_total},
 * {@code tandem_sessions_removed_total}, {@code tandem_sessions_rejected_total{reason}}, {@code
 * tandem_commits_total}, {@code tandem_records_changed_total}, {@code tandem_commit_failures_total}, {@code
 * tandem_slow_consumers_total}, {@code tandem_room_loads_total}, {@code tandem_room_unloads_total}, {@code
 * tandem_persist_latency_seconds} and {@code tandem_room_load_seconds}.
 *
 * <p>Thread-safe.
 *
 * <pre>{@code
 * TandemMetrics metrics = TandemMetrics.create();
 * RoomOptions options = RoomOptions.builder().events(metrics.roomEvents()).build();
 * }</pre>
 */
public final class TandemMetrics {
    private final MeterRegistry registry;
    private final Counter opened;
    private final Counter connected;
    private final Counter removed;
    private final Map<CloseReason, Counter> rejected = new EnumMap<>(CloseReason.class);
    private final Counter commits;
    private final Map<String, Counter> pushes = new java.util.HashMap<>();
    private final Counter recordsChanged;
    private final Counter commitFailures;
    private final Counter slowConsumers;
    private final Counter loads;
    private final Counter unloads;
    /** The buckets of {@code tandem_persist_latency_seconds}: 1 ms to 5 s. */
    private static final Duration[] PERSIST_LATENCY_BUCKETS = {
        Duration.ofMillis(1),
        Duration.ofMillis(2),
        Duration.ofMillis(5),
        Duration.ofMillis(10),
        Duration.ofMillis(20),
        Duration.ofMillis(50),
        Duration.ofMillis(100),
        Duration.ofMillis(200),
        Duration.ofMillis(500),
        Duration.ofSeconds(1),
        Duration.ofSeconds(2),
        Duration.ofSeconds(5)
    };

    private final Timer persistLatency;
    private final Timer loadTime;
    private final RoomEvents events = new Events();

    private TandemMetrics(MeterRegistry registry) {
        this.registry = registry;
        this.opened = counter("tandem.sessions.opened", "WebSocket sessions attached to a room");
        this.connected = counter("tandem.sessions.connected", "sessions that completed the handshake");
        this.removed = counter("tandem.sessions.removed", "sessions removed from their room");
        for (CloseReason reason : CloseReason.values()) {
            rejected.put(
                    reason,
                    Counter.builder("tandem.sessions.rejected")
                            .description("sessions rejected with a 4099 close, by reason")
                            .tag("reason", reason.wireName())
                            .register(registry));
        }
        this.commits = counter("tandem.commits", "document transactions committed (pushes and host updates)");
        for (String action : java.util.List.of("commit", "discard", "rebaseWithDiff")) {
            pushes.put(
                    action,
                    Counter.builder("tandem.pushes")
                            .description("pushes answered, by push_result action")
                            .tag("action", action)
                            .register(registry));
        }
        this.recordsChanged = counter("tandem.records.changed", "records changed by committed transactions");
        this.commitFailures = counter("tandem.commit.failures", "store commits that failed and are retried");
        this.slowConsumers = counter("tandem.slow.consumers", "sessions dropped because their queue was full");
        this.loads = counter("tandem.room.loads", "rooms loaded from the store");
        this.unloads = counter("tandem.room.unloads", "rooms flushed and unloaded");
        // fixed buckets, not client-side percentiles: recorded once per commit, so it must cost little, and
        // buckets add up across the nodes of a cluster
        this.persistLatency = Timer.builder("tandem.persist.latency")
                .description("time from commit to durable in the store")
                .serviceLevelObjectives(PERSIST_LATENCY_BUCKETS)
                .register(registry);
        this.loadTime = Timer.builder("tandem.room.load")
                .description("time to load a room from the store")
                .register(registry);
    }

    /** Returns metrics in a new Prometheus registry that also has JVM memory, thread, CPU and uptime meters. */
    public static TandemMetrics create() {
        PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
        new JvmMemoryMetrics().bindTo(registry);
        new JvmThreadMetrics().bindTo(registry);
        new ProcessorMetrics().bindTo(registry);
        new UptimeMetrics().bindTo(registry);
        return new TandemMetrics(registry);
    }

    /** Returns metrics registered in {@code registry}. */
    public static TandemMetrics create(PrometheusMeterRegistry registry) {
        return new TandemMetrics(Objects.requireNonNull(registry, "registry"));
    }

    /**
     * Returns metrics registered in any Micrometer registry, such as a Spring Boot application's; {@link
     * #scrape()} then works only if it is a {@link PrometheusMeterRegistry}.
     */
    public static TandemMetrics create(MeterRegistry registry) {
        return new TandemMetrics(Objects.requireNonNull(registry, "registry"));
    }

    /** Returns the registry. */
    public MeterRegistry registry() {
        return registry;
    }

    /** Returns the listener that counts room events; pass it to {@code RoomOptions.Builder.events}. */
    public RoomEvents roomEvents() {
        return events;
    }

    /**
     * Returns every meter in the Prometheus text format.
     *
     * @throws IllegalStateException if the registry is not a {@link PrometheusMeterRegistry}
     */
    public String scrape() {
        if (registry instanceof PrometheusMeterRegistry prometheus) {
            return prometheus.scrape();
        }
        throw new IllegalStateException(
                "the metrics registry is a " + registry.getClass().getSimpleName() + ", not a PrometheusMeterRegistry");
    }

    /** Adds gauges of the sessions and loaded rooms of {@code rooms}. */
    public void bindRooms(RoomManager rooms) {
        Objects.requireNonNull(rooms, "rooms");
        Gauge.builder("tandem.sessions", rooms, TandemMetrics::sessions)
                .description("sessions in every state, over all loaded rooms")
                .register(registry);
        Gauge.builder("tandem.rooms.loaded", rooms, r -> r.rooms().size())
                .description("rooms loaded in memory")
                .register(registry);
    }

    /** Adds gauges of the store's health and, for a JDBC store, of its queued writes. */
    public void bindStore(RoomStore store) {
        Objects.requireNonNull(store, "store");
        Gauge.builder("tandem.store.healthy", store, s -> s.health().healthy() ? 1 : 0)
                .description("1 while the store works, 0 while it is degraded or its write path is not committing")
                .register(registry);
        if (store instanceof JdbcRoomStore jdbc) {
            Gauge.builder("tandem.store.queued.writes", jdbc, s -> s.stats().queuedWrites())
                    .description("commits and version saves waiting for the database")
                    .register(registry);
            FunctionCounter.builder(
                            "tandem.store.transactions", jdbc, s -> s.stats().transactions())
                    .description("database transactions committed by the store's writers (group commits)")
                    .register(registry);
            FunctionCounter.builder("tandem.store.commits", jdbc, s -> s.stats().commits())
                    .description("room commits written; several rooms' commits can share one transaction")
                    .register(registry);
            FunctionCounter.builder(
                            "tandem.store.failed.transactions",
                            jdbc,
                            s -> s.stats().failedTransactions())
                    .description("database transactions that failed and were rolled back")
                    .register(registry);
        }
    }

    /** Registers a cluster node's gauges and relay counters. */
    public void bindCluster(RedisCluster cluster) {
        Gauge.builder("tandem.cluster.rooms.owned", cluster, c -> c.stats().roomsOwned())
                .description("Rooms this node owns")
                .register(registry);
        Gauge.builder("tandem.cluster.sessions", cluster, c -> c.stats().localSessions())
                .description("Client sessions by where their client and room are")
                .tag("kind", "local")
                .register(registry);
        Gauge.builder("tandem.cluster.sessions", cluster, c -> c.stats().relayedOutSessions())
                .description("Client sessions by where their client and room are")
                .tag("kind", "relayed_out")
                .register(registry);
        Gauge.builder("tandem.cluster.sessions", cluster, c -> c.stats().relayedInSessions())
                .description("Client sessions by where their client and room are")
                .tag("kind", "relayed_in")
                .register(registry);
        Gauge.builder("tandem.cluster.redis.connected", cluster, c -> c.stats().redisConnected() ? 1 : 0)
                .description("1 while both Redis connections are up")
                .register(registry);
        FunctionCounter.builder(
                        "tandem.cluster.relay.messages", cluster, c -> c.stats().relayMessagesIn())
                .description("Relay messages")
                .tag("direction", "in")
                .register(registry);
        FunctionCounter.builder(
                        "tandem.cluster.relay.messages", cluster, c -> c.stats().relayMessagesOut())
                .description("Relay messages")
                .tag("direction", "out")
                .register(registry);
        FunctionCounter.builder(
                        "tandem.cluster.relay.chars", cluster, c -> c.stats().relayBytesIn())
                .description("Relay message characters")
                .tag("direction", "in")
                .register(registry);
        FunctionCounter.builder(
                        "tandem.cluster.relay.chars", cluster, c -> c.stats().relayBytesOut())
                .description("Relay message characters")
                .tag("direction", "out")
                .register(registry);
    }

    void bindConnections(TandemHandler handler) {
        Gauge.builder("tandem.websocket.connections", handler, TandemHandler::connectionCount)
                .description("open WebSocket connections")
                .register(registry);
        Gauge.builder("tandem.websocket.queued.bytes", handler, TandemHandler::queuedChars)
                .description("outgoing characters (bytes for ASCII) waiting for slow clients, over all connections")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder(
                        "tandem.budget.chunk.bytes",
                        handler,
                        h -> h.budgets().chunks().used())
                .description("bytes held for unfinished chunked messages, against the node budget")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder(
                        "tandem.budget.queued.bytes",
                        handler,
                        h -> h.budgets().queued().used())
                .description("outgoing bytes not yet written, against the node budget")
                .baseUnit("bytes")
                .register(registry);
        Gauge.builder(
                        "tandem.budget.body.bytes",
                        handler,
                        h -> h.budgets().bodies().used())
                .description("HTTP request body bytes in flight, against the node budget")
                .baseUnit("bytes")
                .register(registry);
    }

    private Counter counter(String name, String description) {
        return Counter.builder(name).description(description).register(registry);
    }

    private static double sessions(RoomManager rooms) {
        int n = 0;
        for (Room room : rooms.rooms()) {
            n += room.sessionCount();
        }
        return n;
    }

    /** Counts events; every method is a few atomic adds, safe on a room's lane. */
    private final class Events implements RoomEvents {
        @Override
        public void sessionOpened(String roomId, String sessionId) {
            opened.increment();
        }

        @Override
        public void sessionConnected(String roomId, String sessionId, boolean readOnly) {
            connected.increment();
        }

        @Override
        public void sessionRejected(String roomId, String sessionId, CloseReason reason) {
            rejected.get(reason).increment();
        }

        @Override
        public void sessionRemoved(String roomId, String sessionId, int sessionsRemaining) {
            removed.increment();
        }

        @Override
        public void pushHandled(String roomId, String sessionId, String action) {
            Counter c = pushes.get(action);
            if (c != null) {
                c.increment();
            }
        }

        @Override
        public void changesCommitted(String roomId, long documentClock, int records) {
            commits.increment();
            recordsChanged.increment(records);
        }

        @Override
        public void changesPersisted(String roomId, long documentClock, Duration latency) {
            persistLatency.record(latency);
        }

        @Override
        public void commitFailed(String roomId, Throwable error) {
            commitFailures.increment();
        }

        @Override
        public void roomLoaded(String roomId, long documentClock, int records, Duration time) {
            loads.increment();
            loadTime.record(time);
        }

        @Override
        public void roomUnloaded(String roomId) {
            unloads.increment();
        }

        @Override
        public void slowConsumerDropped(String roomId, String sessionId) {
            slowConsumers.increment();
        }
    }
}
