package dev.tandem.sync.client;

import dev.tandem.sync.client.internal.engine.ClientConfig;
import dev.tandem.sync.client.internal.engine.SyncEngine;
import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.Scheduler;
import java.net.URI;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.UUID;
import java.util.concurrent.Executor;
import java.util.concurrent.Flow;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Supplier;
import java.util.random.RandomGenerator;
import org.jspecify.annotations.Nullable;

/**
 * A live connection to one room of a Tandem or tldraw sync server (protocol v8), keeping a local {@link
 * Store} in sync. It follows tldraw's own client: local changes apply at once and are pushed (throttled); on
 * every server message the unconfirmed changes are reverted, the server's changes applied, and the
 * unconfirmed ones re-applied on top (rebase). Changes made while offline are kept and pushed as one push
 * when the client reconnects. Any close other than 4099 is retried with exponential backoff and jitter; a
 * 4099 close is permanent and reported as {@link SyncStatus.Kind#ERROR} with the server's reason.
 *
 * <p><b>Threading.</b> Thread-safe. Each client has one delivery lane (by default its own daemon thread,
 * {@code tandem-client-N}): transport events, timers and rebases run there, and every listener ({@link
 * SyncListener}, {@link StoreListener}) is called there, in order, never on a transport thread. Local
 * changes through {@link #store()} apply on the caller's thread and are visible when the call returns.
 *
 * <p><b>Lifecycle.</b> {@link Builder#build()} starts connecting at once. {@link #close()} closes the
 * connection normally, stops every timer and the delivery thread (after pending callbacks), and completes
 * the {@linkplain #statusPublisher() publishers}' subscribers; it is idempotent. The store stays readable
 * after close.
 *
 * <p><b>Streams.</b> {@link #statusPublisher()} and {@link #changes()} offer the status and the store's
 * changes as {@link Flow.Publisher}s (for Reactor's {@code JdkFlowAdapter}, Reactive Streams'
 * {@code FlowAdapters} as RxJava uses them, or Kotlin's {@code asFlow()}). Each subscriber has its own bounded buffer and is called on the {@linkplain
 * Builder#publisherExecutor publisher executor}, never on the delivery thread, so a slow subscriber delays no
 * one but itself.
 *
 * <pre>{@code
 * try (SyncClient client = SyncClient.builder()
 *         .baseUrl(URI.create("http://localhost:8787/"))
 *         .roomId("my-room")
 *         .schema(Map.of("schemaVersion", 2, "sequences", Map.of("com.example.note", 1)))
 *         .listener(new SyncListener() {
 *             public void onStatusChange(SyncStatus status) { System.out.println(status); }
 *         })
 *         .build()) {
 *     client.store().put(Map.of("id", "note:1", "typeName", "note", "text", "hello"));
 * }
 * }</pre>
 */
public interface SyncClient extends AutoCloseable {

    /** Returns a builder with tldraw's defaults. */
    static Builder builder() {
        return new Builder();
    }

    /** Returns the local store. */
    Store store();

    /** Returns the current connection status. */
    SyncStatus status();

    /** Returns the session id sent to the server (stable across reconnects). */
    String sessionId();

    /** Returns the WebSocket URI the client connects to. */
    URI uri();

    /** Returns whether the server reported this session read-only on the last connect. */
    boolean isReadOnly();

    /** Returns the server clock of the last change applied; -1 before the first connect. */
    long lastServerClock();

    /** Returns true while local changes have not all been confirmed (or discarded) by the server. */
    boolean hasUnconfirmedChanges();

    /** Tells the client that the presence supplier's value changed; it is pushed with the next push. */
    void presenceChanged();

    /** Registers a listener for connection events. */
    Subscription addListener(SyncListener listener);

    /** The default size of each subscriber's buffer of {@link #changes()}: 1024 store changes. */
    int DEFAULT_CHANGES_BUFFER = 1024;

