package dev.tandem.sync.server;

import dev.tandem.sync.core.Authenticator;
import dev.tandem.sync.core.RoomAccess;
import dev.tandem.sync.server.internal.guard.GuardedAuthenticator;
import dev.tandem.sync.server.internal.guard.GuardedRoomAccess;
import java.util.Objects;
import java.util.Optional;
import org.jspecify.annotations.Nullable;

/**
 * Who may connect and what they may do: the {@link Authenticator} (none: every connection is anonymous), the
 * {@link RoomAccess} policy and the {@link ServerLimits}. Immutable and thread-safe.
 *
 * <pre>{@code
 * ServerSecurity security = ServerSecurity.open()
 *     .withAuthenticator(JwtAuthenticator.builder().hmacSecret(secret).build())
 *     .withRoomAccess(RoomPolicies.builder(store).build());
 * }</pre>
 *
 * @param authenticator authenticates every WebSocket and admin API request, or null to accept everyone as
 *     {@link dev.tandem.sync.core.Principal#ANONYMOUS}
 * @param roomAccess decides each connection's access to its room
 * @param limits the server-wide limits
 * @param allowedOrigins the web pages whose scripts may connect and change rooms; see {@link AllowedOrigins}
 */
public record ServerSecurity(
        @Nullable Authenticator authenticator,
        RoomAccess roomAccess,
        ServerLimits limits,
        AllowedOrigins allowedOrigins) {

    public ServerSecurity {
        Objects.requireNonNull(roomAccess, "roomAccess");
        Objects.requireNonNull(limits, "limits");
        Objects.requireNonNull(allowedOrigins, "allowedOrigins");
    }

    /** With {@link AllowedOrigins#defaults()}. */
    public ServerSecurity(@Nullable Authenticator authenticator, RoomAccess roomAccess, ServerLimits limits) {
        this(authenticator, roomAccess, limits, AllowedOrigins.defaults());
    }

    /** No authentication, every room open to everyone, default limits. */
    public static ServerSecurity open() {
        return new ServerSecurity(null, RoomAccess.allowAll(), ServerLimits.DEFAULTS);
    }

    /** Returns the authenticator, if connections must authenticate. */
    public Optional<Authenticator> requiredAuthenticator() {
        return Optional.ofNullable(authenticator);
    }

    public ServerSecurity withAuthenticator(@Nullable Authenticator authenticator) {
        return new ServerSecurity(authenticator, roomAccess, limits, allowedOrigins);
    }

    public ServerSecurity withRoomAccess(RoomAccess roomAccess) {
        return new ServerSecurity(authenticator, roomAccess, limits, allowedOrigins);
    }

    public ServerSecurity withLimits(ServerLimits limits) {
        return new ServerSecurity(authenticator, roomAccess, limits, allowedOrigins);
    }

    public ServerSecurity withAllowedOrigins(AllowedOrigins allowedOrigins) {
        return new ServerSecurity(authenticator, roomAccess, limits, allowedOrigins);
    }

    /**
     * Returns these settings with the user's authenticator and room access guarded: one that throws refuses (the
     * request is not authenticated, the room is forbidden) and is logged, and the server goes on. Idempotent.
     */
    ServerSecurity guarded() {
        Authenticator a = authenticator == null ? null : GuardedAuthenticator.guard(authenticator);
        RoomAccess r = GuardedRoomAccess.guard(roomAccess);
        return a == authenticator && r == roomAccess ? this : new ServerSecurity(a, r, limits, allowedOrigins);
    }
}
