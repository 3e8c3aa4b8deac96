package dev.tandem.sync.core.testing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.catchThrowableOfType;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class PropertyTest {

    @Test
    void check_holdingProperty_runsEveryCase() {
        AtomicInteger runs = new AtomicInteger();

        Property.check("always holds", 1234, JsonGen.values(), value -> runs.incrementAndGet());

        assertThat(runs).hasValue(1234);
    }

    @Test
    void check_failingProperty_reportsSeedCaseAndRerunHint() {
        AssertionError error = catchThrowableOfType(
                AssertionError.class,
                () -> Property.check(
                        "no x", 42L, 500, JsonGen.strings(), s -> assertThat(s).doesNotContain("x")));

        assertThat(error.getMessage())
                .startsWith("Property 'no x' failed on case ")
                .contains("of 500 (seed 42)")
                .contains("Original failing case:")
                .contains("Smallest failing case (")
                .contains("Failure: java.lang.AssertionError")
                .endsWith("Re-run with -Dtandem.seed=42");
        assertThat(error.getCause()).isInstanceOf(AssertionError.class);
    }

    @Test
    void check_failingStringProperty_shrinksToSmallestString() {
        AssertionError error = catchThrowableOfType(
                AssertionError.class,
                () -> Property.check(
                        "no x", 7L, 500, JsonGen.strings(), s -> assertThat(s).doesNotContain("x")));

        assertThat(error.getMessage()).contains("shrink steps").contains(":\n  \"x\"\n");
    }

    @Test
    void check_failingObjectProperty_shrinksToThreeNullValuedKeys() {
        AssertionError error = catchThrowableOfType(
                AssertionError.class,
                () -> Property.check(
                        "fewer than 3 keys", 3L, 2000, JsonGen.objects(3), Property.holds(m -> m.size() < 3)));

        String smallest =
                error.getMessage().split("Smallest failing case[^\n]*\n  ")[1].split("\n")[0];
        String key = "\"(?:[^\"\\\\]|\\\\.)*\"";
        assertThat(smallest).matches("\\{" + key + ":null," + key + ":null," + key + ":null}");
        assertThat(error.getMessage()).contains("Failure: java.lang.AssertionError: predicate was false");
    }

    @Test
    void check_failingPairProperty_shrinksBothRecordsTogether() {
        AssertionError error = catchThrowableOfType(
                AssertionError.class,
                () -> Property.check(
                        "x never changes",
                        11L,
                        2000,
                        RecordGen.relatedPairs(),
                        pair -> assertThat(pair.next().get("x"))
                                .isEqualTo(pair.prev().get("x"))));

        String smallest =
                error.getMessage().split("Smallest failing case[^\n]*\n  ")[1].split("\n")[0];
        assertThat(smallest).matches("\\{prev: \\{(\"x\":[^,{}]+)?}, next: \\{(\"x\":[^,{}]+)?}}");
    }

    @Test
    void check_sameSeed_generatesSameCasesAndSameReport() {
        List<Object> first = new ArrayList<>();
        List<Object> second = new ArrayList<>();
        Property.check("record", 99L, 300, RecordGen.relatedPairs(), first::add);
        Property.check("record", 99L, 300, RecordGen.relatedPairs(), second::add);
        Property.Check<Map<String, Object>> failing = m -> assertThat(m).doesNotContainKey("meta");

        String report1 = catchThrowableOfType(
                        AssertionError.class, () -> Property.check("p", 5L, 100, RecordGen.records(), failing))
                .getMessage();
        String report2 = catchThrowableOfType(
                        AssertionError.class, () -> Property.check("p", 5L, 100, RecordGen.records(), failing))
                .getMessage();

        assertThat(first).hasSize(300).isEqualTo(second);
        assertThat(report1).isEqualTo(report2);
    }

    @Test
    void check_withoutSeed_usesSeedSystemProperty() {
        String saved = System.getProperty(Property.SEED_PROPERTY);
        System.setProperty(Property.SEED_PROPERTY, "12345");
        try {
            assertThatThrownBy(() -> Property.check("fails", 10, JsonGen.values(), v -> {
                        throw new IllegalStateException("planted");
                    }))
                    .isInstanceOf(AssertionError.class)
                    .hasMessageContaining("(seed 12345)")
                    .hasMessageContaining("Failure: java.lang.IllegalStateException: planted")
                    .hasMessageEndingWith("Re-run with -Dtandem.seed=12345");
        } finally {
            if (saved == null) {
                System.clearProperty(Property.SEED_PROPERTY);
            } else {
                System.setProperty(Property.SEED_PROPERTY, saved);
            }
        }
    }

    @Test
    void check_badSeedSystemProperty_throwsNamingIt() {
        String saved = System.getProperty(Property.SEED_PROPERTY);
        System.setProperty(Property.SEED_PROPERTY, "abc");
        try {
            assertThatThrownBy(() -> Property.check("any", 1, JsonGen.values(), v -> {}))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("tandem.seed must be a long but was abc");
        } finally {
            if (saved == null) {
                System.clearProperty(Property.SEED_PROPERTY);
            } else {
                System.setProperty(Property.SEED_PROPERTY, saved);
            }
        }
    }

    @Test
    void check_throwingGenerator_reportsSeed() {
        Gen<String> broken = rand -> {
            throw new IllegalStateException("boom");
        };

        assertThatThrownBy(() -> Property.check("gen", 8L, 10, broken, s -> {}))
                .isInstanceOf(AssertionError.class)
                .hasMessage("Property 'gen' failed on case 0 of 10 (seed 8): the generator threw\n"
                        + "Re-run with -Dtandem.seed=8")
                .hasCauseInstanceOf(IllegalStateException.class);
    }

    @Test
    void check_throwingShrinker_stillReportsOriginalCase() {
        Gen<Long> five = rand -> 5L;
        Gen<Long> gen = five.withShrinker(v -> {
            throw new IllegalStateException("bad shrinker");
        });

        assertThatThrownBy(() -> Property.check("shrinker", 1L, 3, gen, Property.holds(v -> v < 5)))
                .isInstanceOf(AssertionError.class)
                .hasMessageContaining("Smallest failing case (0 shrink steps, 0 candidates tried):\n  5")
                .hasMessageContaining("shrinking stopped: the shrinker threw java.lang.IllegalStateException");
    }

    @Test
    void check_nonPositiveCases_throws() {
        assertThatThrownBy(() -> Property.check("none", 1L, 0, JsonGen.values(), v -> {}))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("cases must be > 0 but was 0");
    }

    @Test
    void map_appliesFunctionAndDropsShrinking() {
        Gen<String> lengths = JsonGen.strings().map(s -> "len" + s.length());

        assertThat(lengths.next(new Rand(1, 50))).startsWith("len");
        assertThat(lengths.shrink("len3")).isEmpty();
    }

    @Test
    void withShrinker_replacesShrinkCandidates() {
        Gen<Integer> ten = rand -> 10;
        Gen<Integer> gen = ten.withShrinker(v -> v > 0 ? Stream.of(v - 1) : Stream.empty());

        assertThat(gen.shrink(3)).containsExactly(2);
        assertThat(gen.shrink(0)).isEmpty();
    }

    @Test
    void rand_sameSeedAndSize_givesSameSequence() {
        Rand a = new Rand(77, 40);
        Rand b = new Rand(77, 40);

        for (int i = 0; i < 100; i++) {
            assertThat(a.nextLong()).isEqualTo(b.nextLong());
            assertThat(a.length(10)).isEqualTo(b.length(10)).isBetween(0, 4);
        }
        assertThat(new Rand(1, 0).size()).isEqualTo(1);
        assertThat(new Rand(1, 1000).size()).isEqualTo(Rand.MAX_SIZE);
    }
}
