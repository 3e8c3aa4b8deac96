package dev.tandem.sync.core.internal.json;

import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Arrays;
import java.util.Collection;
import java.util.Collections;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.NoSuchElementException;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * An immutable JSON object whose values are already frozen (see {@link Frozen}). Keeps insertion order.
 * Only {@link Frozen} creates instances, so holding one proves the whole tree is immutable.
 *
 * <p>Compact layout, as JavaScript engines keep objects: the keys live in a {@link Shape} shared by every
 * object with the same keys in the same order (all geo shapes' {@code props}, all records' top level), the
 * object keeps only an exactly sized array of its values, and keys and short strings come from a shared
 * cache ({@link Names}). A small object is searched linearly; only a large shape carries a hash index. A
 * record's tree thus costs well under half the heap of a tree of {@code LinkedHashMap}s.
 */
public final class FrozenMap implements Map<String, @Nullable Object> {
    static final FrozenMap EMPTY = new FrozenMap(Shape.EMPTY, new Object[0]);

    /** The keys, shared with every object of the same keys in the same order. */
    private final Shape shape;

    /** The values, by the position of their key in {@link #shape}. */
    private final @Nullable Object[] values;

    private int hash;

    private FrozenMap(Shape shape, @Nullable Object[] values) {
        this.shape = shape;
        this.values = values;
    }

    /**
     * Takes ownership of {@code kv}, an exactly sized array of distinct keys and their frozen values,
     * alternating ({@code k0, v0, k1, v1, …}).
     */
    static FrozenMap ofArray(@Nullable Object[] kv) {
        int size = kv.length >> 1;
        if (size == 0) {
            return EMPTY;
        }
        String[] keys = new String[size];
        @Nullable Object[] values = new Object[size];
        for (int i = 0; i < size; i++) {
            keys[i] = (String) Objects.requireNonNull(kv[i << 1]);
            values[i] = kv[(i << 1) + 1];
        }
        return new FrozenMap(Shape.of(keys), values);
    }

    /** Copies a map whose values are already frozen, keeping its order. */
    static FrozenMap copyOf(Map<String, @Nullable Object> frozenValues) {
        int size = frozenValues.size();
        if (size == 0) {
            return EMPTY;
        }
        String[] keys = new String[size];
        @Nullable Object[] values = new Object[size];
        int i = 0;
        for (Map.Entry<String, @Nullable Object> e : frozenValues.entrySet()) {
            keys[i] = Names.key(e.getKey());
            values[i++] = e.getValue();
        }
        return new FrozenMap(Shape.of(keys), values);
    }

    /** Takes ownership of {@code values}, one per key of {@code shape}, already frozen. */
    static FrozenMap of(Shape shape, @Nullable Object[] values) {
        return values.length == 0 ? EMPTY : new FrozenMap(shape, values);
    }

    Shape shape() {
        return shape;
    }

    /** Returns the key at {@code position} in insertion order. */
    public String keyAt(int position) {
        return shape.keys[position];
    }

    /** Returns the value at {@code position} in insertion order. */
    public @Nullable Object valueAt(int position) {
        return values[position];
    }

    /**
     * Returns what identifies this object's keys and their order: maps with the same layout (the same
     * instance) have the same keys at the same positions, so a caller may remember positions per layout.
     */
    public Object layout() {
        return shape;
    }

    /** Returns the position of {@code key}, or -1 if this map has no such key. */
    public int indexOf(String key) {
        return shape.find(key);
    }

    private int find(@Nullable Object key) {
        return shape.find(key);
    }

    @Override
    public Set<Entry<String, @Nullable Object>> entrySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<Entry<String, @Nullable Object>> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < values.length;
                    }

                    @Override
                    public Entry<String, @Nullable Object> next() {
                        if (next >= values.length) {
                            throw new NoSuchElementException();
                        }
                        int at = next++;
                        return new AbstractMap.SimpleImmutableEntry<>(shape.keys[at], values[at]);
                    }
                };
            }

            @Override
            public int size() {
                return values.length;
            }
        };
    }

    // Views are made on each call rather than cached in fields: a record's tree is walked (depth checks,
    // diffs) far less often than it sits in memory.
    @Override
    public Set<String> keySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<String> iterator() {
                return Arrays.asList(shape.keys).iterator();
            }

            @Override
            public int size() {
                return values.length;
            }

            @Override
            public boolean contains(@Nullable Object o) {
                return find(o) >= 0;
            }
        };
    }

    @Override
    public Collection<@Nullable Object> values() {
        return Collections.unmodifiableList(Arrays.asList(values));
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super @Nullable Object> action) {
        String[] k = shape.keys;
        for (int i = 0; i < k.length; i++) {
            action.accept(k[i], values[i]);
        }
    }

    @Override
    public @Nullable Object get(Object key) {
        int at = find(key);
        return at < 0 ? null : values[at];
    }

    @Override
    public boolean containsKey(Object key) {
        return find(key) >= 0;
    }

    @Override
    public boolean isEmpty() {
        return values.length == 0;
    }

    @Override
    public int size() {
        return values.length;
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            String[] k = shape.keys;
            for (int i = 0; i < k.length; i++) {
                h += k[i].hashCode() ^ Objects.hashCode(values[i]);
            }
            hash = h;
        }
        return h;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        if (o == this) {
            return true;
        }
        if (o instanceof CompactRecord c) {
            o = c.tree();
        }
        String[] k = shape.keys;
        if (o instanceof FrozenMap other) {
            if (other.size() != size() || other.hashCode() != hashCode()) {
                return false;
            }
            if (other.shape == shape) {
                return Arrays.equals(values, other.values);
            }
            for (int i = 0; i < k.length; i++) {
                int at = other.find(k[i]);
                if (at < 0 || !Objects.equals(values[i], other.values[at])) {
                    return false;
                }
            }
            return true;
        }
        if (!(o instanceof Map<?, ?> m) || m.size() != size()) {
            return false;
        }
        for (int i = 0; i < k.length; i++) {
            Object v = values[i];
            if (v == null ? m.get(k[i]) != null || !m.containsKey(k[i]) : !v.equals(m.get(k[i]))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean containsValue(@Nullable Object value) {
        for (Object v : values) {
            if (Objects.equals(value, v)) {
                return true;
            }
        }
        return false;
    }

    /** Returns the text {@code AbstractMap} would: {@code {key=value, …}}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        String[] k = shape.keys;
        for (int i = 0; i < k.length; i++) {
            if (i > 0) {
                b.append(", ");
            }
            b.append(k[i]).append('=').append(values[i]);
        }
        return b.append('}').toString();
    }

    @Override
    public @Nullable Object put(String key, @Nullable Object value) {
        throw new UnsupportedOperationException("a FrozenMap is immutable");
    }

    @Override
    public @Nullable Object remove(Object key) {
        throw new UnsupportedOperationException("a FrozenMap is immutable");
    }

    @Override
    public void putAll(Map<? extends String, ? extends @Nullable Object> m) {
        throw new UnsupportedOperationException("a FrozenMap is immutable");
    }

    @Override
    public void clear() {
        throw new UnsupportedOperationException("a FrozenMap is immutable");
    }

    /** Returns a mutable shallow copy, for building a changed version of this object. */
    public LinkedHashMap<String, @Nullable Object> mutableCopy() {
        LinkedHashMap<String, @Nullable Object> copy = new LinkedHashMap<>(Math.max(4, size() * 2));
        String[] k = shape.keys;
        for (int i = 0; i < k.length; i++) {
            copy.put(k[i], values[i]);
        }
        return copy;
    }
}
