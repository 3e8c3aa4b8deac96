package dev.tandem.sync.server;

import java.time.Duration;
import java.util.Objects;

/**
 * Limits the server applies across rooms and sessions, on top of each room's {@code SyncLimits}. Built with
 * {@link #builder()}; immutable and thread-safe.
 *
 * <table>
 *   <caption>Server limits and defaults</caption>
 *   <tr><th>limit</th><th>default</th><th>when exceeded</th></tr>
 *   <tr><td>new WebSocket connections per client IP per minute (burst the same)</td><td>600</td>
 *       <td>4099 {@code RATE_LIMITED}</td></tr>
 *   <tr><td>new WebSocket connections per principal per minute</td><td>300</td><td>4099 {@code RATE_LIMITED}</td></tr>
 *   <tr><td>messages per second per principal, all its sessions together (burst)</td><td>480 (960)</td>
 *       <td>4099 {@code RATE_LIMITED}</td></tr>
 *   <tr><td>UTF-8 bytes per second per principal (burst)</td><td>16 MiB (64 MiB)</td>
 *       <td>4099 {@code RATE_LIMITED}</td></tr>
 *   <tr><td>cooldown after a {@code RATE_LIMITED} close: the principal (an anonymous client: its IP) may not
 *       connect again for this long, doubled at each further strike, up to 60 times</td><td>10 s</td>
 *       <td>4099 {@code RATE_LIMITED}</td></tr>
 *   <tr><td>handshake deadline: an HTTP connection idle before its upgrade, or a rejected socket</td><td>10 s</td>
 *       <td>connection closed</td></tr>
 *   <tr><td>HTTP request body: overall deadline</td><td>60 s</td><td>408 {@code BODY_TIMEOUT}, connection closed</td></tr>
 *   <tr><td>HTTP request body: minimum average data rate, from its 5th second on</td><td>1024 bytes/s</td>
 *       <td>408 {@code BODY_TIMEOUT}, connection closed</td></tr>
 *   <tr><td>clients (IPs and principals) tracked by the limiters</td><td>100,000</td>
 *       <td>idle entries are dropped first; memory stays bounded</td></tr>
 * </table>
 *
 * <p>Per-principal limits do not apply to the anonymous principal (a server without authentication): its
 * clients are limited per IP and per session only.
 *
 * @param connectionsPerIpPerMinute new WebSocket connections a client IP may open per minute
 * @param connectionsPerPrincipalPerMinute new WebSocket connections a principal may open per minute
 * @param principalMessagesPerSecond sustained messages per second of one principal over all its sessions
 * @param principalMessageBurst messages a principal may send at once
 * @param principalBytesPerSecond sustained UTF-8 bytes per second of one principal over all its sessions
 * @param principalByteBurst bytes a principal may send at once; at least the largest message
 * @param rateLimitCooldown how long a principal (an anonymous client: its IP) closed with {@code RATE_LIMITED}
 *     must wait before connecting again; doubled at each strike within the longest cooldown (60 times this)
 *     after the last; zero turns cooldowns off
 * @param handshakeTimeout how long a connection may stay idle before its WebSocket upgrade, and how long a
 *     rejected socket may take to close
 * @param maxTrackedClients the most IPs, and separately principals, whose buckets are kept
 * @param bodyTimeout how long an HTTP request body may take to arrive, in full
 * @param minBodyBytesPerSecond the slowest average rate an HTTP request body may arrive at, from its 5th second on
 */
