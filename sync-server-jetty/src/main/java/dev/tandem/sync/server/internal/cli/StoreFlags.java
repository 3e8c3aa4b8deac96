package dev.tandem.sync.server.internal.cli;

import dev.tandem.sync.core.Durability;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.store.jdbc.JdbcRoomStore;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * Where rooms are kept and how durably: the store, its database, durability, versions and group commit. Defaults
 * are {@link RoomOptions}' and {@link JdbcRoomStore}'s constants.
 */
public final class StoreFlags {

    @Option(
            names = "--store",
            paramLabel = "sqlite|postgres|memory",
            description = "Where rooms are kept: sqlite (one file in --data), postgres (--jdbc-url) or memory"
                    + " (lost on exit) (TANDEM_STORE). Default: ${DEFAULT-VALUE}.")
    StoreKind store = StoreKind.SQLITE;

    @Option(
            names = "--data",
            paramLabel = "DIR",
            description = "Directory of the SQLite database (TANDEM_DATA). Default: ${DEFAULT-VALUE}.")
    Path data = Path.of("./tandem-data");

    @Option(
            names = "--jdbc-url",
            paramLabel = "URL",
            description = "PostgreSQL JDBC URL for --store postgres, e.g. jdbc:postgresql://127.0.0.1:5432/tandem"
                    + " (TANDEM_JDBC_URL). Default: none.")
    @Nullable
    String jdbcUrl;

    @Option(
            names = "--jdbc-user",
            paramLabel = "USER",
            description = "PostgreSQL user (TANDEM_JDBC_USER). Default: from the URL or the driver.")
    @Nullable
    String jdbcUser;

    @Option(
            names = "--jdbc-password",
            paramLabel = "PASSWORD",
            description = "PostgreSQL password; prefer the environment variable (TANDEM_JDBC_PASSWORD).")
    @Nullable
    String jdbcPassword;

    @Option(
            names = "--durability",
            paramLabel = "sync|async",
            description = "sync: a push is acknowledged once committed to the store. async: acknowledged from"
                    + " memory and flushed every --async-flush-interval; a crash loses at most that much"
                    + " (TANDEM_DURABILITY). Default: ${DEFAULT-VALUE}.")
    String durability = "sync";

    @Option(
            names = "--async-flush-interval",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "How often --durability async flushes changes to the store"
                    + " (TANDEM_ASYNC_FLUSH_INTERVAL). Default: ${DEFAULT-VALUE}.")
    Duration asyncFlushInterval = RoomOptions.DEFAULT_ASYNC_FLUSH_INTERVAL;

    @Option(
            names = "--version-interval",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "Least time between two version snapshots of a room; 0 disables versions"
                    + " (TANDEM_VERSION_INTERVAL). Default: ${DEFAULT-VALUE}.")
    Duration versionInterval = RoomOptions.DEFAULT_VERSION_INTERVAL;

    @Option(
            names = "--commit-delay",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "Group commit of the SQLite and PostgreSQL stores: while commits keep coming, wait up to"
                    + " this long for more to share a transaction; more saves CPU per change, less answers"
                    + " sync pushes sooner; 0 writes at once, at most 1s (TANDEM_COMMIT_DELAY)."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration commitDelay = JdbcRoomStore.DEFAULT_COMMIT_DELAY;

    @Option(
            names = "--max-versions",
            paramLabel = "COUNT",
            description = "Versions kept per room; older ones are deleted (TANDEM_MAX_VERSIONS)."
                    + " Default: ${DEFAULT-VALUE}.")
    int maxVersions = JdbcRoomStore.DEFAULT_MAX_VERSIONS_PER_ROOM;

    /** Returns the kind of store. */
    public StoreKind kind() {
        return store;
    }

    /** Returns the data directory (SQLite's file, uploads). */
    public Path data() {
        return data;
    }

    /** Returns the durability; throws {@link IllegalArgumentException} naming the option for a bad one. */
    public Durability durability() {
        return switch (durability.toLowerCase(Locale.ROOT)) {
            case "sync" -> Durability.SYNC;
            case "async" -> Durability.ASYNC;
            default ->
                throw new IllegalArgumentException("--durability must be sync or async but was '" + durability + "'");
        };
    }

    /** Checks what needs no I/O; throws {@link IllegalArgumentException}. */
    public void check() {
        durability();
        if (maxVersions <= 0) {
            throw new IllegalArgumentException("--max-versions must be > 0 but was " + maxVersions);
        }
    }

    /** Opens the store; see {@link StoreKind#open}. */
    public RoomStore open() {
        return store.open(data, jdbcUrl, jdbcUser, jdbcPassword, maxVersions, commitDelay);
    }

    /** Describes where data goes and how durably, for the start line of the log (never with a password). */
    public String describe() {
        return store.describe(data, jdbcUrl) + ", durability " + durability.toLowerCase(Locale.ROOT);
    }

    /** Sets the store, durability and persistence intervals on {@code b}. */
    public void configure(RoomOptions.Builder b, RoomStore roomStore) {
        b.store(roomStore)
                .durability(durability())
                .asyncFlushInterval(asyncFlushInterval)
                .versionInterval(versionInterval);
    }
}
