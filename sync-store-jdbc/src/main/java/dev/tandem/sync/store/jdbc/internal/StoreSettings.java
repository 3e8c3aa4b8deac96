package dev.tandem.sync.store.jdbc.internal;

import java.nio.file.Path;
import java.time.Duration;
import java.util.Objects;
import javax.sql.DataSource;
import org.jspecify.annotations.Nullable;

/**
 * The checked settings of one store, made by {@code JdbcRoomStore.Builder}. With a {@code dataSource} (the caller's,
 * never closed by the store) the dialect was read from it and {@code dataDir}, {@code jdbcUrl}, {@code user} and
 * {@code password} are null.
 */
public record StoreSettings(
        Dialect dialect,
        @Nullable Path dataDir,
        @Nullable String jdbcUrl,
        @Nullable String user,
        @Nullable String password,
        int maxBatchSize,
        int maxQueuedWrites,
        int maxVersionsPerRoom,
        @Nullable Duration maxVersionAge,
        int committerThreads,
        int readerThreads,
        Duration connectTimeout,
        Duration eventRetention,
        Duration commitDelay,
        Duration logFoldInterval,
        Duration commitStallTimeout,
        @Nullable DataSource dataSource) {

    public StoreSettings {
        Objects.requireNonNull(dialect, "dialect");
        Objects.requireNonNull(connectTimeout, "connectTimeout");
        Objects.requireNonNull(eventRetention, "eventRetention");
        Objects.requireNonNull(commitDelay, "commitDelay");
        Objects.requireNonNull(logFoldInterval, "logFoldInterval");
        Objects.requireNonNull(commitStallTimeout, "commitStallTimeout");
    }

    @Override
    public String toString() {
        // Never print the password.
        return "StoreSettings[" + dialect + " "
                + (dataSource != null ? "DataSource" : dataDir != null ? dataDir : jdbcUrl) + "]";
    }
}
