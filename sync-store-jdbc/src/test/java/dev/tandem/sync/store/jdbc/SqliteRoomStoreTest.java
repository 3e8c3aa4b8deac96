package dev.tandem.sync.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.ResultSet;
import java.sql.Statement;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class SqliteRoomStoreTest extends JdbcRoomStoreContract {
    @TempDir
    Path dataDir;

    @Override
    protected JdbcRoomStore.Builder builder() {
        return JdbcRoomStore.builder().sqlite(dataDir);
    }

    @Override
    protected int propertyCases() {
        return 80;
    }

    @Test
    void build_createsOneWalFileWithSchemaVersion() throws Exception {
        Path db = dataDir.resolve("tandem.db");
        assertThat(db).exists();
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + db);
                Statement st = c.createStatement()) {
            try (ResultSet rs = st.executeQuery("PRAGMA journal_mode")) {
                rs.next();
                assertThat(rs.getString(1)).isEqualTo("wal");
            }
            try (ResultSet rs = st.executeQuery("SELECT MAX(version) FROM tandem_schema_version")) {
                rs.next();
                assertThat(rs.getInt(1)).isEqualTo(4);
            }
        }
    }

    @Test
    void build_dataDirUnderAFile_failsWithOneLine() throws Exception {
        Path file = Files.writeString(dataDir.resolve("not-a-dir"), "x");

        assertThatThrownBy(() ->
                        JdbcRoomStore.builder().sqlite(file.resolve("data")).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessageStartingWith(
                        "cannot open SQLite at " + file.resolve("data").resolve("tandem.db") + ": ")
                .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\n"));
    }

    @Test
    void build_committerThreadsAboveOne_isRejectedForSqlite() {
        assertThatThrownBy(() -> builder().committerThreads(2).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("committerThreads must be 1 for SQLite but was 2");
    }
}
