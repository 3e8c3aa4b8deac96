package dev.tandem.sync.core.testing;

import java.util.Iterator;
import java.util.Objects;
import java.util.SplittableRandom;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.Predicate;
import org.jspecify.annotations.Nullable;

/**
 * A small seeded property runner: checks a property against many generated cases, and on failure shrinks
 * the case and throws an {@link AssertionError} naming the seed that reproduces it.
 *
 * <pre>{@code
 * Property.check("diff then apply gives next", 2000, RecordGen.relatedPairs(), pair -> {
 *     ObjectDiff diff = ObjectDiff.diffRecord(pair.prev(), pair.next());
 *     assertThat(diff == null ? pair.prev() : diff.apply(pair.prev())).isEqualTo(pair.next());
 * });
 * }</pre>
 *
 * <p>The seed is the explicit one when given, else the system property {@value #SEED_PROPERTY}, else
 * random. Case {@code i} is drawn from a {@link Rand} seeded by the {@code i}-th long of a {@link
 * SplittableRandom} over the run's seed, with a size hint growing from 1 to {@link Rand#MAX_SIZE}, so a
 * run is fully determined by its seed and case count. A case fails when the property throws (a virtual
 * machine error other than {@link StackOverflowError} is rethrown at once). The failing case is then
 * shrunk greedily: the first of the generator's shrink candidates that still fails replaces it, until none
 * fails or {@value #MAX_SHRINK_ATTEMPTS} candidates have been tried.
 *
 * <p>Stateless and thread-safe; properties run on the calling thread.
 */
public final class Property {
    /** The system property that fixes the seed of every run without an explicit seed. */
    public static final String SEED_PROPERTY = "tandem.seed";

    /** The most shrink candidates tried for one failure. */
    public static final int MAX_SHRINK_ATTEMPTS = 2000;

    private static final int MAX_SHOWN_ORIGINAL = 4000;

    private Property() {}

    /** A property of one value: it holds when {@link #verify} returns, and fails when it throws. */
    @FunctionalInterface
    public interface Check<T> {
        /** Throws (typically an {@link AssertionError}) when the property does not hold for {@code value}. */
        void verify(T value) throws Exception;
    }

    /** Returns a check that fails with an {@link AssertionError} when {@code predicate} is false. */
    public static <T> Check<T> holds(Predicate<? super T> predicate) {
        Objects.requireNonNull(predicate, "predicate");
        return value -> {
            if (!predicate.test(value)) {
                throw new AssertionError("predicate was false");
            }
        };
    }

    /**
     * Checks {@code property} against {@code cases} generated values, seeded from {@value #SEED_PROPERTY}
     * or at random.
     *
     * @throws AssertionError if a case fails, naming the seed, the case, and the smallest failing value
     */
    public static <T> void check(String name, int cases, Gen<T> gen, Check<? super T> property) {
        check(name, seed(), cases, gen, property);
    }

    /**
     * Checks {@code property} against {@code cases} values generated from {@code seed}.
     *
     * @throws AssertionError if a case fails, naming the seed, the case, and the smallest failing value
     */
    public static <T> void check(String name, long seed, int cases, Gen<T> gen, Check<? super T> property) {
        Objects.requireNonNull(name, "name");
        Objects.requireNonNull(gen, "gen");
        Objects.requireNonNull(property, "property");
        if (cases <= 0) {
            throw new IllegalArgumentException("cases must be > 0 but was " + cases);
        }
        SplittableRandom seeds = new SplittableRandom(seed);
        for (int i = 0; i < cases; i++) {
            int size = 1 + (int) ((long) i * (Rand.MAX_SIZE - 1) / Math.max(1, cases - 1));
            Rand rand = new Rand(seeds.nextLong(), size);
            T value;
            try {
                value = gen.next(rand);
            } catch (RuntimeException | Error e) {
                throw new AssertionError(header(name, seed, i, cases) + "the generator threw" + rerun(seed), e);
            }
            Throwable failure = run(property, value);
            if (failure != null) {
                throw shrinkAndReport(name, seed, i, cases, gen, property, value, failure);
            }
        }
    }

    /** Returns the seed of a run without an explicit one. */
    static long seed() {
        String fixed = System.getProperty(SEED_PROPERTY);
        if (fixed == null || fixed.isBlank()) {
            return ThreadLocalRandom.current().nextLong();
        }
        try {
            return Long.parseLong(fixed.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(SEED_PROPERTY + " must be a long but was " + fixed, e);
        }
    }

    private static <T> AssertionError shrinkAndReport(
            String name,
            long seed,
            int index,
            int cases,
            Gen<T> gen,
            Check<? super T> property,
            T original,
            Throwable originalFailure) {
        T smallest = original;
        Throwable smallestFailure = originalFailure;
        int steps = 0;
        int attempts = 0;
        String shrinkProblem = "";
        try {
            boolean improved = true;
            while (improved && attempts < MAX_SHRINK_ATTEMPTS) {
                improved = false;
                Iterator<T> candidates = gen.shrink(smallest).iterator();
                while (candidates.hasNext() && attempts < MAX_SHRINK_ATTEMPTS) {
                    T candidate = candidates.next();
                    attempts++;
                    Throwable failure = run(property, candidate);
                    if (failure != null) {
                        smallest = candidate;
                        smallestFailure = failure;
                        steps++;
                        improved = true;
                        break;
                    }
                }
            }
        } catch (RuntimeException e) {
            shrinkProblem = "\n(shrinking stopped: the shrinker threw " + e + ")";
        }
        String message = header(name, seed, index, cases)
                + "\nOriginal failing case:\n  " + Show.truncated(original, MAX_SHOWN_ORIGINAL)
                + "\nSmallest failing case (" + steps + " shrink steps, " + attempts + " candidates tried):\n  "
                + Show.value(smallest)
                + "\nFailure: " + smallestFailure
                + shrinkProblem
                + rerun(seed);
        AssertionError error = new AssertionError(message, smallestFailure);
        if (smallestFailure != originalFailure) {
            error.addSuppressed(originalFailure);
        }
        return error;
    }

    private static String header(String name, long seed, int index, int cases) {
        return "Property '" + name + "' failed on case " + index + " of " + cases + " (seed " + seed + "): ";
    }

    private static String rerun(long seed) {
        return "\nRe-run with -D" + SEED_PROPERTY + "=" + seed;
    }

    /** Runs the property; returns what it threw, or null when it held. */
    private static <T> @Nullable Throwable run(Check<? super T> property, T value) {
        try {
            property.verify(value);
            return null;
        } catch (StackOverflowError e) {
            return e;
        } catch (VirtualMachineError e) {
            throw e;
        } catch (Throwable e) {
            return e;
        }
    }

    /**
     * Checks {@code property} against {@code cases} values made by a generator written against {@link
     * java.util.Random}; each case gets its own {@code Random} seeded from the run's seed. Such values do not
     * shrink; the failure names the seed and the failing value.
     */
    public static <T> void forAll(
            int cases, java.util.function.Function<java.util.Random, T> generator, Check<? super T> property) {
        Gen<T> gen = rand -> generator.apply(new java.util.Random(rand.nextLong()));
        check(callerName(), cases, gen, property);
    }

    private static String callerName() {
        return StackWalker.getInstance()
                .walk(frames -> frames.skip(2)
                        .findFirst()
                        .map(f -> f.getClassName().replaceAll(".*\\.", "") + "." + f.getMethodName()))
                .orElse("property");
    }
}