public record ServerLimits(
        int connectionsPerIpPerMinute,
        int connectionsPerPrincipalPerMinute,
        int principalMessagesPerSecond,
        int principalMessageBurst,
        long principalBytesPerSecond,
        long principalByteBurst,
        Duration rateLimitCooldown,
        Duration handshakeTimeout,
        int maxTrackedClients,
        Duration bodyTimeout,
        long minBodyBytesPerSecond) {

    /** The default of {@link #bodyTimeout}. */
    public static final Duration DEFAULT_BODY_TIMEOUT = Duration.ofSeconds(60);

    /** The default of {@link #minBodyBytesPerSecond}. */
    public static final long DEFAULT_MIN_BODY_BYTES_PER_SECOND = 1024;

    /** The documented defaults. */
    public static final ServerLimits DEFAULTS = builder().build();

    public ServerLimits {
        positive("connectionsPerIpPerMinute", connectionsPerIpPerMinute);
        positive("connectionsPerPrincipalPerMinute", connectionsPerPrincipalPerMinute);
        positive("principalMessagesPerSecond", principalMessagesPerSecond);
        positive("principalMessageBurst", principalMessageBurst);
        positive("principalBytesPerSecond", principalBytesPerSecond);
        positive("principalByteBurst", principalByteBurst);
        notNegative("rateLimitCooldown", rateLimitCooldown);
        Objects.requireNonNull(handshakeTimeout, "handshakeTimeout");
        if (handshakeTimeout.isNegative() || handshakeTimeout.isZero()) {
            throw new IllegalArgumentException("handshakeTimeout must be > 0 but was " + handshakeTimeout);
        }
        positive("maxTrackedClients", maxTrackedClients);
        positive("bodyTimeout", bodyTimeout);
        positive("minBodyBytesPerSecond", minBodyBytesPerSecond);
    }

    /** The longest cooldown after repeated {@code RATE_LIMITED} closes: 60 times {@link #rateLimitCooldown}. */
    public Duration maxRateLimitCooldown() {
        return rateLimitCooldown.multipliedBy(60);
    }

    private static void notNegative(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative()) {
            throw new IllegalArgumentException(name + " must be >= 0 but was " + value);
        }
    }

    private static void positive(String name, Duration value) {
        Objects.requireNonNull(value, name);
        if (value.isNegative() || value.isZero()) {
            throw new IllegalArgumentException(name + " must be > 0 but was " + value);
        }
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0 but was " + value);
        }
    }

    /** Returns a builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder starting from these limits. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.connectionsPerIpPerMinute = connectionsPerIpPerMinute;
        b.connectionsPerPrincipalPerMinute = connectionsPerPrincipalPerMinute;
        b.principalMessagesPerSecond = principalMessagesPerSecond;
        b.principalMessageBurst = principalMessageBurst;
        b.principalBytesPerSecond = principalBytesPerSecond;
        b.principalByteBurst = principalByteBurst;
        b.rateLimitCooldown = rateLimitCooldown;
        b.handshakeTimeout = handshakeTimeout;
        b.maxTrackedClients = maxTrackedClients;
        b.bodyTimeout = bodyTimeout;
        b.minBodyBytesPerSecond = minBodyBytesPerSecond;
        return b;
    }

    /** Builds {@link ServerLimits}; each setter checks its value at once. Not thread-safe. */
    public static final class Builder {
        private int connectionsPerIpPerMinute = 600;
        private int connectionsPerPrincipalPerMinute = 300;
        private int principalMessagesPerSecond = 480;
        private int principalMessageBurst = 960;
        private long principalBytesPerSecond = 16L << 20;
        private long principalByteBurst = 64L << 20;
        private Duration rateLimitCooldown = Duration.ofSeconds(10);
        private Duration handshakeTimeout = Duration.ofSeconds(10);
        private int maxTrackedClients = 100_000;
        private Duration bodyTimeout = DEFAULT_BODY_TIMEOUT;
        private long minBodyBytesPerSecond = DEFAULT_MIN_BODY_BYTES_PER_SECOND;

        private Builder() {}

        public Builder connectionsPerIpPerMinute(int value) {
            positive("connectionsPerIpPerMinute", value);
            connectionsPerIpPerMinute = value;
            return this;
        }

        public Builder connectionsPerPrincipalPerMinute(int value) {
            positive("connectionsPerPrincipalPerMinute", value);
            connectionsPerPrincipalPerMinute = value;
            return this;
        }

        public Builder principalMessagesPerSecond(int value) {
            positive("principalMessagesPerSecond", value);
            principalMessagesPerSecond = value;
            return this;
        }

        public Builder principalMessageBurst(int value) {
            positive("principalMessageBurst", value);
            principalMessageBurst = value;
            return this;
        }

        public Builder principalBytesPerSecond(long value) {
            positive("principalBytesPerSecond", value);
            principalBytesPerSecond = value;
            return this;
        }

        public Builder principalByteBurst(long value) {
            positive("principalByteBurst", value);
            principalByteBurst = value;
            return this;
        }

        public Builder rateLimitCooldown(Duration value) {
            notNegative("rateLimitCooldown", value);
            rateLimitCooldown = value;
            return this;
        }

        public Builder handshakeTimeout(Duration value) {
            Objects.requireNonNull(value, "handshakeTimeout");
            if (value.isNegative() || value.isZero()) {
                throw new IllegalArgumentException("handshakeTimeout must be > 0 but was " + value);
            }
            handshakeTimeout = value;
            return this;
        }

        public Builder maxTrackedClients(int value) {
            positive("maxTrackedClients", value);
            maxTrackedClients = value;
            return this;
        }

        public Builder bodyTimeout(Duration value) {
            positive("bodyTimeout", value);
            bodyTimeout = value;
            return this;
        }

        public Builder minBodyBytesPerSecond(long value) {
            positive("minBodyBytesPerSecond", value);
            minBodyBytesPerSecond = value;
            return this;
        }

        public ServerLimits build() {
            return new ServerLimits(
                    connectionsPerIpPerMinute,
                    connectionsPerPrincipalPerMinute,
                    principalMessagesPerSecond,
                    principalMessageBurst,
                    principalBytesPerSecond,
                    principalByteBurst,
                    rateLimitCooldown,
                    handshakeTimeout,
                    maxTrackedClients,
                    bodyTimeout,
                    minBodyBytesPerSecond);
        }
    }
}
