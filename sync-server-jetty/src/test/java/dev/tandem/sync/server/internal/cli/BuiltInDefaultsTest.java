package dev.tandem.sync.server.internal.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class BuiltInDefaultsTest {

    @Test
    void format_duration_parsesBackToTheSameValue() {
        for (Duration d : new Duration[] {
            Duration.ZERO,
            Duration.ofMillis(16),
            Duration.ofMillis(1500),
            Duration.ofSeconds(20),
            Duration.ofSeconds(60),
            Duration.ofHours(2),
            Duration.ofNanos(1_000_000_000L / 60)
        }) {
            assertThat(Units.duration(Units.format(d))).as(d.toString()).isEqualTo(d);
        }
        assertThat(Units.format(Duration.ofMillis(16))).isEqualTo("16ms");
        assertThat(Units.format(Duration.ofSeconds(60))).isEqualTo("60s");
        assertThat(Units.format(Duration.ofNanos(1_000_000_000L / 60))).isEqualTo("PT0.016666666S");
    }

    @Test
    void formatBytes_parsesBackToTheSameValue() {
        for (long n : new long[] {0, 1, 1000, 1024, 1536, 16L << 20, 3L << 30, (1L << 30) + 1}) {
            assertThat(Units.bytes(Units.formatBytes(n))).as("%d", n).isEqualTo(n);
        }
        assertThat(Units.formatBytes(16L << 20)).isEqualTo("16MiB");
        assertThat(Units.formatBytes(1024)).isEqualTo("1KiB");
        assertThat(Units.formatBytes(1536)).isEqualTo("1536");
    }
}
