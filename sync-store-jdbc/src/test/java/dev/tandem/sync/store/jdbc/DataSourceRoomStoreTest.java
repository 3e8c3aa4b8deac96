package dev.tandem.sync.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tandem.sync.core.RoomSnapshot;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.sql.Statement;
import java.util.Map;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The store contract over an application's own pool (HikariCP with auto-commit on, as Spring Boot makes it) on
 * SQLite, whose dialect the store reads from the driver; and what the store leaves to the pool's owner.
 */
class DataSourceRoomStoreTest extends JdbcRoomStoreContract {
    @TempDir
    Path dataDir;

    private HikariDataSource pool;

    private HikariDataSource pool() {
        if (pool == null) {
            HikariConfig config = new HikariConfig();
            config.setJdbcUrl("jdbc:sqlite:" + dataDir.resolve("app.db")
                    + "?journal_mode=WAL&synchronous=FULL&busy_timeout=10000");
            config.setMaximumPoolSize(10);
            pool = new HikariDataSource(config);
        }
        return pool;
    }

    @AfterEach
    void closePool() {
        if (pool != null) {
            pool.close();
        }
    }

    @Override
    protected JdbcRoomStore.Builder builder() {
        return JdbcRoomStore.builder().dataSource(pool());
    }

    @Override
    protected int propertyCases() {
        return 40;
    }

    @Test
    void close_leavesTheApplicationsDataSourceOpen_withAutoCommitRestored() throws Exception {
        JdbcRoomStore s = builder().build();
        String r = room("owned-by-app");
        get(s.commit(commit(r, 1, puts(doc("shape:a", 1)), Map.of(), 0)));
        s.close();

        assertThat(pool().isClosed()).isFalse();
        try (Connection c = pool().getConnection();
                Statement st = c.createStatement()) {
            assertThat(c.getAutoCommit()).isTrue();
            assertThat(st.executeQuery("SELECT COUNT(*) FROM tandem_schema_version")
                            .next())
                    .isTrue();
        }
        RoomSnapshot reloaded = get(open(builder()).load(r));
        assertThat(reloaded.documentClock()).isEqualTo(1);
    }

    @Test
    void build_onAnUnreachableDataSource_failsNamingIt() {
        DataSource down = new UnreachableDataSource();
        assertThatThrownBy(() -> JdbcRoomStore.builder().dataSource(down).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("cannot connect to the application's DataSource: connection refused");
    }

    /** A data source whose database is down. */
    private static final class UnreachableDataSource implements DataSource {
        @Override
        public Connection getConnection() throws SQLException {
            throw new SQLException("connection refused");
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() {
            return null;
        }

        @Override
        public void setLogWriter(PrintWriter out) {}

        @Override
        public void setLoginTimeout(int seconds) {}

        @Override
        public int getLoginTimeout() {
            return 0;
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            throw new SQLFeatureNotSupportedException();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            throw new SQLException("not a wrapper");
        }

        @Override
        public boolean isWrapperFor(Class<?> type) {
            return false;
        }
    }
}
