package dev.tandem.sync.server.internal.cli;

import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.store.jdbc.JdbcRoomStore;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Locale;
import org.jspecify.annotations.Nullable;

/** Where the standalone server keeps its rooms. */
public enum StoreKind {
    /** One SQLite file in the data directory: the embedded default. */
    SQLITE,
    /** A PostgreSQL database at a JDBC URL. */
    POSTGRES,
    /** This process's memory: everything is lost on exit. */
    MEMORY;

    @Override
    public String toString() {
        return name().toLowerCase(Locale.ROOT);
    }

    /**
     * Opens the store, creating SQLite's data directory and the database tables if needed.
     *
     * @throws IllegalArgumentException if a setting is missing or wrong
     * @throws IllegalStateException with one line if the database cannot be reached
     */
    public RoomStore open(
            Path dataDir,
            @Nullable String jdbcUrl,
            @Nullable String user,
            @Nullable String password,
            int maxVersionsPerRoom,
            Duration commitDelay) {
        return switch (this) {
            case MEMORY -> RoomStore.inMemory();
            case SQLITE -> {
                try {
                    Files.createDirectories(dataDir);
                } catch (IOException e) {
                    throw new IllegalStateException("cannot create data directory " + dataDir + ": " + e);
                }
                yield JdbcRoomStore.builder()
                        .sqlite(dataDir)
                        .maxVersionsPerRoom(maxVersionsPerRoom)
                        .commitDelay(commitDelay)
                        .build();
            }
            case POSTGRES -> {
                if (jdbcUrl == null || jdbcUrl.isBlank()) {
                    throw new IllegalArgumentException("--store postgres needs --jdbc-url jdbc:postgresql://…");
                }
                JdbcRoomStore.Builder b = JdbcRoomStore.builder()
                        .maxVersionsPerRoom(maxVersionsPerRoom)
                        .commitDelay(commitDelay);
                if (user != null) {
                    b.postgres(jdbcUrl, user, password);
                } else {
                    b.postgres(jdbcUrl);
                }
                yield b.build();
            }
        };
    }

    /** Describes where data goes, for the start line of the log (never with a password). */
    public String describe(Path dataDir, @Nullable String jdbcUrl) {
        return switch (this) {
            case MEMORY -> "memory";
            case SQLITE -> "sqlite " + dataDir.resolve("tandem.db");
            case POSTGRES -> "postgres " + withoutQuery(jdbcUrl);
        };
    }

    private static String withoutQuery(@Nullable String url) {
        if (url == null) {
            return "";
        }
        int q = url.indexOf('?');
        return q < 0 ? url : url.substring(0, q);
    }
}
