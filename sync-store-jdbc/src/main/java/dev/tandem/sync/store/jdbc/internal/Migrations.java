package dev.tandem.sync.store.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The store's schema, as numbered migrations recorded in {@code tandem_schema_version}. Migration {@code n}
 * runs once, in one transaction with its row, on a database whose newest recorded migration is below
 * {@code n}; a database newer than this code is refused.
 */
final class Migrations {
    private static final Logger LOG = LoggerFactory.getLogger(Migrations.class);

    /** Migration {@code i + 1} is element {@code i}; each statement's {@code {blob}} and {@code {options}} are filled in by the dialect. */
    private static final List<List<String>> MIGRATIONS = List.of(
            List.of(
                    "CREATE TABLE rooms ("
                            + "room_id TEXT NOT NULL PRIMARY KEY,"
                            + " document_clock BIGINT NOT NULL,"
                            + " tombstone_history_starts_at_clock BIGINT NOT NULL,"
                            + " schema_json TEXT)",
                    "CREATE TABLE documents ("
                            + "room_id TEXT NOT NULL,"
                            + " id TEXT NOT NULL,"
                            + " state_json TEXT NOT NULL,"
                            + " last_changed_clock BIGINT NOT NULL,"
                            + " PRIMARY KEY (room_id, id)){options}",
                    "CREATE TABLE tombstones ("
                            + "room_id TEXT NOT NULL,"
                            + " id TEXT NOT NULL,"
                            + " clock BIGINT NOT NULL,"
                            + " PRIMARY KEY (room_id, id)){options}",
                    "CREATE INDEX tombstones_by_clock ON tombstones (room_id, clock)",
                    // created_at is in epoch milliseconds; snapshot_json_gzip is the gzipped RoomSnapshot JSON.
                    "CREATE TABLE versions ("
                            + "room_id TEXT NOT NULL,"
                            + " version_id BIGINT NOT NULL,"
                            + " document_clock BIGINT NOT NULL,"
                            + " created_at BIGINT NOT NULL,"
                            + " snapshot_json_gzip {blob} NOT NULL,"
                            + " PRIMARY KEY (room_id, version_id)){options}"),
            // 2: results of HTTP push events, kept for a retention window so a re-sent event is answered again.
            // created_at is in epoch milliseconds; result_json is {"applied", "reason", "serverClock"}.
            List.of(
                    "CREATE TABLE push_events ("
                            + "room_id TEXT NOT NULL,"
                            + " event_id TEXT NOT NULL,"
                            + " result_json TEXT NOT NULL,"
                            + " created_at BIGINT NOT NULL,"
                            + " PRIMARY KEY (room_id, event_id)){options}",
                    "CREATE INDEX push_events_by_created_at ON push_events (created_at)"),
            // 3: host data stored with a room (its access policy…), one text value per (room, key).
            List.of("CREATE TABLE room_attributes ("
                    + "room_id TEXT NOT NULL,"
                    + " key TEXT NOT NULL,"
                    + " value TEXT NOT NULL,"
                    + " PRIMARY KEY (room_id, key)){options}"),
            // 4: fencing of multi-node owners; a commit made with an older owner_epoch than the room's is refused
            List.of("CREATE TABLE room_owners ("
                    + "room_id TEXT NOT NULL PRIMARY KEY,"
                    + " owner_epoch BIGINT NOT NULL)"),
            // 5: recent commits as one row each (see CommitLog), folded into documents and tombstones in batches
            List.of("CREATE TABLE room_log ("
                    + "room_id TEXT NOT NULL,"
                    + " clock BIGINT NOT NULL,"
                    + " changes TEXT NOT NULL,"
                    + " PRIMARY KEY (room_id, clock)){options}"),
            // 6: clocks a room may have sent before they were durable (async durability); see reserveClock
            List.of("CREATE TABLE clock_reservations ("
                    + "room_id TEXT NOT NULL PRIMARY KEY,"
                    + " reserved_clock BIGINT NOT NULL)"));

    private Migrations() {}

    /** Returns the schema version this code writes. */
    static int latest() {
        return MIGRATIONS.size();
    }

    /**
     * Brings the database's schema to {@link #latest()} and returns the version it had before.
     *
     * @throws IllegalStateException if the database's schema is newer than this code
     */
    static int migrate(Connection c, Dialect dialect) throws SQLException {
        try {
            dialect.lockForMigration(c);
            try (Statement st = c.createStatement()) {
                st.execute("CREATE TABLE IF NOT EXISTS tandem_schema_version"
                        + " (version INTEGER NOT NULL PRIMARY KEY, applied_at BIGINT NOT NULL)");
            }
            int current;
            try (Statement st = c.createStatement();
                    ResultSet rs = st.executeQuery("SELECT COALESCE(MAX(version), 0) FROM tandem_schema_version")) {
                rs.next();
                current = rs.getInt(1);
            }
            if (current > latest()) {
                throw new IllegalStateException("the database's schema version " + current
                        + " is newer than this Tandem supports (" + latest() + ")");
            }
            for (int version = current + 1; version <= latest(); version++) {
                try (Statement st = c.createStatement()) {
                    for (String sql : MIGRATIONS.get(version - 1)) {
                        st.execute(
                                sql.replace("{blob}", dialect.blobType()).replace("{options}", dialect.tableOptions()));
                    }
                }
                try (PreparedStatement ps =
                        c.prepareStatement("INSERT INTO tandem_schema_version (version, applied_at) VALUES (?, ?)")) {
                    ps.setInt(1, version);
                    ps.setLong(2, System.currentTimeMillis());
                    ps.executeUpdate();
                }
                LOG.info("Applied {} schema migration {}", dialect.displayName(), version);
            }
            c.commit();
            return current;
        } catch (SQLException | RuntimeException e) {
            c.rollback();
            throw e;
        }
    }
}
