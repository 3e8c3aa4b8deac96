package dev.tandem.sync.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.time.Duration;
import org.junit.jupiter.api.Test;

class ClusterOptionsTest {

    @Test
    void builder_defaults_renewEveryThirdOfTheLease() {
        ClusterOptions o = ClusterOptions.builder().build();
        assertThat(o.leaseTtl()).isEqualTo(Duration.ofSeconds(10));
        assertThat(o.renewInterval()).isEqualTo(Duration.ofMillis(3333).plusNanos(333_333));
        assertThat(o.safetyMargin()).isEqualTo(Duration.ofSeconds(1));
        assertThat(o.nodeId()).matches("node-[0-9a-f]{8}");
        assertThat(o.keyPrefix()).isEqualTo("tandem");
    }

    @Test
    void leaseTtl_withoutMargin_setsMarginToATenth() {
        assertThat(ClusterOptions.builder()
                        .leaseTtl(Duration.ofSeconds(3))
                        .build()
                        .safetyMargin())
                .isEqualTo(Duration.ofMillis(300));
    }

    @Test
    void build_badValues_nameTheValue() {
        assertThatThrownBy(() -> ClusterOptions.builder().redisUri("http://x").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("redisUri must start with redis://, rediss://, redis-sentinel:// or rediss-sentinel:// but"
                        + " was http://x");
        assertThatThrownBy(() -> ClusterOptions.builder()
                        .redisUri("redis-sentinel://127.0.0.1:26379")
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("a redis-sentinel:// redisUri must name the master after '#' (host:port,host:port#mymaster)"
                        + " but was redis-sentinel://127.0.0.1:26379");
        assertThat(ClusterOptions.builder()
                        .redisUri("redis-sentinel://127.0.0.1:26379,127.0.0.1:26380#mymaster")
                        .build()
                        .redisUri())
                .isEqualTo("redis-sentinel://127.0.0.1:26379,127.0.0.1:26380#mymaster");
        assertThatThrownBy(() -> ClusterOptions.builder().nodeId("a b").build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("nodeId must be 1 to 64 of [A-Za-z0-9._-] but was 'a b'");
        assertThatThrownBy(() -> ClusterOptions.builder()
                        .leaseTtl(Duration.ofMillis(100))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("leaseTtl must be >= 500ms but was PT0.1S");
        assertThatThrownBy(() -> ClusterOptions.builder()
                        .safetyMargin(Duration.ofSeconds(6))
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("safetyMargin must be between 0 and half the lease TTL but was PT6S");
        assertThatThrownBy(() ->
                        ClusterOptions.builder().relayOpenTimeout(Duration.ZERO).build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("relayOpenTimeout must be > 0 but was PT0S");
    }
}
