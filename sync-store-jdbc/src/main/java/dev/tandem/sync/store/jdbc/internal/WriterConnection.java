package dev.tandem.sync.store.jdbc.internal;

import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.SQLException;
import java.util.HashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A committer's pooled connection, kept across its transactions with the statements prepared on it, so a
 * transaction does not parse its SQL again (for SQLite, preparing was a tenth of the committer's time). The
 * committer gives it back after a failure (a statement may hold a half-built batch), when its queue is idle,
 * and every minute, so the pool can still check and retire connections. Confined to the committer's thread.
 */
final class WriterConnection implements AutoCloseable {
    private final Connection connection;
    private final Map<String, PreparedStatement> statements = new HashMap<>();
    private final long openedAt = System.nanoTime();

    WriterConnection(Connection connection) {
        this.connection = connection;
    }

    Connection connection() {
        return connection;
    }

    /** Returns the statement of this SQL, prepared on first use; the caller must not close it. */
    PreparedStatement prepare(String sql) throws SQLException {
        PreparedStatement ps = statements.get(sql);
        if (ps == null) {
            ps = connection.prepareStatement(sql);
            statements.put(sql, ps);
        }
        return ps;
    }

    /** Returns the nanoseconds since this connection was taken from the pool. */
    long ageNanos() {
        return System.nanoTime() - openedAt;
    }

    /** Closes the statements and gives the connection back to the pool; later errors are suppressed into the first. */
    @Override
    public void close() throws SQLException {
        SQLException first = null;
        for (PreparedStatement ps : statements.values()) {
            first = closeQuietly(ps, first);
        }
        statements.clear();
        first = closeQuietly(connection, first);
        if (first != null) {
            throw first;
        }
    }

    private static @Nullable SQLException closeQuietly(AutoCloseable closeable, @Nullable SQLException first) {
        try {
            closeable.close();
            return first;
        } catch (Exception e) {
            SQLException error = e instanceof SQLException sql ? sql : new SQLException(e);
            if (first == null) {
                return error;
            }
            first.addSuppressed(error);
            return first;
        }
    }
}
