package dev.tandem.sync.store.jdbc;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class JdbcRoomStoreBuilderTest {

    @Test
    void build_withoutDatabase_failsNamingTheChoice() {
        assertThatThrownBy(() -> JdbcRoomStore.builder().build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("choose a database with sqlite(dataDir), postgres(jdbcUrl) or dataSource(dataSource)");
    }

    @Test
    void setters_badValues_failNamingTheValue() {
        JdbcRoomStore.Builder b = JdbcRoomStore.builder();
        assertThatThrownBy(() -> b.maxBatchSize(0)).hasMessage("maxBatchSize must be > 0 but was 0");
        assertThatThrownBy(() -> b.maxQueuedWrites(-1)).hasMessage("maxQueuedWrites must be > 0 but was -1");
        assertThatThrownBy(() -> b.maxVersionsPerRoom(0)).hasMessage("maxVersionsPerRoom must be > 0 but was 0");
        assertThatThrownBy(() -> b.committerThreads(0)).hasMessage("committerThreads must be > 0 but was 0");
        assertThatThrownBy(() -> b.readerThreads(0)).hasMessage("readerThreads must be > 0 but was 0");
        assertThatThrownBy(() -> b.maxVersionAge(Duration.ZERO)).hasMessage("maxVersionAge must be > 0 but was PT0S");
        assertThatThrownBy(() -> b.connectTimeout(Duration.ofMillis(10)))
                .hasMessage("connectTimeout must be >= 250ms but was PT0.01S");
        assertThatThrownBy(() -> b.postgres("jdbc:mysql://x/y"))
                .hasMessage("jdbcUrl must start with jdbc:postgresql: but was jdbc:mysql://x/y");
    }

    @Test
    void build_unreachablePostgres_failsWithOneLine() throws Exception {
        int port;
        try (ServerSocket free = new ServerSocket(0)) {
            port = free.getLocalPort();
        }
        String url = "jdbc:postgresql://127.0.0.1:" + port + "/x";

        assertThatThrownBy(() -> JdbcRoomStore.builder().postgres(url).build())
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("cannot connect to PostgreSQL at " + url + ": Connection refused");
    }
}
