package dev.tandem.sync.core.internal.json;

import java.util.Random;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * Runs a property over many seeded random cases and reports the seed and the failing input. The seed is
 * random per run unless {@code -Dtandem.seed=<n>} fixes it; each case {@code i} uses seed + i, so a failure
 * message is enough to re-run exactly that case.
 *
 * <p>Local to the codec tests until the shared property harness lands.
 */
public final class PropertyCheck {
    private PropertyCheck() {}

    /** Returns the base seed for this run. */
    public static long baseSeed() {
        Long fixed = Long.getLong("tandem.seed");
        return fixed != null ? fixed : ThreadLocalRandom.current().nextLong();
    }

    /** Checks {@code property} on {@code cases} inputs made by {@code generator}. */
    public static <T> void forAll(int cases, Function<Random, T> generator, Consumer<T> property) {
        long base = baseSeed();
        for (int i = 0; i < cases; i++) {
            long seed = base + i;
            T input = generator.apply(new Random(seed));
            try {
                property.accept(input);
            } catch (AssertionError | RuntimeException e) {
                throw new AssertionError(
                        "property failed for case " + i + " (re-run with -Dtandem.seed=" + seed + "), input: "
                                + describe(input),
                        e);
            }
        }
    }

    private static String describe(Object input) {
        String s;
        try {
            if (input instanceof String str) {
                s = JsonCodec.stringify(str);
            } else if (input instanceof Object[] array) {
                s = java.util.Arrays.deepToString(array);
            } else {
                s = String.valueOf(input);
            }
        } catch (RuntimeException e) {
            s = String.valueOf(input);
        }
        return s.length() > 2000 ? s.substring(0, 2000) + "…(" + s.length() + " chars)" : s;
    }
}
