package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ConnectionSettingsTest {

    @Test
    void defaults_areDocumented() {
        ConnectionSettings d = ConnectionSettings.defaults();
        assertThat(d.idleTimeout()).isEqualTo(Duration.ofSeconds(60));
        assertThat(d.maxMessageBytes()).isEqualTo(1024 * 1024);
        assertThat(d.maxQueuedChars()).isEqualTo(16L * 1024 * 1024);
    }

    @Test
    void constructor_withBadValues_namesThem() {
        ConnectionSettings d = ConnectionSettings.defaults();
        assertThatThrownBy(() -> d.withIdleTimeout(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("idleTimeout must be > 0 but was PT0S");
        assertThatThrownBy(() -> d.withMaxMessageBytes(65536))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxMessageBytes must be >= 1048576 but was 65536");
        assertThatThrownBy(() -> d.withMaxQueuedChars(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxQueuedChars must be > 0 but was 0");
    }
}
