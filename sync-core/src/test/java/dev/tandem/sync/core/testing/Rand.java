package dev.tandem.sync.core.testing;

import java.util.List;
import java.util.SplittableRandom;

/**
 * The randomness one generated case draws from: a seeded {@link SplittableRandom} plus a size hint that
 * grows over a property run, so early cases are small and later ones larger.
 *
 * <p>Deterministic: the same seed and size give the same sequence. Not thread-safe; each case gets its own.
 */
public final class Rand {
    /** The largest {@link #size()}. */
    public static final int MAX_SIZE = 100;

    private final SplittableRandom random;
    private final int size;

    /** Creates a source for one case; {@code size} is clamped to {@code [1, MAX_SIZE]}. */
    public Rand(long seed, int size) {
        this.random = new SplittableRandom(seed);
        this.size = Math.max(1, Math.min(MAX_SIZE, size));
    }

    /** Returns the size hint, from 1 (smallest cases) to {@link #MAX_SIZE}. */
    public int size() {
        return size;
    }

    /** Returns a uniform int in {@code [0, bound)}. */
    public int nextInt(int bound) {
        return random.nextInt(bound);
    }

    /** Returns a uniform int in {@code [origin, bound)}. */
    public int nextInt(int origin, int bound) {
        return random.nextInt(origin, bound);
    }

    /** Returns a uniform long. */
    public long nextLong() {
        return random.nextLong();
    }

    /** Returns a uniform long in {@code [origin, bound)}. */
    public long nextLong(long origin, long bound) {
        return random.nextLong(origin, bound);
    }

    /** Returns a uniform double in {@code [0, 1)}. */
    public double nextDouble() {
        return random.nextDouble();
    }

    /** Returns a uniform boolean. */
    public boolean nextBoolean() {
        return random.nextBoolean();
    }

    /** Returns true with probability {@code p}. */
    public boolean chance(double p) {
        return random.nextDouble() < p;
    }

    /** Returns a length in {@code [0, max]}, scaled down by the size hint: small cases get short lengths. */
    public int length(int max) {
        return random.nextInt(0, 1 + (max * size + MAX_SIZE - 1) / MAX_SIZE);
    }

    /** Returns a uniformly chosen element of a non-empty list. */
    public <T> T pick(List<T> choices) {
        return choices.get(random.nextInt(choices.size()));
    }
}
