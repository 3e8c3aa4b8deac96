package dev.tandem.spring.boot;

import java.nio.file.Path;
import java.time.Duration;
import org.jspecify.annotations.Nullable;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.util.unit.DataSize;

/**
 * The {@code tandem.*} properties: the standalone server's options under the same names ({@code --max-queued-bytes}
 * is {@code tandem.max-queued-bytes}), with the same defaults. Immutable; Spring binds it once at start.
 *
 * <p>Components not described below are the server options of the same names, with the same defaults; {@code
 * docs/spring-boot.md} lists every property (checked by a test).
 *
 * @param enabled whether Tandem's routes are mounted at all
 * @param schema what rooms may contain: {@code tldraw}, {@code pinned} (development only) or the path of an app's
 *     schema JSON file
 * @param store where rooms are kept: {@code jdbc} (the application's {@code DataSource}, SQLite or PostgreSQL; the
 *     default when there is one), {@code sqlite} (a file in {@link #data}) or {@code memory} (the default otherwise)
 * @param data the directory of the {@code sqlite} store and of asset uploads
 * @param durability {@code sync} (a push is acknowledged once committed to the store) or {@code async}
 * @param allowedOrigins web pages ({@code scheme://host[:port]}, comma-separated, or {@code *}) whose scripts may
 *     use Tandem's routes besides the defaults of {@link dev.tandem.sync.server.AllowedOrigins}; empty for none
 * @param shutdownTimeout how long the application's stop waits for the rooms to be flushed to the store
 */
@ConfigurationProperties("tandem")
public record TandemProperties(
        @DefaultValue("true") boolean enabled,
        @DefaultValue("tldraw") String schema,
        @Nullable String store,
        @DefaultValue("./tandem-data") Path data,
        @DefaultValue("sync") String durability,
        @DefaultValue("20s") Duration idleTimeout,
        @DefaultValue("10s") Duration connectTimeout,
        @DefaultValue("5s") Duration removalGrace,
        @DefaultValue("16ms") Duration batchInterval,
        @DefaultValue("false") boolean batchPushResults,
        @DefaultValue("1MB") DataSize maxMessageBytes,
        @DefaultValue("16MB") DataSize maxQueuedBytes,
        @DefaultValue("32MB") DataSize maxBodyBytes,
        @DefaultValue("1s") Duration asyncFlushInterval,
        @DefaultValue("8s") Duration versionInterval,
        @DefaultValue("5ms") Duration commitDelay,
        @DefaultValue("100") int maxVersions,
        @DefaultValue("10s") Duration unloadDelay,
        @DefaultValue("30s") Duration shutdownTimeout,
        @DefaultValue("25MB") DataSize maxUploadBytes,
        @DefaultValue("public") String unfurl,
        @DefaultValue("false") boolean eventLog,
        @DefaultValue("open") String unclaimedRooms,
        @Nullable String adminClaim,
        @DefaultValue("50") int maxSessionsPerRoom,
        @DefaultValue("120") int sessionMessagesPerSecond,
        @DefaultValue("480") int principalMessagesPerSecond,
        @DefaultValue("16MB") DataSize principalBytesPerSecond,
        @DefaultValue("600") int connectionsPerIpPerMinute,
        @DefaultValue("300") int connectionsPerPrincipalPerMinute,
        @DefaultValue("10s") Duration rateLimitCooldown,
        @DefaultValue("10s") Duration handshakeTimeout,
        @DefaultValue("60s") Duration bodyTimeout,
        @DefaultValue("1KB") DataSize minBodyRate,
        @Nullable String allowedOrigins,
        @DefaultValue("4194304") long maxRecordChars,
        @DefaultValue("268435456") long maxDocumentChars) {}
