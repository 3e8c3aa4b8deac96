package dev.tandem.sync.core.internal.json;

import java.util.AbstractCollection;
import java.util.AbstractMap;
import java.util.AbstractSet;
import java.util.Collection;
import java.util.HashMap;
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
 * <p>Compact layout: keys and values alternate in one exactly sized array ({@code k0, v0, k1, v1, …}), with
 * keys taken from a shared cache of common names ({@link Names}); a small object (most objects of a record)
 * is looked up by a linear scan, and only one with more than {@link #INDEXED_FROM} members also carries a
 * hash index. A record's tree thus costs about a third of the heap of a tree of {@code LinkedHashMap}s.
 */
public final class FrozenMap implements Map<String, @Nullable Object> {
    /** Objects with at least this many members get a hash index beside their array. */
    static final int INDEXED_FROM = 33;

    static final FrozenMap EMPTY = new FrozenMap(new Object[0], null);

    /** Keys at even, values at odd positions; keys distinct. */
    private final @Nullable Object[] kv;

    private final @Nullable HashMap<String, Integer> index;
    private int hash;

    private FrozenMap(@Nullable Object[] kv, @Nullable HashMap<String, Integer> index) {
        this.kv = kv;
        this.index = index;
    }

    /**
     * Takes ownership of {@code kv}, an exactly sized array of {@code count} distinct keys and their frozen
     * values, alternating; builds the index when the object is large.
     */
    static FrozenMap ofArray(@Nullable Object[] kv) {
        int size = kv.length >> 1;
        if (size == 0) {
            return EMPTY;
        }
        HashMap<String, Integer> index = null;
        if (size >= INDEXED_FROM) {
            index = new HashMap<>(size * 2);
            for (int i = 0; i < size; i++) {
                index.put((String) kv[i << 1], i);
            }
        }
        return new FrozenMap(kv, index);
    }

    /** Copies a map whose values are already frozen, keeping its order. */
    static FrozenMap copyOf(Map<String, @Nullable Object> frozenValues) {
        @Nullable Object[] kv = new Object[frozenValues.size() << 1];
        int i = 0;
        for (Map.Entry<String, @Nullable Object> e : frozenValues.entrySet()) {
            kv[i++] = Names.key(e.getKey());
            kv[i++] = e.getValue();
        }
        return ofArray(kv);
    }

    /** Returns the key at {@code position} in insertion order. */
    public String keyAt(int position) {
        Objects.checkIndex(position, size());
        return (String) Objects.requireNonNull(kv[position << 1]);
    }

    /** Returns the value at {@code position} in insertion order. */
    public @Nullable Object valueAt(int position) {
        Objects.checkIndex(position, size());
        return kv[(position << 1) + 1];
    }

    private int find(@Nullable Object key) {
        if (index != null) {
            Integer at = index.get(key);
            return at == null ? -1 : at;
        }
        @Nullable Object[] a = kv;
        for (int i = 0; i < a.length; i += 2) {
            if (a[i] == key) {
                return i >> 1;
            }
        }
        if (key == null) {
            return -1;
        }
        for (int i = 0; i < a.length; i += 2) {
            if (key.equals(a[i])) {
                return i >> 1;
            }
        }
        return -1;
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
                        return next < kv.length;
                    }

                    @Override
                    public Entry<String, @Nullable Object> next() {
                        if (next >= kv.length) {
                            throw new NoSuchElementException();
                        }
                        String k = (String) Objects.requireNonNull(kv[next]);
                        Object v = kv[next + 1];
                        next += 2;
                        return new AbstractMap.SimpleImmutableEntry<>(k, v);
                    }
                };
            }

            @Override
            public int size() {
                return kv.length >> 1;
            }
        };
    }

    // Views are made on each call rather than cached in AbstractMap's fields: a record's tree is walked
    // (depth checks, diffs) far less often than it sits in memory.
    @Override
    public Set<String> keySet() {
        return new AbstractSet<>() {
            @Override
            public Iterator<String> iterator() {
                return new Iterator<>() {
                    private int next;

                    @Override
                    public boolean hasNext() {
                        return next < kv.length;
                    }

                    @Override
                    public String next() {
                        if (next >= kv.length) {
                            throw new NoSuchElementException();
                        }
                        String k = (String) Objects.requireNonNull(kv[next]);
                        next += 2;
                        return k;
                    }
                };
            }

            @Override
            public int size() {
                return kv.length >> 1;
            }

            @Override
            public boolean contains(@Nullable Object o) {
                return find(o) >= 0;
            }
        };
    }

    @Override
    public Collection<@Nullable Object> values() {
        return new AbstractCollection<>() {
            @Override
            public Iterator<@Nullable Object> iterator() {
                return new Iterator<>() {
                    private int next = 1;

                    @Override
                    public boolean hasNext() {
                        return next < kv.length;
                    }

                    @Override
                    public @Nullable Object next() {
                        if (next >= kv.length) {
                            throw new NoSuchElementException();
                        }
                        Object v = kv[next];
                        next += 2;
                        return v;
                    }
                };
            }

            @Override
            public int size() {
                return kv.length >> 1;
            }
        };
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super @Nullable Object> action) {
        @Nullable Object[] a = kv;
        for (int i = 0; i < a.length; i += 2) {
            action.accept((String) a[i], a[i + 1]);
        }
    }

    @Override
    public @Nullable Object get(Object key) {
        int at = find(key);
        return at < 0 ? null : kv[(at << 1) + 1];
    }

    @Override
    public boolean containsKey(Object key) {
        return find(key) >= 0;
    }

    @Override
    public boolean isEmpty() {
        return kv.length == 0;
    }

    @Override
    public int size() {
        return kv.length >> 1;
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            @Nullable Object[] a = kv;
            for (int i = 0; i < a.length; i += 2) {
                h += Objects.requireNonNull(a[i]).hashCode() ^ Objects.hashCode(a[i + 1]);
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
        if (o instanceof FrozenMap other) {
            if (other.size() != size() || other.hashCode() != hashCode()) {
                return false;
            }
            @Nullable Object[] a = kv;
            for (int i = 0; i < a.length; i += 2) {
                int at = other.find(a[i]);
                if (at < 0 || !Objects.equals(a[i + 1], other.kv[(at << 1) + 1])) {
                    return false;
                }
            }
            return true;
        }
        if (!(o instanceof Map<?, ?> m) || m.size() != size()) {
            return false;
        }
        @Nullable Object[] a = kv;
        for (int i = 0; i < a.length; i += 2) {
            Object v = a[i + 1];
            if (v == null ? m.get(a[i]) != null || !m.containsKey(a[i]) : !v.equals(m.get(a[i]))) {
                return false;
            }
        }
        return true;
    }

    @Override
    public boolean containsValue(@Nullable Object value) {
        @Nullable Object[] a = kv;
        for (int i = 1; i < a.length; i += 2) {
            if (Objects.equals(value, a[i])) {
                return true;
            }
        }
        return false;
    }

    /** Returns the text {@code AbstractMap} would: {@code {key=value, …}}. */
    @Override
    public String toString() {
        StringBuilder b = new StringBuilder("{");
        @Nullable Object[] a = kv;
        for (int i = 0; i < a.length; i += 2) {
            if (i > 0) {
                b.append(", ");
            }
            b.append(a[i]).append('=').append(a[i + 1] == this ? "(this Map)" : a[i + 1]);
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
        @Nullable Object[] a = kv;
        for (int i = 0; i < a.length; i += 2) {
            copy.put((String) a[i], a[i + 1]);
        }
        return copy;
    }
}
