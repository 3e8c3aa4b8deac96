package dev.tandem.sync.core;

import dev.tandem.sync.core.internal.room.GuardedRoomEvents;
import dev.tandem.sync.core.internal.room.RoomPool;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;

/**
 * Settings for a {@link Room}, built with {@link #builder()}, which checks each value at once. Immutable
 * and thread-safe; one instance may serve many rooms.
 *
 * <pre>{@code
 * RoomOptions options = RoomOptions.builder()
 *     .schema(TldrawSchema.builder().shapeType("card", cardProps).build())
 *     .idleTimeout(Duration.ofSeconds(20))
 *     .build();
 * }</pre>
 */
public final class RoomOptions {
    /** tldraw's {@code SESSION_START_WAIT_TIME}. */
    public static final Duration DEFAULT_CONNECT_TIMEOUT = Duration.ofSeconds(10);
    /** tldraw's {@code SESSION_IDLE_TIMEOUT}. */
    public static final Duration DEFAULT_IDLE_TIMEOUT = Duration.ofSeconds(20);
    /** tldraw's {@code SESSION_REMOVAL_WAIT_TIME}. */
    public static final Duration DEFAULT_REMOVAL_GRACE = Duration.ofSeconds(5);
    /**
     * How long outgoing messages to a session are batched: 16 ms, about one frame at 60 fps (tldraw's {@code
     * DATA_MESSAGE_DEBOUNCE_INTERVAL} is 1000/60 ms). The one default of the library, the standalone server and the
     * Spring Boot starter; a whole number of milliseconds, so that it reads the same on a command line.
     */
    public static final Duration DEFAULT_BATCH_INTERVAL = Duration.ofMillis(16);
    /** How often {@link Durability#ASYNC} rooms flush to their store. */
    public static final Duration DEFAULT_ASYNC_FLUSH_INTERVAL = Duration.ofSeconds(1);
    /** tldraw's version snapshot interval. */
    public static final Duration DEFAULT_VERSION_INTERVAL = Duration.ofSeconds(8);
    /** How long an empty room stays loaded. */
    public static final Duration DEFAULT_UNLOAD_DELAY = Duration.ofSeconds(10);
    /** The cap of the backoff between retries of a failed commit. */
    public static final Duration DEFAULT_MAX_COMMIT_RETRY_DELAY = Duration.ofSeconds(5);
    /** The largest message a client may send after chunk reassembly, in UTF-16 code units. */
    public static final int DEFAULT_MAX_MESSAGE_CHARS = 16 * 1024 * 1024;

    private final RoomSchema schema;
    private final Scheduler scheduler;
    private final Executor executor;
    private final Duration connectTimeout;
    private final Duration idleTimeout;
    private final Duration removalGrace;
    private final Duration batchInterval;
    private final boolean batchPushResults;
    private final int maxMessageChars;
    private final RoomEvents events;
    private final @Nullable RoomSnapshot initialSnapshot;
    private final Supplier<String> idGenerator;
    private final @Nullable RoomStore store;
    private final SyncLimits limits;
    private final Durability durability;
    private final Duration asyncFlushInterval;
    private final Duration versionInterval;
    private final Duration unloadDelay;
    private final Duration maxCommitRetryDelay;

    private RoomOptions(Builder b) {
        this.schema = b.schema;
        this.scheduler = b.scheduler;
        this.executor = b.executor;
        this.connectTimeout = b.connectTimeout;
        this.idleTimeout = b.idleTimeout;
        this.removalGrace = b.removalGrace;
        this.batchInterval = b.batchInterval;
        this.batchPushResults = b.batchPushResults;
        this.maxMessageChars = b.maxMessageChars;
        this.events = b.events;
        this.initialSnapshot = b.initialSnapshot;
        this.idGenerator = b.idGenerator;
        this.store = b.store;
        this.limits = b.limits;
        this.durability = b.durability;
        this.asyncFlushInterval = b.asyncFlushInterval;
        this.versionInterval = b.versionInterval;
        this.unloadDelay = b.unloadDelay;
        this.maxCommitRetryDelay = b.maxCommitRetryDelay;
    }

    /** Returns a builder with tldraw's defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder starting from these options. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.schema = schema;
        b.scheduler = scheduler;
        b.executor = executor;
        b.connectTimeout = connectTimeout;
        b.idleTimeout = idleTimeout;
        b.removalGrace = removalGrace;
        b.batchInterval = batchInterval;
        b.batchPushResults = batchPushResults;
        b.maxMessageChars = maxMessageChars;
        b.events = events;
        b.initialSnapshot = initialSnapshot;
        b.idGenerator = idGenerator;
        b.store = store;
        b.limits = limits;
        b.durability = durability;
        b.asyncFlushInterval = asyncFlushInterval;
        b.versionInterval = versionInterval;
        b.unloadDelay = unloadDelay;
        b.maxCommitRetryDelay = maxCommitRetryDelay;
        return b;
    }

    public RoomSchema schema() {
        return schema;
    }

    public Scheduler scheduler() {
        return scheduler;
    }

    public Executor executor() {
        return executor;
    }

    public Duration connectTimeout() {
        return connectTimeout;
    }

    /** Returns the idle timeout; {@link Duration#ZERO} means sessions never time out. */
    public Duration idleTimeout() {
        return idleTimeout;
    }

