package dev.tandem.sync.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.sync.core.RoomSnapshot;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
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
                assertThat(rs.getInt(1)).isEqualTo(6);
            }
        }
    }

    @Test
    void copyOfTheFilesWhileOpen_withCommitsStillInTheLog_loadsEverythingCommitted() throws Exception {
        JdbcRoomStore s = open(builder().logFoldInterval(Duration.ofHours(1)));
        String r = room("crash");
        get(s.commit(commit(r, 1, puts(doc("shape:a", 1), doc("shape:b", 1), doc("shape:c", 1)), Map.of(), 0)));
        get(s.commit(commit(r, 2, puts(doc("shape:a", 2, "moved", true)), Map.of("shape:b", 2L), 0)));
        get(s.commit(commit(r, 3, Map.of(), Map.of("shape:c", 3L), 3)));
        RoomSnapshot before = get(s.load(r));

        // what a crash leaves: the database and its write-ahead log as they are, nothing folded at close
        Path copy = Files.createDirectory(dataDir.resolve("copy"));
        for (String name : List.of("tandem.db", "tandem.db-wal")) {
            Files.copy(dataDir.resolve(name), copy.resolve(name));
        }
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + copy.resolve("tandem.db"));
                Statement st = c.createStatement();
                ResultSet rs = st.executeQuery("SELECT COUNT(*) FROM room_log")) {
            rs.next();
            assertThat(rs.getInt(1)).isEqualTo(3);
        }
        JdbcRoomStore recovered = open(JdbcRoomStore.builder().sqlite(copy));

        assertSameRoom(get(recovered.load(r)), before);
        assertSameRoom(before, snapshot(3, List.of(doc("shape:a", 2, "moved", true)), Map.of("shape:c", 3L), 3));
    }

    @Test
    void close_foldsTheLogIntoTheRecordTables() throws Exception {
        JdbcRoomStore s = open(builder().logFoldInterval(Duration.ofHours(1)));
        String r = room("fold");
        get(s.commit(commit(r, 1, puts(doc("shape:a", 1), doc("shape:b", 1)), Map.of(), 0)));
        get(s.commit(commit(r, 2, Map.of(), Map.of("shape:b", 2L), 0)));
        RoomSnapshot before = get(s.load(r));
        assertThat(count("room_log", r)).isEqualTo(2);
        assertThat(count("documents", r)).isZero();

        s.close();

        assertThat(count("room_log", r)).isZero();
        assertThat(count("documents", r)).isEqualTo(1);
        assertThat(count("tombstones", r)).isEqualTo(1);
        assertSameRoom(get(open().load(r)), before);
    }

    private int count(String table, String roomId) throws Exception {
        try (Connection c = DriverManager.getConnection("jdbc:sqlite:" + dataDir.resolve("tandem.db"));
                PreparedStatement ps = c.prepareStatement("SELECT COUNT(*) FROM " + table + " WHERE room_id = ?")) {
            ps.setString(1, roomId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getInt(1);
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

/** The same contract with the commit log folded after every transaction, so loads read the record tables. */
class SqliteRoomStoreFoldingEveryTransactionTest extends SqliteRoomStoreTest {
    @Override
    protected JdbcRoomStore.Builder builder() {
        return super.builder().logFoldInterval(Duration.ZERO);
    }
}
