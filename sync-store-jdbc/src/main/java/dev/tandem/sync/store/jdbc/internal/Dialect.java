package dev.tandem.sync.store.jdbc.internal;

import com.zaxxer.hikari.HikariConfig;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Objects;

/**
 * What differs between the databases: how to connect, a few column types and table options, and how a
 * transaction is isolated. Everything else is one SQL for both (upserts use {@code ON CONFLICT … DO
 * UPDATE … WHERE}, which SQLite 3.24+ and PostgreSQL 9.5+ share).
 */
public enum Dialect {
    SQLITE("SQLite", "BLOB", " WITHOUT ROWID"),
    POSTGRES("PostgreSQL", "BYTEA", "");

    /** The SQLite file inside the data directory. */
    public static final String SQLITE_FILE = "tandem.db";

    /** The PostgreSQL advisory lock key taken while migrating: "tandem" in ASCII. */
    private static final long MIGRATION_LOCK_KEY = 0x74616e64656dL;

    private final String displayName;
    private final String blobType;
    private final String tableOptions;

    Dialect(String displayName, String blobType, String tableOptions) {
        this.displayName = displayName;
        this.blobType = blobType;
        this.tableOptions = tableOptions;
    }

    /** Returns the database's name for messages, such as {@code PostgreSQL}. */
    public String displayName() {
        return displayName;
    }

    /** Returns the type of binary columns. */
    String blobType() {
        return blobType;
    }

    /** Returns what follows the closing parenthesis of a {@code CREATE TABLE} keyed by its primary key. */
    String tableOptions() {
        return tableOptions;
    }

    /** Returns where the database is, for messages: the JDBC URL or the SQLite file. */
    String location(StoreSettings s) {
        if (s.dataSource() != null) {
            return "the application's DataSource";
        }
        return this == SQLITE ? sqliteFile(s).toString() : Objects.requireNonNull(s.jdbcUrl());
    }

    /** PostgreSQL's {@code idle_in_transaction_session_timeout} for the store's connections, in milliseconds. */
    static final int IDLE_IN_TRANSACTION_MS = 5_000;

    /**
     * Returns the dialect of the database behind {@code dataSource}, from its driver's product name.
     *
     * @throws IllegalStateException if the database cannot be reached or is neither SQLite nor PostgreSQL
     */
    public static Dialect of(javax.sql.DataSource dataSource) {
        String product;
        try (java.sql.Connection c = dataSource.getConnection()) {
            product = c.getMetaData().getDatabaseProductName();
        } catch (java.sql.SQLException | RuntimeException e) {
            throw new IllegalStateException("cannot connect to the application's DataSource: " + e.getMessage(), e);
        }
        if ("SQLite".equalsIgnoreCase(product)) {
            return SQLITE;
        }
        if ("PostgreSQL".equalsIgnoreCase(product)) {
            return POSTGRES;
        }
        throw new IllegalStateException(
                "the application's DataSource is " + product + "; the room store supports SQLite and PostgreSQL");
    }

    /** Configures the connection pool: {@code readers} reader connections plus one per committer. */
    HikariConfig poolConfig(StoreSettings s) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("tandem-" + name().toLowerCase(java.util.Locale.ROOT));
        config.setMaximumPoolSize(s.readerThreads() + s.committerThreads());
        config.setConnectionTimeout(s.connectTimeout().toMillis());
        config.setValidationTimeout(Math.min(5_000, s.connectTimeout().toMillis()));
        // Fail at once on start when the database cannot be reached.
        config.setInitializationFailTimeout(1);
        config.setAutoCommit(false);
        if (this == SQLITE) {
            config.setJdbcUrl("jdbc:sqlite:" + sqliteFile(s));
            config.setDriverClassName("org.sqlite.JDBC");
            config.addDataSourceProperty("journal_mode", "WAL");
            config.addDataSourceProperty("synchronous", "FULL");
            config.addDataSourceProperty(
                    "busy_timeout", String.valueOf(s.connectTimeout().toMillis()));
            config.addDataSourceProperty("foreign_keys", "false");
            config.setMinimumIdle(1);
        } else {
            config.setJdbcUrl(s.jdbcUrl());
            config.setDriverClassName("org.postgresql.Driver");
            if (s.user() != null) {
                config.setUsername(s.user());
            }
            if (s.password() != null) {
                config.setPassword(s.password());
            }
            long seconds = Math.max(1, s.connectTimeout().toSeconds());
            config.addDataSourceProperty("connectTimeout", String.valueOf(seconds));
            config.addDataSourceProperty("loginTimeout", String.valueOf(seconds));
            config.addDataSourceProperty("tcpKeepAlive", "true");
            // A transaction left open by a paused or partitioned process (a long GC pause, SIGSTOP) is rolled back
            // after this long, so its locks (a fenced commit's lock on its room's owner row) cannot stop another
            // node from claiming the room; a healthy writer never idles inside a transaction.
            config.addDataSourceProperty("options", "-c idle_in_transaction_session_timeout=" + IDLE_IN_TRANSACTION_MS);
            config.addDataSourceProperty("ApplicationName", "tandem");
            config.setMinimumIdle(1);
        }
        return config;
    }

    /** Starts a read-only transaction that sees one consistent state across its statements. */
    void beginConsistentRead(Connection c) throws SQLException {
        if (this == POSTGRES) {
            c.setTransactionIsolation(Connection.TRANSACTION_REPEATABLE_READ);
            c.setReadOnly(true);
        }
        // SQLite: a transaction's first read fixes its snapshot in WAL mode.
    }

    /** Ends a read started with {@link #beginConsistentRead}. */
    void endConsistentRead(Connection c) throws SQLException {
        c.rollback();
        if (this == POSTGRES) {
            c.setReadOnly(false);
            c.setTransactionIsolation(Connection.TRANSACTION_READ_COMMITTED);
        }
    }

    /**
     * Serializes schema migrations of servers starting at once against one PostgreSQL database; the lock is
     * held until the transaction ends. (SQLite serializes writers by itself.)
     */
    void lockForMigration(Connection c) throws SQLException {
        if (this == POSTGRES) {
            try (Statement st = c.createStatement()) {
                st.execute("SELECT pg_advisory_xact_lock(" + MIGRATION_LOCK_KEY + ")");
            }
        }
    }

    private static Path sqliteFile(StoreSettings s) {
        return Objects.requireNonNull(s.dataDir()).resolve(SQLITE_FILE);
    }
}
