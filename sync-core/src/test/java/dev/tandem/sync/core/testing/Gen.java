package dev.tandem.sync.core.testing;

import java.util.Objects;
import java.util.function.Function;
import java.util.stream.Stream;

/**
 * A generator of random values for {@link Property} checks, with an optional shrinker that proposes
 * smaller values when a case fails.
 *
 * <pre>{@code
 * Gen<String> ids = rand -> "shape:" + rand.nextInt(1000);
 * Gen<String> shrinking = ids.withShrinker(id -> id.equals("shape:0") ? Stream.empty() : Stream.of("shape:0"));
 * }</pre>
 *
 * <p>Implementations keep no state of their own: all randomness comes from the {@link Rand} passed in,
 * so the same seed gives the same values and a generator may be shared between threads.
 *
 * @param <T> the type of generated values
 */
@FunctionalInterface
public interface Gen<T> {

    /** Returns a new random value drawn from {@code rand}. */
    T next(Rand rand);

    /**
     * Returns candidate values smaller than {@code value}, the most aggressive first; empty when there is
     * nothing smaller. Candidates should be strictly smaller, so greedy shrinking ends. The default has none.
     */
    default Stream<T> shrink(T value) {
        return Stream.empty();
    }

    /** Returns a generator of the same values that shrinks with {@code shrinker}. */
    default Gen<T> withShrinker(Function<? super T, ? extends Stream<? extends T>> shrinker) {
        Objects.requireNonNull(shrinker, "shrinker");
        Gen<T> self = this;
        return new Gen<>() {
            @Override
            public T next(Rand rand) {
                return self.next(rand);
            }

            @Override
            public Stream<T> shrink(T value) {
                return shrinker.apply(value).map(v -> v);
            }
        };
    }

    /** Returns a generator of {@code mapper} applied to this generator's values; it does not shrink. */
    default <R> Gen<R> map(Function<? super T, ? extends R> mapper) {
        Objects.requireNonNull(mapper, "mapper");
        return rand -> mapper.apply(next(rand));
    }
}