    public Duration removalGrace() {
        return removalGrace;
    }

    /** Returns the outgoing batch window; {@link Duration#ZERO} sends every message in its own frame. */
    public Duration batchInterval() {
        return batchInterval;
    }

    /**
     * Returns whether a push result waits in its session's batch window like a patch (tldraw's way) instead of
     * going out at once with what is batched before it.
     */
    public boolean batchPushResults() {
        return batchPushResults;
    }

    public int maxMessageChars() {
        return maxMessageChars;
    }

    public RoomEvents events() {
        return events;
    }

    public @Nullable RoomSnapshot initialSnapshot() {
        return initialSnapshot;
    }

    public Supplier<String> idGenerator() {
        return idGenerator;
    }

    /** Returns the store rooms load from and commit to, or null for rooms kept only in memory. */
    public @Nullable RoomStore store() {
        return store;
    }

    /** Returns the per-room and per-session limits. */
    public SyncLimits limits() {
        return limits;
    }

    public Durability durability() {
        return durability;
    }

    public Duration asyncFlushInterval() {
        return asyncFlushInterval;
    }

    /** Returns the least time between two version snapshots of a room; zero disables versions. */
    public Duration versionInterval() {
        return versionInterval;
    }

    /** Returns how long an empty room with a store stays loaded before it is unloaded. */
    public Duration unloadDelay() {
        return unloadDelay;
    }

    public Duration maxCommitRetryDelay() {
        return maxCommitRetryDelay;
    }

    /** Builds {@link RoomOptions}; not thread-safe. */
    public static final class Builder {
        private RoomSchema schema = TldrawSchema.defaults();
        private Scheduler scheduler = Scheduler.system();
        private Executor executor = RoomPool.INSTANCE;
        private Duration connectTimeout = DEFAULT_CONNECT_TIMEOUT;
        private Duration idleTimeout = DEFAULT_IDLE_TIMEOUT;
        private Duration removalGrace = DEFAULT_REMOVAL_GRACE;
        private Duration batchInterval = DEFAULT_BATCH_INTERVAL;
        private boolean batchPushResults;
        private int maxMessageChars = DEFAULT_MAX_MESSAGE_CHARS;
        private RoomEvents events = RoomEvents.NONE;
        private @Nullable RoomSnapshot initialSnapshot;
        private Supplier<String> idGenerator = RandomIds.INSTANCE;
        private @Nullable RoomStore store;
        private SyncLimits limits = SyncLimits.DEFAULTS;
        private Durability durability = Durability.SYNC;
        private Duration asyncFlushInterval = DEFAULT_ASYNC_FLUSH_INTERVAL;
        private Duration versionInterval = DEFAULT_VERSION_INTERVAL;
        private Duration unloadDelay = DEFAULT_UNLOAD_DELAY;
        private Duration maxCommitRetryDelay = DEFAULT_MAX_COMMIT_RETRY_DELAY;

        private Builder() {}

        /** Persists rooms in this store: they load from it and commit to it. Null keeps rooms in memory. */
        public Builder store(@Nullable RoomStore store) {
            this.store = store;
            return this;
        }

        /** Limits on sessions, message rates and sizes; {@link SyncLimits#DEFAULTS} by default. */
        public Builder limits(SyncLimits limits) {
            this.limits = Objects.requireNonNull(limits, "limits");
            return this;
        }

        /** When pushes are acknowledged relative to storage; {@link Durability#SYNC} by default. */
        public Builder durability(Durability durability) {
            this.durability = Objects.requireNonNull(durability, "durability");
            return this;
        }

        /** How often {@link Durability#ASYNC} rooms flush dirty records; > 0. */
        public Builder asyncFlushInterval(Duration asyncFlushInterval) {
            this.asyncFlushInterval = positive("asyncFlushInterval", asyncFlushInterval);
            return this;
        }

        /** The least time between version snapshots of a room (tldraw: 8 s); zero disables versions. */
        public Builder versionInterval(Duration versionInterval) {
            this.versionInterval = nonNegative("versionInterval", versionInterval);
            return this;
        }

