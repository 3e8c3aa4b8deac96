package dev.tandem.sync.server.internal.limits;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

class RateLimitCooldownsTest {
    private final AtomicLong now = new AtomicLong(1_000_000_000L);

    private RateLimitCooldowns cooldowns(Duration base, Duration max, int maxKeys) {
        return new RateLimitCooldowns(base, max, maxKeys, now::get);
    }

    private void advance(Duration d) {
        now.addAndGet(d.toNanos());
    }

    @Test
    void remaining_ofAKeyNeverStruck_isZero() {
        assertThat(cooldowns(Duration.ofSeconds(10), Duration.ofMinutes(10), 10).remaining("ip:1"))
                .isZero();
    }

    @Test
    void strike_coolsTheKeyDownForTheBase_andOnlyThatKey() {
        RateLimitCooldowns c = cooldowns(Duration.ofSeconds(10), Duration.ofMinutes(10), 10);

        c.strike("principal:mallory");

        assertThat(c.remaining("principal:mallory")).isEqualTo(Duration.ofSeconds(10));
        assertThat(c.remaining("principal:alice")).isZero();
        advance(Duration.ofSeconds(4));
        assertThat(c.remaining("principal:mallory")).isEqualTo(Duration.ofSeconds(6));
        advance(Duration.ofSeconds(6));
        assertThat(c.remaining("principal:mallory")).isZero();
    }

    @Test
    void strike_repeatedWhileRemembered_doublesUpToTheMax() {
        RateLimitCooldowns c = cooldowns(Duration.ofSeconds(10), Duration.ofSeconds(60), 10);
        long[] expected = {10, 20, 40, 60, 60};
        for (long seconds : expected) {
            c.strike("k");
            assertThat(c.remaining("k")).isEqualTo(Duration.ofSeconds(seconds));
            // the next strike comes right after the cooldown ends, within the memory of the last one
            advance(Duration.ofSeconds(seconds + 1));
        }
    }

    @Test
    void strike_afterTheMemoryLapsed_startsOverAtTheBase() {
        RateLimitCooldowns c = cooldowns(Duration.ofSeconds(10), Duration.ofSeconds(60), 10);
        c.strike("k");
        c.strike("k");
        assertThat(c.remaining("k")).isEqualTo(Duration.ofSeconds(20));

        advance(Duration.ofSeconds(20 + 61));
        c.strike("k");

        assertThat(c.remaining("k")).isEqualTo(Duration.ofSeconds(10));
    }

    @Test
    void zeroBase_turnsCooldownsOff() {
        RateLimitCooldowns c = cooldowns(Duration.ZERO, Duration.ZERO, 10);

        c.strike("k");

        assertThat(c.remaining("k")).isZero();
        assertThat(c.size()).isZero();
    }

    @Test
    void manyKeys_stayBounded_droppingLapsedOnesFirst() {
        RateLimitCooldowns c = cooldowns(Duration.ofSeconds(1), Duration.ofSeconds(2), 100);
        c.strike("old");
        advance(Duration.ofSeconds(10));
        for (int i = 0; i < 1_000; i++) {
            c.strike("k" + i);
            assertThat(c.size()).isLessThanOrEqualTo(100);
        }
        assertThat(c.remaining("old")).isZero();
        assertThat(c.remaining("k999")).isEqualTo(Duration.ofSeconds(1));
    }
}