    /**
     * Returns a publisher of the connection status: each subscriber first receives the status at the time it
     * subscribed, then every later status. It <b>conflates</b>: a subscriber that has not requested keeps only
     * the latest status not yet delivered (so it may skip intermediate ones, never the latest); it never
     * overflows. Each subscriber receives {@code onComplete} when the client is closed (after the final
     * status); a subscriber arriving after that receives only {@code onComplete}.
     *
     * <p>Signals follow the Reactive Streams rules: nothing is delivered before {@code request(n)}, at most
     * {@code n} items after it; a subscriber's methods are called one at a time, never re-entrantly, on the
     * {@linkplain Builder#publisherExecutor publisher executor}. {@code cancel()} removes the subscriber's
     * listener. A subscriber that throws is logged and its subscription cancelled; other subscribers and the
     * client are unaffected. Thread-safe; the same publisher may be subscribed any number of times.
     *
     * <pre>{@code
     * JdkFlowAdapter.flowPublisherToFlux(client.statusPublisher())
     *         .subscribe(status -> System.out.println("status: " + status));
     * }</pre>
     */
    Flow.Publisher<SyncStatus> statusPublisher();

    /**
     * Returns a publisher of the store's changes ({@link StoreChange}, local and remote, in the order {@link
     * StoreListener}s receive them) from the time of subscription, with a buffer of {@link
     * #DEFAULT_CHANGES_BUFFER} changes per subscriber. Equivalent to {@code changes(DEFAULT_CHANGES_BUFFER)}.
     */
    Flow.Publisher<StoreChange> changes();

    /**
     * Returns a publisher of the store's changes that <b>never drops a change silently</b>: each subscriber
     * buffers up to {@code bufferSize} changes it has not yet requested; one more fails that subscriber with
     * {@link SubscriberOverflowException} ({@code onError} at once, the buffered changes discarded) and
     * cancels its subscription only. To follow every change, request ahead (e.g. {@code request(Long.MAX_VALUE)}
     * and queue on your side) or give a buffer larger than your longest pause. Completion, threading and
     * errors are as for {@link #statusPublisher()}.
     *
     * @throws IllegalArgumentException if {@code bufferSize} is not positive
     */
    Flow.Publisher<StoreChange> changes(int bufferSize);

    /** Closes the connection and stops the client. Idempotent. */
    @Override
    void close();

    /**
     * Builds a {@link SyncClient}, checking each value at once. Not thread-safe. Required: a URI (either
     * {@link #uri(URI)} or {@link #baseUrl(URI)} with {@link #roomId(String)}) and the {@link #schema(Map)}.
     */
    final class Builder {
        /** tldraw's collaborative push rate ({@code COLLABORATIVE_MODE_FPS}). */
        public static final int DEFAULT_PUSH_RATE = 30;
        /** tldraw's {@code PING_INTERVAL}. */
        public static final Duration DEFAULT_PING_INTERVAL = Duration.ofSeconds(5);
        /** tldraw's {@code PONG_TIMEOUT}: a connection silent this long, with a ping unanswered, is dead. */
        public static final Duration DEFAULT_DEAD_AFTER = Duration.ofSeconds(10);
        /** How long to wait for the server's {@code connect} reply before retrying. */
        public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
        /** tldraw's {@code ACTIVE_MIN_DELAY}. */
        public static final Duration DEFAULT_BACKOFF_MIN = Duration.ofMillis(500);
        /** tldraw's {@code ACTIVE_MAX_DELAY}. */
        public static final Duration DEFAULT_BACKOFF_MAX = Duration.ofSeconds(2);
        /** The default jitter: each delay is reduced by up to this fraction. */
        public static final double DEFAULT_BACKOFF_JITTER = 0.25;
        /** tldraw's presence record type. */
        public static final String DEFAULT_PRESENCE_TYPE = "instance_presence";

        private @Nullable URI uri;
        private @Nullable URI baseUrl;
        private @Nullable String roomId;
        private String sessionId = UUID.randomUUID().toString();
        private @Nullable Map<String, Object> schema;
        private String presenceType = DEFAULT_PRESENCE_TYPE;
        private @Nullable Supplier<? extends @Nullable Map<String, ?>> presence;
        private final List<SyncListener> listeners = new ArrayList<>();
        private final List<StoreListener> storeListeners = new ArrayList<>();
        private int pushRate = DEFAULT_PUSH_RATE;
        private Duration pingInterval = DEFAULT_PING_INTERVAL;
        private Duration deadAfter = DEFAULT_DEAD_AFTER;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration backoffMin = DEFAULT_BACKOFF_MIN;
        private Duration backoffMax = DEFAULT_BACKOFF_MAX;
        private double backoffJitter = DEFAULT_BACKOFF_JITTER;
        private Scheduler scheduler = Scheduler.system();
        private @Nullable Executor executor;
        private Executor publisherExecutor = ForkJoinPool.commonPool();
        private @Nullable ClientTransport transport;
        private RandomGenerator random = RandomGenerator.getDefault();

