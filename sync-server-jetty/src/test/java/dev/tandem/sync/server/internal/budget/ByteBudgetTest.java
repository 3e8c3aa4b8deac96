package dev.tandem.sync.server.internal.budget;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class ByteBudgetTest {

    @Test
    void tryAcquire_pastTheMax_isRefusedUntilReleased() {
        ByteBudget budget = new ByteBudget("maxChunkBytes", 100);

        assertThat(budget.tryAcquire(60)).isTrue();
        assertThat(budget.tryAcquire(41)).isFalse();
        assertThat(budget.tryAcquire(40)).isTrue();
        assertThat(budget.used()).isEqualTo(100);
        budget.release(60);
        assertThat(budget.tryAcquire(41)).isTrue();
        assertThat(budget.used()).isEqualTo(81);
    }

    @Test
    void tryAcquire_largerThanTheWholeBudget_isRefusedEvenWhenIdle() {
        ByteBudget budget = new ByteBudget("maxQueuedBytes", 100);

        assertThat(budget.tryAcquire(101)).isFalse();
        assertThat(budget.used()).isZero();
    }

    @Test
    void forceAcquire_goesPastTheMax_andBlocksOthers() {
        ByteBudget budget = new ByteBudget("maxQueuedBytes", 100);
        budget.forceAcquire(150);

        assertThat(budget.used()).isEqualTo(150);
        assertThat(budget.tryAcquire(1)).isFalse();
    }

    @Test
    void constructor_badValues_nameThem() {
        assertThatThrownBy(() -> new ByteBudget("maxChunkBytes", 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxChunkBytes must be > 0 but was 0");
        assertThatThrownBy(() -> new ByteBudget("x", 1).tryAcquire(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("bytes must be >= 0 but was -1");
    }
}
