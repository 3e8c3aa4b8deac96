package dev.tandem.sync.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tandem.sync.core.RoomCommit;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.StoreHealth;
import java.io.PrintWriter;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.SQLFeatureNotSupportedException;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.logging.Logger;
import javax.sql.DataSource;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A committer that fails or hangs: it is restarted, the store's health says why it is not committing while it is
 * not, and every acknowledged commit is durable afterwards. Faults are injected into the committer's {@code
 * Connection.commit()} through the application's {@link DataSource}.
 */
class CommitterFailureTest {
    private static final Duration TIMEOUT = Duration.ofSeconds(30);

    @TempDir
    Path dataDir;

    private HikariDataSource pool;
    private final ConcurrentLinkedQueue<Fault> faults = new ConcurrentLinkedQueue<>();
    private JdbcRoomStore store;
    /** Latches a fault waits on; all released after the test, so a failed assertion leaves no committer waiting. */
    private final List<CountDownLatch> gates = new CopyOnWriteArrayList<>();

    private CountDownLatch gate() {
        CountDownLatch gate = new CountDownLatch(1);
        gates.add(gate);
        return gate;
    }

    /** What the committer's next {@code commit()} does instead of committing at once. */
    @FunctionalInterface
    private interface Fault {
        void commit(Connection delegate) throws SQLException, InterruptedException;
    }

    private JdbcRoomStore open(JdbcRoomStore.Builder builder) {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl(
                "jdbc:sqlite:" + dataDir.resolve("app.db") + "?journal_mode=WAL&synchronous=FULL&busy_timeout=10000");
        config.setMaximumPoolSize(8);
        pool = new HikariDataSource(config);
        store = builder.dataSource(new FaultyDataSource(pool, faults)).build();
        return store;
    }

    @AfterEach
    void close() {
        faults.clear();
        gates.forEach(CountDownLatch::countDown);
        if (store != null) {
            store.close();
        }
        if (pool != null) {
            pool.close();
        }
    }

    @Test
    void outOfMemoryInTheCommitter_reportsWritePathStopped_restartsIt_andLosesNothingAcknowledged() throws Exception {
        JdbcRoomStore s = open(JdbcRoomStore.builder().commitDelay(Duration.ZERO));
        get(s.commit(commit("before", 1)));
        CountDownLatch failing = new CountDownLatch(1);
        CountDownLatch throwNow = gate();
        CountDownLatch restarted = new CountDownLatch(1);
        CountDownLatch resume = gate();
        faults.add(c -> {
            failing.countDown();
            throwNow.await();
            throw new OutOfMemoryError("Java heap space");
        });
        faults.add(c -> {
            restarted.countDown();
            resume.await();
            c.commit();
        });

        CompletableFuture<Void> lost = s.commit(commit("lost", 1));
        assertThat(failing.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        // queued while the committer writes the other one: written by the restarted committer
        CompletableFuture<Void> queued = s.commit(commit("queued", 1));
        throwNow.countDown();

        assertThat(lost)
                .failsWithin(TIMEOUT)
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOf(RoomStoreException.class)
                .withMessage("writing to SQLite failed: the committer failed with OutOfMemoryError");
        assertThat(restarted.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        assertThat(s.health())
                .isEqualTo(StoreHealth.degraded(
                        "SQLite write path stopped: the committer failed with OutOfMemoryError and is restarting"));
        assertThat(queued).isNotDone();

        resume.countDown();
        get(queued);
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(s.health()).isEqualTo(StoreHealth.OK));
        // the write that was not acknowledged, written again by its room
        get(s.commit(commit("lost", 1)));
        get(s.commit(commit("after", 1)));
        s.close();

        JdbcRoomStore reopened = JdbcRoomStore.builder().dataSource(pool).build();
        try {
            for (String room : new String[] {"before", "lost", "queued", "after"}) {
                assertThat(get(reopened.load(room)))
                        .as(room)
                        .isNotNull()
                        .satisfies(r -> assertThat(r.documentClock()).isEqualTo(1));
            }
        } finally {
            reopened.close();
        }
    }

    @Test
    void outOfMemoryAfterTheDatabaseCommitted_failsTheWrite_andItsRetryIsWrittenOnce() throws Exception {
        JdbcRoomStore s = open(JdbcRoomStore.builder().commitDelay(Duration.ZERO));
        faults.add(c -> {
            c.commit();
            throw new OutOfMemoryError("Java heap space");
        });
        RoomCommit first = commit("twice", 1);

        assertThat(s.commit(first))
                .failsWithin(TIMEOUT)
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOf(RoomStoreException.class);
        get(s.commit(first));
        get(s.commit(new RoomCommit("twice", 2, Map.of(), Map.of("shape:a", 2L), 0, null)));
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(s.health()).isEqualTo(StoreHealth.OK));

        RoomSnapshot loaded = get(s.load("twice"));
        assertThat(loaded.documentClock()).isEqualTo(2);
        assertThat(loaded.documents()).isEmpty();
        assertThat(loaded.tombstones()).isEqualTo(Map.of("shape:a", 2L));
    }