        private Builder() {}

        /**
         * The full WebSocket URI of the room ({@code ws}, {@code wss}, {@code http} or {@code https}; http
         * becomes ws). {@code sessionId} and {@code storeId} query parameters are added.
         */
        public Builder uri(URI uri) {
            this.uri = checkScheme("uri", uri);
            return this;
        }

        /** The server's base URL; the room's URI is {@code <baseUrl>connect/<roomId>}. */
        public Builder baseUrl(URI baseUrl) {
            this.baseUrl = checkScheme("baseUrl", baseUrl);
            return this;
        }

        /** The room id, with {@link #baseUrl(URI)}. */
        public Builder roomId(String roomId) {
            Objects.requireNonNull(roomId, "roomId");
            if (roomId.isEmpty()) {
                throw new IllegalArgumentException("roomId must not be empty");
            }
            this.roomId = roomId;
            return this;
        }

        /** The session id; defaults to a random UUID. Reuse it to resume a session after a restart. */
        public Builder sessionId(String sessionId) {
            Objects.requireNonNull(sessionId, "sessionId");
            if (sessionId.isEmpty()) {
                throw new IllegalArgumentException("sessionId must not be empty");
            }
            this.sessionId = sessionId;
            return this;
        }

        /** The client's serialized schema, e.g. {@code {"schemaVersion":2,"sequences":{…}}}. Required. */
        public Builder schema(Map<String, ?> schema) {
            Objects.requireNonNull(schema, "schema");
            if (!(schema.get("schemaVersion") instanceof Number)) {
                throw new IllegalArgumentException(
                        "schema must have a numeric schemaVersion but was " + Json.stringify(schema));
            }
            @SuppressWarnings("unchecked")
            Map<String, Object> frozen = (Map<String, Object>) Json.freeze(schema);
            this.schema = frozen;
            return this;
        }

        /** The presence record type; defaults to tldraw's {@code instance_presence}. */
        public Builder presenceType(String presenceType) {
            Objects.requireNonNull(presenceType, "presenceType");
            if (presenceType.isEmpty()) {
                throw new IllegalArgumentException("presenceType must not be empty");
            }
            this.presenceType = presenceType;
            return this;
        }

        /**
         * Supplies this client's presence record (or null for none), read on the lane at each push; call
         * {@link SyncClient#presenceChanged()} after it changes. A missing {@code id} or {@code typeName} is
         * filled in (the server sets both anyway).
         */
        public Builder presence(Supplier<? extends @Nullable Map<String, ?>> presence) {
            this.presence = Objects.requireNonNull(presence, "presence");
            return this;
        }

