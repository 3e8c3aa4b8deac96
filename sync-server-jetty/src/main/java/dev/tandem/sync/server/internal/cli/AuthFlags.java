package dev.tandem.sync.server.internal.cli;

import dev.tandem.sync.core.Authenticator;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.server.auth.JwtAuthenticator;
import dev.tandem.sync.server.auth.RoomPolicies;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Who may connect and to which rooms: JSON Web Token verification and the room policies. Defaults are {@link
 * JwtAuthenticator}'s and {@link RoomPolicies}'.
 */
public final class AuthFlags {

    @Option(
            names = "--jwt-secret",
            paramLabel = "SECRET",
            description = "Accept HS256 JSON Web Tokens signed with this secret (UTF-8, at least 32 bytes); prefer"
                    + " the environment variable (TANDEM_JWT_SECRET). Default: none.")
    @Nullable
    String jwtSecret;

    @Option(
            names = "--jwt-public-key",
            paramLabel = "FILE",
            description = "Accept RS256 or ES256 tokens signed by the PEM public key or certificate in FILE"
                    + " (TANDEM_JWT_PUBLIC_KEY). Default: none.")
    @Nullable
    Path jwtPublicKey;

    @Option(
            names = "--jwt-jwks",
            paramLabel = "FILE",
            description = "Accept tokens signed by the keys of a JWKS file (RSA, EC P-256, oct), chosen by kid"
                    + " (TANDEM_JWT_JWKS). Default: none.")
    @Nullable
    Path jwtJwks;

    @Option(
            names = "--jwt-issuer",
            paramLabel = "ISS",
            description = "Required iss claim of tokens (TANDEM_JWT_ISSUER). Default: not checked.")
    @Nullable
    String jwtIssuer;

    @Option(
            names = "--jwt-audience",
            paramLabel = "AUD",
            description = "Required aud claim of tokens (TANDEM_JWT_AUDIENCE). Default: not checked.")
    @Nullable
    String jwtAudience;

    @Option(
            names = "--jwt-leeway",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "Clock skew allowed for exp, nbf and iat, at most 5m (TANDEM_JWT_LEEWAY)."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration jwtLeeway = JwtAuthenticator.DEFAULT_LEEWAY;

    @Option(
            names = "--unclaimed-rooms",
            paramLabel = "open|claim",
            description = "Access to a room without a policy: open (everyone reads and writes) or claim (the first"
                    + " authenticated user to write to it owns it, private; reads never claim)"
                    + " (TANDEM_UNCLAIMED_ROOMS). Default: ${DEFAULT-VALUE}.")
    String unclaimedRooms = "open";

    @Option(
            names = "--admin-claim",
            paramLabel = "CLAIM=VALUE",
            description = "Token claim that makes a principal an administrator of every room and policy, e.g."
                    + " role=admin (TANDEM_ADMIN_CLAIM). Default: none.")
    @Nullable
    String adminClaim;

    /** Returns the JWT authenticator, or null when no key is configured; throws for bad options. */
    public @Nullable Authenticator authenticator() {
        if (jwtSecret == null && jwtPublicKey == null && jwtJwks == null) {
            if (jwtIssuer != null || jwtAudience != null) {
                throw new IllegalArgumentException(
                        "--jwt-issuer and --jwt-audience need a key: --jwt-secret, --jwt-public-key or --jwt-jwks");
            }
            return null;
        }
        JwtAuthenticator.Builder b = JwtAuthenticator.builder().leeway(jwtLeeway);
        try {
            if (jwtSecret != null) {
                b.hmacSecret(jwtSecret.getBytes(StandardCharsets.UTF_8));
            }
            if (jwtPublicKey != null) {
                b.publicKeyPem(null, Files.readString(jwtPublicKey));
            }
        } catch (IOException e) {
            throw new IllegalArgumentException(
                    "--jwt-public-key " + jwtPublicKey + " cannot be read: " + e.getMessage());
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    (jwtSecret != null && jwtPublicKey == null ? "--jwt-secret: " : "--jwt-public-key: ")
                            + e.getMessage());
        }
        if (jwtJwks != null) {
            b.jwksFile(jwtJwks);
        }
        if (jwtIssuer != null) {
            b.issuer(jwtIssuer);
        }
        if (jwtAudience != null) {
            b.audience(jwtAudience);
        }
        return b.build();
    }

    /** Returns the room policies over the rooms' store; throws {@link IllegalArgumentException} for bad options. */
    public RoomPolicies roomPolicies(RoomStore roomStore) {
        RoomPolicies.UnclaimedRooms mode = switch (unclaimedRooms.toLowerCase(Locale.ROOT)) {
            case "open" -> RoomPolicies.UnclaimedRooms.OPEN;
            case "claim" -> RoomPolicies.UnclaimedRooms.CLAIM;
            default ->
                throw new IllegalArgumentException(
                        "--unclaimed-rooms must be open or claim but was '" + unclaimedRooms + "'");
        };
        RoomPolicies.Builder b = RoomPolicies.builder(roomStore).unclaimedRooms(mode);
        if (adminClaim != null) {
            int eq = adminClaim.indexOf('=');
            if (eq <= 0 || eq == adminClaim.length() - 1) {
                throw new IllegalArgumentException("--admin-claim must be CLAIM=VALUE but was '" + adminClaim + "'");
            }
            b.adminClaim(adminClaim.substring(0, eq), adminClaim.substring(eq + 1));
        }
        return b.build();
    }

    /** Describes the authentication and the unclaimed rooms, for the start line of the log. */
    public String describe(@Nullable Authenticator authenticator) {
        return "authentication " + (authenticator == null ? "none" : "JWT") + ", unclaimed rooms "
                + unclaimedRooms.toLowerCase(Locale.ROOT);
    }
}
