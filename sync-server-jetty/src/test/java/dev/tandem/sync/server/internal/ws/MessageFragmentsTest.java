package dev.tandem.sync.server.internal.ws;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.server.internal.budget.ByteBudget;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

class MessageFragmentsTest {
    private final ByteBudget budget = new ByteBudget("maxChunkBytes", 1000);
    private final MessageFragments fragments = new MessageFragments(300, budget);

    @Test
    void text_isJoinedOnceWhole_andGivesItsBudgetBack() {
        assertThat(fragments.addText("{\"type\":", 8, false)).isEqualTo(MessageFragments.Added.KEPT);
        assertThat(budget.used()).isEqualTo(16);
        assertThat(fragments.addText("\"ping\"}", 7, true)).isEqualTo(MessageFragments.Added.WHOLE);
        assertThat(budget.used()).isEqualTo(30);

        assertThat(fragments.joinText()).isEqualTo("{\"type\":\"ping\"}");
        assertThat(budget.used()).isZero();
        assertThat(fragments.isEmpty()).isTrue();
    }

    @Test
    void binary_splitInsideACharacter_decodesWhole() {
        byte[] utf8 = "{\"a\":\"Āé\"}".getBytes(StandardCharsets.UTF_8);
        int cut = 7; // inside the two bytes of Ā
        assertThat(fragments.addBinary(Arrays.copyOfRange(utf8, 0, cut), false)).isEqualTo(MessageFragments.Added.KEPT);
        assertThat(fragments.addBinary(Arrays.copyOfRange(utf8, cut, utf8.length), true))
                .isEqualTo(MessageFragments.Added.WHOLE);

        assertThat(fragments.joinBinary()).isEqualTo("{\"a\":\"Āé\"}");
        assertThat(budget.used()).isZero();
    }

    @Test
    void overTheMessageLimit_dropsEverything() {
        fragments.addText("x".repeat(200), 200, false);
        assertThat(fragments.addText("x".repeat(101), 101, true)).isEqualTo(MessageFragments.Added.TOO_LARGE);
        assertThat(fragments.isEmpty()).isTrue();
        assertThat(budget.used()).isZero();
    }

    @Test
    void pastTheNodeBudget_dropsEverything_andLeavesOthersTheirShare() {
        assertThat(budget.tryAcquire(700)).isTrue(); // another connection's
        fragments.addText("x".repeat(100), 100, false);
        assertThat(fragments.addText("x".repeat(100), 100, false)).isEqualTo(MessageFragments.Added.BUDGET_SPENT);
        assertThat(fragments.isEmpty()).isTrue();
        assertThat(budget.used()).isEqualTo(700);
    }

    @Test
    void clear_givesTheBudgetBack() {
        fragments.addText("x".repeat(100), 100, false);
        fragments.clear();
        assertThat(budget.used()).isZero();
        assertThat(fragments.addText("{}", 2, true)).isEqualTo(MessageFragments.Added.WHOLE);
        assertThat(fragments.joinText()).isEqualTo("{}");
    }
}