        /** Adds a connection listener, registered before the client starts. */
        public Builder listener(SyncListener listener) {
            listeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** Adds a store listener, registered before the client starts (so it sees the first hydration). */
        public Builder storeListener(StoreListener listener) {
            storeListeners.add(Objects.requireNonNull(listener, "listener"));
            return this;
        }

        /** The most pushes per second; defaults to 30. Must be in 1..1000. */
        public Builder pushRate(int pushesPerSecond) {
            if (pushesPerSecond < 1 || pushesPerSecond > 1000) {
                throw new IllegalArgumentException("pushRate must be in 1..1000 but was " + pushesPerSecond);
            }
            this.pushRate = pushesPerSecond;
            return this;
        }

        /** How often to ping while connected; defaults to 5 s. */
        public Builder pingInterval(Duration pingInterval) {
            this.pingInterval = positive("pingInterval", pingInterval);
            return this;
        }

        /** How long a silent connection with an unanswered ping lives; defaults to 10 s. */
        public Builder deadAfter(Duration deadAfter) {
            this.deadAfter = positive("deadAfter", deadAfter);
            return this;
        }

        /** How long to wait for the server's connect reply before retrying; defaults to 10 s. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = positive("connectTimeout", connectTimeout);
            return this;
        }

        /**
         * Reconnect delays: from {@code min}, growing 1.5 times per attempt up to {@code max}; defaults to
         * 500 ms and 2 s, like tldraw's.
         */
        public Builder backoff(Duration min, Duration max) {
            positive("backoff min", min);
            positive("backoff max", max);
            if (max.compareTo(min) < 0) {
                throw new IllegalArgumentException("backoff max must be >= min but was " + max + " < " + min);
            }
            this.backoffMin = min;
            this.backoffMax = max;
            return this;
        }

        /** The largest fraction by which a reconnect delay is randomly shortened, in [0, 1]; default 0.25. */
        public Builder backoffJitter(double jitter) {
            if (!(jitter >= 0 && jitter <= 1)) {
                throw new IllegalArgumentException("backoffJitter must be in [0, 1] but was " + jitter);
            }
            this.backoffJitter = jitter;
            return this;
        }

        /** Time and timers; tests pass a manual scheduler. Defaults to {@link Scheduler#system()}. */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Runs the client's delivery lane (tasks are run one at a time, in order, whatever the executor).
         * Defaults to a dedicated daemon thread that {@link SyncClient#close()} stops.
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /**
         * Runs the deliveries of {@link SyncClient#statusPublisher()} and {@link SyncClient#changes()} to their
         * subscribers (each subscriber's calls one at a time, whatever the executor); defaults to {@link
         * ForkJoinPool#commonPool()}. Give subscribers that block an executor of their own.
         */
        public Builder publisherExecutor(Executor publisherExecutor) {
            this.publisherExecutor = Objects.requireNonNull(publisherExecutor, "publisherExecutor");
            return this;
        }

        /** The WebSocket transport; defaults to {@link ClientTransport#jdk()}. */
        public Builder transport(ClientTransport transport) {
            this.transport = Objects.requireNonNull(transport, "transport");
            return this;
        }

        /** The random source for backoff jitter; tests pass a seeded one. */
        public Builder random(RandomGenerator random) {
            this.random = Objects.requireNonNull(random, "random");
            return this;
        }

        /**
         * Builds the client and starts connecting.
         *
         * @throws IllegalStateException if the URI or the schema is missing
         */
        public SyncClient build() {
            if (schema == null) {
                throw new IllegalStateException("schema is required");
            }
            URI target = target();
            ClientConfig config = new ClientConfig(
                    withSessionQuery(target),
                    sessionId,
                    schema,
                    presenceType,
                    presence,
                    listeners,
                    storeListeners,
                    pushRate,
                    pingInterval,
                    deadAfter,
                    connectTimeout,
                    backoffMin,
                    backoffMax,
                    backoffJitter,
                    scheduler,
                    executor,
                    publisherExecutor,
                    transport != null ? transport : ClientTransport.jdk(),
                    random);
            return SyncEngine.start(config);
        }

        private URI target() {
            if (uri != null) {
                if (baseUrl != null || roomId != null) {
                    throw new IllegalStateException("give either uri or baseUrl with roomId, not both");
                }
                return uri;
            }
            if (baseUrl == null || roomId == null) {
                throw new IllegalStateException("uri, or baseUrl and roomId, are required");
            }
            String base = baseUrl.toString();
            return URI.create((base.endsWith("/") ? base : base + "/") + "connect/" + encode(roomId));
        }

        private URI withSessionQuery(URI target) {
            String s = target.toString();
            String scheme = target.getScheme().toLowerCase(Locale.ROOT);
            if (scheme.equals("http") || scheme.equals("https")) {
                s = "ws" + s.substring(4);
            }
            if (target.getRawQuery() != null
                    && (target.getRawQuery().contains("sessionId=")
                            || target.getRawQuery().contains("storeId="))) {
                throw new IllegalStateException(
                        "the uri must not have sessionId or storeId query parameters; they are added by the client");
            }
            String storeId = UUID.randomUUID().toString();
            return URI.create(s + (target.getRawQuery() == null ? "?" : "&") + "sessionId=" + encode(sessionId)
                    + "&storeId=" + storeId);
        }

        private static String encode(String s) {
            return URLEncoder.encode(s, StandardCharsets.UTF_8).replace("+", "%20");
        }

        private static URI checkScheme(String name, URI uri) {
            Objects.requireNonNull(uri, name);
            String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
            if (!List.of("ws", "wss", "http", "https").contains(scheme)) {
                throw new IllegalArgumentException(name + " must be ws, wss, http or https but was " + uri);
            }
            return uri;
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be > 0 but was " + d);
            }
            return d;
        }
    }
}
