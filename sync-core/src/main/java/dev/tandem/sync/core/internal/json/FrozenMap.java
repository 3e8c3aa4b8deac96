package dev.tandem.sync.core.internal.json;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * An immutable JSON object whose values are already frozen (see {@link Frozen}). Keeps insertion order.
 * Only {@link Frozen} creates instances, so holding one proves the whole tree is immutable.
 */
public final class FrozenMap extends AbstractMap<String, @Nullable Object> {
    static final FrozenMap EMPTY = new FrozenMap(new LinkedHashMap<>());

    private final LinkedHashMap<String, @Nullable Object> map;
    private final Map<String, @Nullable Object> view;
    private int hash;

    /** Takes ownership of {@code map}; its values must be frozen and nobody else may hold it. */
    FrozenMap(LinkedHashMap<String, @Nullable Object> map) {
        this.map = map;
        this.view = Collections.unmodifiableMap(map);
    }

    @Override
    public Set<Entry<String, @Nullable Object>> entrySet() {
        return view.entrySet();
    }

    @Override
    public Set<String> keySet() {
        return view.keySet();
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super @Nullable Object> action) {
        map.forEach(action);
    }

    @Override
    public @Nullable Object get(Object key) {
        return map.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return map.containsKey(key);
    }

    @Override
    public int size() {
        return map.size();
    }

    @Override
    public int hashCode() {
        int h = hash;
        if (h == 0) {
            h = map.hashCode();
            hash = h;
        }
        return h;
    }

    @Override
    public boolean equals(@Nullable Object o) {
        if (o == this) {
            return true;
        }
        if (o instanceof FrozenMap other && other.hashCode() != hashCode()) {
            return false;
        }
        return super.equals(o);
    }

    /** Returns a mutable shallow copy, for building a changed version of this object. */
    public LinkedHashMap<String, @Nullable Object> mutableCopy() {
        return new LinkedHashMap<>(map);
    }

    static Map<String, @Nullable Object> wrap(LinkedHashMap<String, @Nullable Object> map) {
        return new FrozenMap(map);
    }
}
