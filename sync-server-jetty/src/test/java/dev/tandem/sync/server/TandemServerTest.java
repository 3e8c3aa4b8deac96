package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.sync.core.RoomManager;
import dev.tandem.sync.core.RoomOptions;
import java.time.Duration;
import org.junit.jupiter.api.Test;

class TandemServerTest {

    @Test
    void builder_withBadValues_namesThem() {
        assertThatThrownBy(() -> TandemServer.builder().port(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port must be between 0 and 65535 but was -1");
        assertThatThrownBy(() -> TandemServer.builder().port(65536))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("port must be between 0 and 65535 but was 65536");
        assertThatThrownBy(() -> TandemServer.builder().host(" "))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("host must not be blank");
        assertThatThrownBy(() -> TandemServer.builder().maxMessageBytes(10))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxMessageBytes must be >= 1048576 but was 10");
        assertThatThrownBy(() -> TandemServer.builder().stopTimeout(Duration.ofSeconds(-1)))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("stopTimeout must be >= 0 but was PT-1S");
    }

    @Test
    void build_withBothRoomsAndRoomOptions_fails() {
        RoomOptions options = RoomOptions.builder().build();
        try (RoomManager rooms = RoomManager.create(options)) {
            assertThatThrownBy(() -> TandemServer.builder()
                            .rooms(rooms)
                            .roomOptions(options)
                            .build())
                    .isInstanceOf(IllegalStateException.class)
                    .hasMessage("set at most one of rooms and roomOptions");
        }
    }

    @Test
    void portAndUri_beforeStart_fail() {
        TandemServer server = TandemServer.builder().port(0).build();
        assertThatThrownBy(server::port)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("server is not started");
        server.close();
        server.close();
        assertThatThrownBy(server::start)
                .isInstanceOf(IllegalStateException.class)
                .hasMessage("server is stopped");
    }
}
