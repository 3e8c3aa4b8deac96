package dev.tandem.sync.server;

import dev.tandem.sync.core.Authenticator;
import dev.tandem.sync.core.RoomAccess;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.server.internal.http.SyncApi;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * The settings of Tandem's routes, declared once for the two ways to serve them: {@link TandemServer.Builder} (a
 * server of its own) and {@link TandemRoutes.Builder} (mounted in an application's Jetty server) both extend it.
 * Each setter checks its value at once. Not thread-safe.
 *
 * @param <B> the builder's own type, returned by every setter
 */
public abstract class RoutesBuilder<B extends RoutesBuilder<B>> {
    @Nullable
    RoomStore store;

    @Nullable
    TandemMetrics metrics;

    ConnectionSettings settings = ConnectionSettings.defaults();
    ServerSecurity security = ServerSecurity.open();
    long maxBodyBytes = TandemServer.DEFAULT_MAX_BODY_BYTES;
    Duration requestTimeout = TandemServer.DEFAULT_REQUEST_TIMEOUT;

    @Nullable
    Path uploadDir;

    long maxUploadBytes = TandemServer.DEFAULT_MAX_UPLOAD_BYTES;
    boolean unfurl = true;
    boolean unfurlAllowPrivate;
    int maxEventsPerPush = SyncApi.DEFAULT_MAX_EVENTS_PER_PUSH;
    int maxPullLimit = SyncApi.DEFAULT_MAX_PULL_LIMIT;

    RoutesBuilder() {}

    @SuppressWarnings("unchecked")
    private B self() {
        return (B) this;
    }

    /**
     * The store behind the rooms, for the version routes, read-only copies and {@code /healthz}; a {@link
     * TandemServer} built from room options uses the options' store.
     */
    public B store(RoomStore store) {
        this.store = Objects.requireNonNull(store, "store");
        return self();
    }

    /**
     * The metrics: a {@link TandemServer} serves them at {@code /metrics} (default {@link TandemMetrics#create()});
     * mounted {@link TandemRoutes} register their connection, room and store gauges in them (default none).
     */
    public B metrics(TandemMetrics metrics) {
        this.metrics = Objects.requireNonNull(metrics, "metrics");
        return self();
    }

    /** Per-connection limits; see {@link ConnectionSettings}. */
    public B connectionSettings(ConnectionSettings settings) {
        this.settings = Objects.requireNonNull(settings, "settings");
        return self();
    }

    /** Jetty's idle timeout for connections with no traffic; > 0, default 60 s. */
    public B idleTimeout(Duration idleTimeout) {
        this.settings = settings.withIdleTimeout(idleTimeout);
        return self();
    }

    /** The largest incoming WebSocket message in bytes; at least 1 MiB (the default). */
    public B maxMessageBytes(long maxMessageBytes) {
        this.settings = settings.withMaxMessageBytes(maxMessageBytes);
        return self();
    }

    /**
     * How much of outgoing frames may wait for a slow client, in characters (UTF-16 code units); > 0, default 16
     * Mi. See {@link ConnectionSettings#maxQueuedChars()}.
     */
    public B maxQueuedChars(long maxQueuedChars) {
        this.settings = settings.withMaxQueuedChars(maxQueuedChars);
        return self();
    }

    /**
     * The outgoing queue limit per connection, which counts characters, not bytes.
     *
     * @deprecated use {@link #maxQueuedChars(long)}, which names what is counted
     */
    @Deprecated
    public B maxQueuedBytes(long maxQueuedBytes) {
        return maxQueuedChars(maxQueuedBytes);
    }

    /**
     * Authentication, room access and server-wide limits; default {@link ServerSecurity#open()}. With a {@link
     * dev.tandem.sync.server.auth.RoomPolicies} as the room access, the routes include {@code GET|PUT
     * /rooms/{roomId}/policy}. The authenticator and the room access are guarded: one that throws is logged and
     * refuses (not authenticated, forbidden), and other sessions go on.
     */
    public B security(ServerSecurity security) {
        this.security = Objects.requireNonNull(security, "security");
        return self();
    }

    /** Authenticates every connection and admin request with {@code authenticator}. */
    public B authenticator(Authenticator authenticator) {
        this.security = security.withAuthenticator(Objects.requireNonNull(authenticator, "authenticator"));
        return self();
    }

    /** Decides each connection's access to its room; default everyone reads and writes. */
    public B roomAccess(RoomAccess roomAccess) {
        this.security = security.withRoomAccess(roomAccess);
        return self();
    }

    /**
     * The web pages whose scripts may connect and change rooms; default {@link AllowedOrigins#defaults()}: clients
     * without {@code Origin}, pages of this server, and loopback pages when reached on loopback.
     */
    public B allowedOrigins(AllowedOrigins allowedOrigins) {
        this.security = security.withAllowedOrigins(Objects.requireNonNull(allowedOrigins, "allowedOrigins"));
        return self();
    }

    /** Server-wide limits; default {@link ServerLimits#DEFAULTS}. */
    public B serverLimits(ServerLimits limits) {
        this.security = security.withLimits(limits);
        return self();
    }

    /** The largest HTTP request body (a snapshot PUT) in bytes; > 0, default 32 MiB. */
    public B maxBodyBytes(long maxBodyBytes) {
        if (maxBodyBytes <= 0) {
            throw new IllegalArgumentException("maxBodyBytes must be > 0 but was " + maxBodyBytes);
        }
        this.maxBodyBytes = maxBodyBytes;
        return self();
    }

    /** How long an HTTP request waits for a room or the store before it gets 503; > 0, default 30 s. */
    public B requestTimeout(Duration requestTimeout) {
        Objects.requireNonNull(requestTimeout, "requestTimeout");
        if (requestTimeout.isNegative() || requestTimeout.isZero()) {
            throw new IllegalArgumentException("requestTimeout must be > 0 but was " + requestTimeout);
        }
        this.requestTimeout = requestTimeout;
        return self();
    }

    /**
     * Keeps asset uploads ({@code POST|GET /uploads/{objectName}}) in this directory, created if missing. Default:
     * none, and the upload routes answer 501.
     */
    public B uploadDir(Path uploadDir) {
        this.uploadDir = Objects.requireNonNull(uploadDir, "uploadDir");
        return self();
    }

    /** The largest asset upload in bytes; > 0, default 25 MiB. */
    public B maxUploadBytes(long maxUploadBytes) {
        if (maxUploadBytes <= 0) {
            throw new IllegalArgumentException("maxUploadBytes must be > 0 but was " + maxUploadBytes);
        }
        this.maxUploadBytes = maxUploadBytes;
        return self();
    }

    /**
     * Whether {@code GET /unfurl?url=…} fetches bookmark metadata (default true), and whether it may fetch loopback,
     * private and link-local addresses (default false: only public addresses).
     */
    public B unfurl(boolean enabled, boolean allowPrivateAddresses) {
        this.unfurl = enabled;
        this.unfurlAllowPrivate = allowPrivateAddresses;
        return self();
    }

    /** The most events one {@code POST /sync/push} may carry; more get 413. 1 to 10,000, default 100. */
    public B maxEventsPerPush(int maxEventsPerPush) {
        if (maxEventsPerPush < 1 || maxEventsPerPush > 10_000) {
            throw new IllegalArgumentException(
                    "maxEventsPerPush must be between 1 and 10000 but was " + maxEventsPerPush);
        }
        this.maxEventsPerPush = maxEventsPerPush;
        return self();
    }

    /** The largest page a {@code POST /sync/pull} may ask for. 1 to 100,000, default 1000. */
    public B maxPullLimit(int maxPullLimit) {
        if (maxPullLimit < 1 || maxPullLimit > 100_000) {
            throw new IllegalArgumentException("maxPullLimit must be between 1 and 100000 but was " + maxPullLimit);
        }
        this.maxPullLimit = maxPullLimit;
        return self();
    }
}
