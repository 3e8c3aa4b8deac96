package dev.tandem.sync.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.tandem.sync.core.RoomCommit;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.StoreHealth;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The store contract against the PostgreSQL on 127.0.0.1:5432 (trust authentication, as user {@code
 * postgres} or the OS user), in a database of its own that is dropped afterwards.
 */
class PostgresRoomStoreIT extends JdbcRoomStoreContract {
    private static final String SERVER = "jdbc:postgresql://127.0.0.1:5432/";

    private static String user;
    private static String database;

    @BeforeAll
    static void createDatabase() throws SQLException {
        database = "tandem_it_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
        SQLException failure = null;
        for (String candidate : List.of("postgres", System.getProperty("user.name"))) {
            try (Connection c = DriverManager.getConnection(SERVER + "postgres", candidate, null);
                    Statement st = c.createStatement()) {
                st.execute("CREATE DATABASE " + database);
                user = candidate;
                return;
            } catch (SQLException e) {
                if (failure == null) {
                    failure = e;
                } else {
                    failure.addSuppressed(e);
                }
            }
        }
        throw failure;
    }

    @AfterAll
    static void dropDatabase() throws SQLException {
        if (user != null) {
            try (Connection c = DriverManager.getConnection(SERVER + "postgres", user, null);
                    Statement st = c.createStatement()) {
                st.execute("DROP DATABASE IF EXISTS " + database + " WITH (FORCE)");
            }
        }
    }

    @Override
    protected JdbcRoomStore.Builder builder() {
        return JdbcRoomStore.builder().postgres(SERVER + database, user, null);
    }

    @Override
    protected int propertyCases() {
        return 100;
    }

    @Test
    void commit_duringOutage_failsThenSucceedsExactlyOnceAfterRestore() throws Exception {
        String r = room("outage");
        RoomStore model = RoomStore.inMemory();
        RoomCommit c1 = commit(r, 1, puts(doc("shape:a", 1), doc("shape:b", 1)), Map.of(), 0);
        RoomCommit c2 = commit(r, 2, puts(doc("shape:a", 2, "x", 2L), doc("shape:c", 2)), Map.of("shape:b", 2L), 0);
        RoomCommit c3 = commit(r, 3, puts(doc("shape:c", 3, "x", 3L), doc("shape:d", 3)), Map.of(), 0);
        for (RoomCommit c : List.of(c1, c2, c3)) {
            get(model.commit(c));
        }
        try (ProxySocket proxy = ProxySocket.start(5432)) {
            JdbcRoomStore s = open(JdbcRoomStore.builder()
                    .postgres("jdbc:postgresql://127.0.0.1:" + proxy.port() + "/" + database, user, null)
                    .connectTimeout(Duration.ofSeconds(1)));
            get(s.commit(c1));

            proxy.cut();
            Throwable failed = causeOf(s.commit(c2));
            assertThat(failed).isInstanceOf(RoomStoreException.class).hasMessageContaining("PostgreSQL");
            assertThat(s.health().healthy()).isFalse();
            assertThat(s.health().detail()).startsWith("PostgreSQL write failed: ");
            assertThat(causeOf(s.commit(c2.followedBy(c3)))).isInstanceOf(RoomStoreException.class);
            assertThat(causeOf(s.load(r))).isInstanceOf(RoomStoreException.class);

            proxy.restore();
            // The room retries what was never acknowledged, coalesced, until the store takes it.
            RoomCommit retry = c2.followedBy(c3);
            await().atMost(Duration.ofSeconds(30)).until(() -> attempt(s.commit(retry)));
            // An acknowledgement lost on the way back makes the room send the same change again.
            get(s.commit(retry));

            assertThat(s.health()).isEqualTo(StoreHealth.OK);
            assertSameRoom(get(s.load(r)), get(model.load(r)));
        }
        assertSameRoom(get(store.load(r)), get(model.load(r)));
        RoomSnapshot stored = get(store.load(r));
        assertThat(ids(stored)).containsExactly("shape:a", "shape:c", "shape:d");
        assertThat(stored.tombstones()).isEqualTo(Map.of("shape:b", 2L));
    }

    private static boolean attempt(CompletableFuture<Void> commit) {
        try {
            commit.join();
            return true;
        } catch (RuntimeException e) {
            return false;
        }
    }
}