    @Test
    void commitHangingLongerThanTheStallTimeout_reportsNotCommitting_untilItCompletes() throws Exception {
        JdbcRoomStore s = open(JdbcRoomStore.builder().commitStallTimeout(Duration.ofMillis(200)));
        CountDownLatch hanging = new CountDownLatch(1);
        CountDownLatch resume = gate();
        faults.add(c -> {
            hanging.countDown();
            resume.await();
            c.commit();
        });

        CompletableFuture<Void> stuck = s.commit(commit("stuck", 1));
        assertThat(hanging.await(TIMEOUT.toSeconds(), TimeUnit.SECONDS)).isTrue();
        CompletableFuture<Void> behind = s.commit(commit("behind", 1));

        await().atMost(TIMEOUT)
                .untilAsserted(() -> assertThat(s.health()).satisfies(h -> {
                    assertThat(h.healthy()).isFalse();
                    assertThat(h.detail())
                            .matches("SQLite not committing: 2 writes waiting and no transaction completed for \\d+ s");
                }));
        assertThat(stuck).isNotDone();

        resume.countDown();
        get(stuck);
        get(behind);
        await().atMost(TIMEOUT).untilAsserted(() -> assertThat(s.health()).isEqualTo(StoreHealth.OK));
    }

    @Test
    void commitStallTimeout_belowOneHundredMillis_isRefused() {
        assertThatThrownBy(() -> JdbcRoomStore.builder().commitStallTimeout(Duration.ofMillis(99)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("commitStallTimeout must be >= 100ms but was PT0.099S");
    }

    private static RoomCommit commit(String roomId, long clock) {
        RoomSnapshot.Document doc = new RoomSnapshot.Document(Map.of("id", "shape:a", "typeName", "shape"), clock);
        return new RoomCommit(roomId, clock, Map.of("shape:a", doc), Map.of(), 0, null);
    }

    private static <T> T get(CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (ExecutionException e) {
            throw new AssertionError("store operation failed: " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new AssertionError("store operation did not complete: " + e, e);
        }
    }

    /** Hands out connections whose {@code commit()} of a batch of writes first runs the next queued fault. */
    private static final class FaultyDataSource implements DataSource {
        private final DataSource delegate;
        private final ConcurrentLinkedQueue<Fault> faults;

        FaultyDataSource(DataSource delegate, ConcurrentLinkedQueue<Fault> faults) {
            this.delegate = delegate;
            this.faults = faults;
        }

        @Override
        public Connection getConnection() throws SQLException {
            Connection c = delegate.getConnection();
            return (Connection) Proxy.newProxyInstance(
                    Connection.class.getClassLoader(), new Class<?>[] {Connection.class}, (proxy, method, args) -> {
                        if (method.getName().equals("commit") && inWriteTransaction()) {
                            Fault fault = faults.poll();
                            if (fault != null) {
                                fault.commit(c);
                                return null;
                            }
                        }
                        try {
                            return method.invoke(c, args);
                        } catch (InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
        }

        /** Whether a committer is committing a batch of writes (not its log fold or its pruning of old events). */
        private static boolean inWriteTransaction() {
            return StackWalker.getInstance()
                    .walk(frames -> frames.anyMatch(f -> f.getClassName().endsWith(".Committer")
                            && f.getMethodName().equals("transact")));
        }

        @Override
        public Connection getConnection(String username, String password) throws SQLException {
            return getConnection();
        }

        @Override
        public PrintWriter getLogWriter() throws SQLException {
            return delegate.getLogWriter();
        }

        @Override
        public void setLogWriter(PrintWriter out) throws SQLException {
            delegate.setLogWriter(out);
        }

        @Override
        public void setLoginTimeout(int seconds) throws SQLException {
            delegate.setLoginTimeout(seconds);
        }

        @Override
        public int getLoginTimeout() throws SQLException {
            return delegate.getLoginTimeout();
        }

        @Override
        public Logger getParentLogger() throws SQLFeatureNotSupportedException {
            return delegate.getParentLogger();
        }

        @Override
        public <T> T unwrap(Class<T> type) throws SQLException {
            return delegate.unwrap(type);
        }

        @Override
        public boolean isWrapperFor(Class<?> type) throws SQLException {
            return delegate.isWrapperFor(type);
        }
    }
}
