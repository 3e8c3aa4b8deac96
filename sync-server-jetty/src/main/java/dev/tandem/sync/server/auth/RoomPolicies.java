package dev.tandem.sync.server.auth;

import dev.tandem.sync.core.Access;
import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.RoomAccess;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.SyncException;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.LongSupplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The built-in {@link RoomAccess}: file-style {@link RoomPolicy policies} stored with the rooms (room attribute
 * {@value RoomPolicy#ATTRIBUTE}) and edited through the server's {@code /rooms/{roomId}/policy} API.
 *
 * <p>A room with a policy follows it ({@link RoomPolicy#access}). A room without one follows {@link
 * Builder#unclaimedRooms}: {@link UnclaimedRooms#OPEN} (the default, as before policies existed: everyone reads
 * and writes) or {@link UnclaimedRooms#CLAIM} (the first authenticated principal to write to it, through {@link
 * #accessToWrite}, becomes its owner and the room is private to them; until then nobody may read it, and reads
 * never claim; anonymous principals are refused). An administrator — a principal whose claim
 * {@link Builder#adminClaim} holds the configured value — reads and writes every room and may change every
 * policy.
 *
 * <p>Policies are cached for {@link Builder#cacheTtl} (default 30 s; a policy changed through this object is
 * seen at once, one changed in the store by another server node after at most that long), at most {@link
 * Builder#maxCachedRooms} rooms. {@link #access} may wait for the store on a cache miss, at most {@link
 * Builder#storeTimeout}, and fails with {@code UNKNOWN_ERROR} if the store does not answer.
 *
 * <p>Thread-safe.
 *
 * <pre>{@code
 * RoomPolicies policies = RoomPolicies.builder(store).adminClaim("role", "admin").build();
 * TandemServer.builder().authenticator(jwt).roomAccess(policies)...
 * }</pre>
 */
public final class RoomPolicies implements RoomAccess {
    private static final Logger LOG = LoggerFactory.getLogger(RoomPolicies.class);

    /** What a room without a policy allows. */
    public enum UnclaimedRooms {
        /** Everyone reads and writes. */
        OPEN,
        /** The first authenticated principal to write to a room becomes the owner of a private room. */
        CLAIM
    }

    private final RoomStore store;
    private final UnclaimedRooms unclaimed;
    private final @Nullable String adminClaim;
    private final @Nullable String adminValue;
    private final long ttlNanos;
    private final int maxCached;
    private final Duration storeTimeout;
    private final LongSupplier nanoTime;
    private final LinkedHashMap<String, Cached> cache;

    private record Cached(@Nullable RoomPolicy policy, long loadedAt) {}

    private RoomPolicies(Builder b) {
        this.store = b.store;
        this.unclaimed = b.unclaimed;
        this.adminClaim = b.adminClaim;
        this.adminValue = b.adminValue;
        this.ttlNanos = b.cacheTtl.toNanos();
        this.maxCached = b.maxCachedRooms;
        this.storeTimeout = b.storeTimeout;
        this.nanoTime = b.nanoTime;
        this.cache = new LinkedHashMap<>(16, 0.75f, true);
    }

    /** Returns a builder over the store that keeps the policies. */
    public static Builder builder(RoomStore store) {
        return new Builder(store);
    }

    /** Returns the principal's access under the room's policy; never claims a room. */
    @Override
    public Access access(Principal principal, String roomId) {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(roomId, "roomId");
        if (isAdmin(principal)) {
            return Access.READ_WRITE;
        }
        return decide(await(policy(roomId), roomId).orElse(null), principal);
    }

    /**
     * Returns the principal's access for a write. In {@link UnclaimedRooms#CLAIM} mode a room without a policy
     * first becomes the private room of the authenticated principal writing to it; reads ({@link #access}) never
     * claim.
     */
    @Override
    public Access accessToWrite(Principal principal, String roomId) {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(roomId, "roomId");
        if (isAdmin(principal)) {
            return Access.READ_WRITE;
        }
        RoomPolicy policy = await(policy(roomId), roomId).orElse(null);
        if (policy == null && unclaimed == UnclaimedRooms.CLAIM) {
            policy = claim(roomId, principal);
        }
        return decide(policy, principal);
    }

    /**
     * Returns whether {@link #accessToWrite} would make {@code principal} the owner of the room: claim mode, an
     * authenticated principal who is not an administrator, and a room without a policy. May wait for the store
     * like {@link #access}.
     */
    public boolean wouldClaim(Principal principal, String roomId) {
        Objects.requireNonNull(principal, "principal");
        Objects.requireNonNull(roomId, "roomId");
        return unclaimed == UnclaimedRooms.CLAIM
                && principal != Principal.ANONYMOUS
                && !isAdmin(principal)
                && await(policy(roomId), roomId).isEmpty();
    }

    /** Returns what {@code principal} may do under {@code policy} (null: the room has none), without I/O. */
    public Access decide(@Nullable RoomPolicy policy, Principal principal) {
        if (isAdmin(principal)) {
            return Access.READ_WRITE;
        }
        if (policy != null) {
            return policy.access(principal);
        }
        // CLAIM: nobody's room until a write claims it (accessToWrite)
        return unclaimed == UnclaimedRooms.OPEN ? Access.READ_WRITE : Access.FORBIDDEN;
    }

    /** Returns whether the principal is an administrator. */
    public boolean isAdmin(Principal principal) {
        if (adminClaim == null || principal == Principal.ANONYMOUS) {
            return false;
        }
        Object value = principal.claims().get(adminClaim);
        if (value instanceof String s) {
            return s.equals(adminValue) || List.of(s.split(" ")).contains(adminValue);
        }
        if (value instanceof List<?> list) {
            return list.contains(adminValue);
        }
        return value instanceof Boolean b && b && "true".equals(adminValue);
    }

    /** Completes with the room's policy, from the cache or the store. */
    public CompletableFuture<Optional<RoomPolicy>> policy(String roomId) {
        Objects.requireNonNull(roomId, "roomId");
        synchronized (cache) {
            Cached c = cache.get(roomId);
            if (c != null && nanoTime.getAsLong() - c.loadedAt < ttlNanos) {
                return CompletableFuture.completedFuture(Optional.ofNullable(c.policy));
            }
        }
        long started = nanoTime.getAsLong();
        return store.loadAttribute(roomId, RoomPolicy.ATTRIBUTE).thenApply(json -> {
            RoomPolicy p = null;
            if (json != null) {
                try {
                    p = RoomPolicy.fromJson(json);
                } catch (IllegalArgumentException e) {
                    // a policy that cannot be read denies everyone but administrators
                    LOG.warn("room {} has an unreadable policy: {}", roomId, e.getMessage());
                    p = new RoomPolicy("\u0000unreadable", false, RoomPolicy.LinkType.VIEW);
                }
            }
            remember(roomId, p, started);
            return Optional.ofNullable(p);
        });
    }

    /** Stores a room's policy durably; completes once stored, after which {@link #access} follows it. */
    public CompletableFuture<Void> save(String roomId, RoomPolicy policy) {
        Objects.requireNonNull(roomId, "roomId");
        Objects.requireNonNull(policy, "policy");
        long started = nanoTime.getAsLong();
        return store.saveAttribute(roomId, RoomPolicy.ATTRIBUTE, policy.toJson())
                .thenRun(() -> remember(roomId, policy, started));
    }

    private synchronized @Nullable RoomPolicy claim(String roomId, Principal principal) {
        // re-read under the lock: two first joins at once must not both become owner
        RoomPolicy existing = await(policy(roomId), roomId).orElse(null);
        if (existing != null || principal == Principal.ANONYMOUS) {
            return existing;
        }
        RoomPolicy claimed = RoomPolicy.privateTo(principal.id());
        await(save(roomId, claimed), roomId);
        LOG.info("room {} claimed by its first principal", roomId);
        return claimed;
    }

    private void remember(String roomId, @Nullable RoomPolicy policy, long loadedAt) {
        synchronized (cache) {
            Cached old = cache.get(roomId);
            if (old != null && old.loadedAt > loadedAt) {
                return; // a newer load or save already answered
            }
            cache.put(roomId, new Cached(policy, loadedAt));
            if (cache.size() > maxCached) {
                var eldest = cache.keySet().iterator();
                eldest.next();
                eldest.remove();
            }
        }
    }

    private <T> T await(CompletableFuture<T> future, String roomId) {
        try {
            return future.get(storeTimeout.toNanos(), TimeUnit.NANOSECONDS);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new SyncException(CloseReason.UNKNOWN_ERROR, "interrupted loading the policy of " + roomId);
        } catch (ExecutionException | TimeoutException e) {
            LOG.warn("cannot load the policy of room {}: {}", roomId, String.valueOf(e.getCause()));
            throw new SyncException(CloseReason.UNKNOWN_ERROR, "cannot load the room's policy", e);
        }
    }

    /** Builds {@link RoomPolicies}; each setter checks its value at once. Not thread-safe. */
    public static final class Builder {
        private final RoomStore store;
        private UnclaimedRooms unclaimed = UnclaimedRooms.OPEN;
        private @Nullable String adminClaim;
        private @Nullable String adminValue;
        private Duration cacheTtl = Duration.ofSeconds(30);
        private int maxCachedRooms = 100_000;
        private Duration storeTimeout = Duration.ofSeconds(5);
        private LongSupplier nanoTime = System::nanoTime;

        private Builder(RoomStore store) {
            this.store = Objects.requireNonNull(store, "store");
        }

        /** What a room without a policy allows; default {@link UnclaimedRooms#OPEN}. */
        public Builder unclaimedRooms(UnclaimedRooms unclaimed) {
            this.unclaimed = Objects.requireNonNull(unclaimed, "unclaimed");
            return this;
        }

        /**
         * Principals whose claim {@code claim} equals {@code value} (or, for an array or a space-separated string
         * such as OAuth's {@code scope}, contains it) are administrators. Default: no administrators.
         */
        public Builder adminClaim(String claim, String value) {
            Objects.requireNonNull(claim, "claim");
            Objects.requireNonNull(value, "value");
            if (claim.isEmpty() || value.isEmpty()) {
                throw new IllegalArgumentException("adminClaim needs a non-empty claim and value");
            }
            this.adminClaim = claim;
            this.adminValue = value;
            return this;
        }

        /** How long a policy read from the store is trusted; >= 0, default 30 s. */
        public Builder cacheTtl(Duration cacheTtl) {
            Objects.requireNonNull(cacheTtl, "cacheTtl");
            if (cacheTtl.isNegative()) {
                throw new IllegalArgumentException("cacheTtl must be >= 0 but was " + cacheTtl);
            }
            this.cacheTtl = cacheTtl;
            return this;
        }

        /** The most rooms whose policy is cached; > 0, default 100,000. */
        public Builder maxCachedRooms(int maxCachedRooms) {
            if (maxCachedRooms <= 0) {
                throw new IllegalArgumentException("maxCachedRooms must be > 0 but was " + maxCachedRooms);
            }
            this.maxCachedRooms = maxCachedRooms;
            return this;
        }

        /** How long {@link RoomPolicies#access} waits for the store; > 0, default 5 s. */
        public Builder storeTimeout(Duration storeTimeout) {
            Objects.requireNonNull(storeTimeout, "storeTimeout");
            if (storeTimeout.isNegative() || storeTimeout.isZero()) {
                throw new IllegalArgumentException("storeTimeout must be > 0 but was " + storeTimeout);
            }
            this.storeTimeout = storeTimeout;
            return this;
        }

        /** The monotonic clock for the cache; tests pass their own. */
        Builder nanoTime(LongSupplier nanoTime) {
            this.nanoTime = Objects.requireNonNull(nanoTime, "nanoTime");
            return this;
        }

        public RoomPolicies build() {
            return new RoomPolicies(this);
        }
    }

    @Override
    public String toString() {
        return "RoomPolicies[unclaimed=" + unclaimed + ", admin=" + (adminClaim == null ? "none" : adminClaim) + "]";
    }

    /** Returns the unclaimed-room mode. */
    public UnclaimedRooms unclaimedRooms() {
        return unclaimed;
    }

    /** For tests: forgets every cached policy. */
    void clearCache() {
        synchronized (cache) {
            cache.clear();
        }
    }

    /** Returns the configured admin claim as {@code claim=value}, or empty. */
    public Optional<String> adminRule() {
        return adminClaim == null ? Optional.empty() : Optional.of(adminClaim + "=" + adminValue);
    }
}
