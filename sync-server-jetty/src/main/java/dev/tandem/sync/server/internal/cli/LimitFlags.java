package dev.tandem.sync.server.internal.cli;

import dev.tandem.sync.server.ServerLimits;
import java.time.Duration;
import picocli.CommandLine.Option;

/** The server-wide limits per user and per address ({@link ServerLimits}), with its defaults. */
public final class LimitFlags {
    private static final ServerLimits DEFAULTS = ServerLimits.DEFAULTS;

    @Option(
            names = "--principal-messages-per-second",
            paramLabel = "COUNT",
            description = "Messages per second per user over all their sessions (burst twice that); more get"
                    + " RATE_LIMITED (TANDEM_PRINCIPAL_MESSAGES_PER_SECOND). Default: ${DEFAULT-VALUE}.")
    int principalMessagesPerSecond = DEFAULTS.principalMessagesPerSecond();

    @Option(
            names = "--principal-bytes-per-second",
            paramLabel = "BYTES",
            converter = Units.BytesConverter.class,
            description = "UTF-8 bytes per second per user over all their sessions (burst four times that)"
                    + " (TANDEM_PRINCIPAL_BYTES_PER_SECOND). Default: ${DEFAULT-VALUE}.")
    long principalBytesPerSecond = DEFAULTS.principalBytesPerSecond();

    @Option(
            names = "--connections-per-ip-per-minute",
            paramLabel = "COUNT",
            description = "New WebSocket connections per client IP per minute; more get RATE_LIMITED"
                    + " (TANDEM_CONNECTIONS_PER_IP_PER_MINUTE). Default: ${DEFAULT-VALUE}.")
    int connectionsPerIpPerMinute = DEFAULTS.connectionsPerIpPerMinute();

    @Option(
            names = "--connections-per-principal-per-minute",
            paramLabel = "COUNT",
            description = "New WebSocket connections per user per minute; more get RATE_LIMITED"
                    + " (TANDEM_CONNECTIONS_PER_PRINCIPAL_PER_MINUTE). Default: ${DEFAULT-VALUE}.")
    int connectionsPerPrincipalPerMinute = DEFAULTS.connectionsPerPrincipalPerMinute();

    @Option(
            names = "--rate-limit-cooldown",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "After a RATE_LIMITED close, how long the user (an anonymous client: its IP) may not"
                    + " connect again; doubles with each further strike, up to 60 times; 0s turns it off"
                    + " (TANDEM_RATE_LIMIT_COOLDOWN). Default: ${DEFAULT-VALUE}.")
    Duration rateLimitCooldown = DEFAULTS.rateLimitCooldown();

    @Option(
            names = "--handshake-timeout",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "How long a connection may stay idle before its WebSocket upgrade"
                    + " (TANDEM_HANDSHAKE_TIMEOUT). Default: ${DEFAULT-VALUE}.")
    Duration handshakeTimeout = DEFAULTS.handshakeTimeout();

    @Option(
            names = "--body-timeout",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "How long an HTTP request body may take to arrive in full; a slower one gets 408 and its"
                    + " connection is closed (TANDEM_BODY_TIMEOUT). Default: ${DEFAULT-VALUE}.")
    Duration bodyTimeout = DEFAULTS.bodyTimeout();

    @Option(
            names = "--min-body-rate",
            paramLabel = "BYTES",
            converter = Units.BytesConverter.class,
            description = "Slowest average rate, per second, of an HTTP request body from its 5th second on; a"
                    + " slower one gets 408 and its connection is closed (TANDEM_MIN_BODY_RATE)."
                    + " Default: ${DEFAULT-VALUE}.")
    long minBodyRate = DEFAULTS.minBodyBytesPerSecond();

    /** Returns the server-wide limits; throws {@link IllegalArgumentException} naming a bad value. */
    public ServerLimits serverLimits() {
        return ServerLimits.builder()
                .connectionsPerIpPerMinute(connectionsPerIpPerMinute)
                .connectionsPerPrincipalPerMinute(connectionsPerPrincipalPerMinute)
                .principalMessagesPerSecond(principalMessagesPerSecond)
                .principalMessageBurst(Math.multiplyExact(2, principalMessagesPerSecond))
                .principalBytesPerSecond(principalBytesPerSecond)
                .principalByteBurst(Math.multiplyExact(4, principalBytesPerSecond))
                .rateLimitCooldown(rateLimitCooldown)
                .handshakeTimeout(handshakeTimeout)
                .bodyTimeout(bodyTimeout)
                .minBodyBytesPerSecond(minBodyRate)
                .build();
    }
}