        /** How long an empty room stays loaded before it is flushed and unloaded; >= 0. */
        public Builder unloadDelay(Duration unloadDelay) {
            this.unloadDelay = nonNegative("unloadDelay", unloadDelay);
            return this;
        }

        /** The cap of the exponential backoff between retries of a failed store commit; > 0. */
        public Builder maxCommitRetryDelay(Duration maxCommitRetryDelay) {
            this.maxCommitRetryDelay = positive("maxCommitRetryDelay", maxCommitRetryDelay);
            return this;
        }

        /**
         * The room schema: what record types the room holds, their validators and migrations. Default {@link
         * TldrawSchema#defaults()}, tldraw's own; {@link RoomSchema#pinned()} (development only) adopts the first
         * writer's schema and accepts any record.
         */
        public Builder schema(RoomSchema schema) {
            this.schema = Objects.requireNonNull(schema, "schema");
            return this;
        }

        /** Time and timers; tests pass a manual scheduler. */
        public Builder scheduler(Scheduler scheduler) {
            this.scheduler = Objects.requireNonNull(scheduler, "scheduler");
            return this;
        }

        /**
         * Runs the room's lane; tasks are short and never block. Defaults to a shared pool of daemon threads,
         * as many as the machine has cores and at least two.
         */
        public Builder executor(Executor executor) {
            this.executor = Objects.requireNonNull(executor, "executor");
            return this;
        }

        /** How long a new connection may take to send {@code connect}; must be > 0. */
        public Builder connectTimeout(Duration connectTimeout) {
            this.connectTimeout = positive("connectTimeout", connectTimeout);
            return this;
        }

        /** How long a connected session may stay silent (no push or ping); zero disables it. */
        public Builder idleTimeout(Duration idleTimeout) {
            this.idleTimeout = nonNegative("idleTimeout", idleTimeout);
            return this;
        }

        /** How long a closed session keeps its presence and may resume; zero removes it at once. */
        public Builder removalGrace(Duration removalGrace) {
            this.removalGrace = nonNegative("removalGrace", removalGrace);
            return this;
        }

        /** The outgoing batch window; zero turns batching off. */
        public Builder batchInterval(Duration batchInterval) {
            this.batchInterval = nonNegative("batchInterval", batchInterval);
            return this;
        }

        /**
         * Whether a push result waits in its session's batch window like a patch, as tldraw's server does: fewer
         * frames (about one per push less under steady traffic), but the pusher learns its push is committed up
         * to one window later. Default false: a push result goes out at once, after what is batched before it.
         */
        public Builder batchPushResults(boolean batchPushResults) {
            this.batchPushResults = batchPushResults;
            return this;
        }

        /** The largest message accepted from a client after reassembly, in UTF-16 code units; > 0. */
        public Builder maxMessageChars(int maxMessageChars) {
            if (maxMessageChars <= 0) {
                throw new IllegalArgumentException("maxMessageChars must be > 0 but was " + maxMessageChars);
            }
            this.maxMessageChars = maxMessageChars;
            return this;
        }

        /**
         * Receives room events. The listener is guarded here, once: an exception it throws is logged and changes
         * nothing the room does.
         */
        public Builder events(RoomEvents events) {
            this.events = GuardedRoomEvents.of(Objects.requireNonNull(events, "events"));
            return this;
        }

        /** The document a new room starts with; null (the default) starts empty. */
        public Builder initialSnapshot(@Nullable RoomSnapshot initialSnapshot) {
            this.initialSnapshot = initialSnapshot;
            return this;
        }

        /** Makes presence record ids; tests pass a deterministic one. */
        public Builder idGenerator(Supplier<String> idGenerator) {
            this.idGenerator = Objects.requireNonNull(idGenerator, "idGenerator");
            return this;
        }

        public RoomOptions build() {
            return new RoomOptions(this);
        }

        private static Duration positive(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative() || d.isZero()) {
                throw new IllegalArgumentException(name + " must be > 0 but was " + d);
            }
            return d;
        }

        private static Duration nonNegative(String name, Duration d) {
            Objects.requireNonNull(d, name);
            if (d.isNegative()) {
                throw new IllegalArgumentException(name + " must be >= 0 but was " + d);
            }
            return d;
        }
    }

    /** Random 16-character ids from a secure source, like tldraw's {@code uniqueId}. */
    private static final class RandomIds implements Supplier<String> {
        static final RandomIds INSTANCE = new RandomIds();
        private static final char[] ALPHABET =
                "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz".toCharArray();
        private final SecureRandom random = new SecureRandom();

        @Override
        public String get() {
            char[] out = new char[16];
            for (int i = 0; i < out.length; i++) {
                out[i] = ALPHABET[random.nextInt(ALPHABET.length)];
            }
            return new String(out);
        }
    }
}
