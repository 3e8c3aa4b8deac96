package dev.tandem.sync.core.internal.json;

import java.util.AbstractMap;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;

/**
 * An immutable op map (of a {@code NetworkDiff} or {@code ObjectDiff}) handed over by core code that built it
 * and gives it up, so the diff constructors need not copy it again. Keys and values are non-null by
 * contract of the code that adopts it.
 */
public final class FrozenOps<V> extends AbstractMap<String, V> {
    private final Map<String, V> view;

    private FrozenOps(LinkedHashMap<String, V> ops) {
        this.view = Collections.unmodifiableMap(ops);
    }

    /** Wraps {@code ops} without copying; the caller gives the map up and guarantees non-null entries. */
    public static <V> FrozenOps<V> adopt(LinkedHashMap<String, V> ops) {
        return new FrozenOps<>(ops);
    }

    @Override
    public Set<Entry<String, V>> entrySet() {
        return view.entrySet();
    }

    @Override
    public V get(Object key) {
        return view.get(key);
    }

    @Override
    public boolean containsKey(Object key) {
        return view.containsKey(key);
    }

    @Override
    public int size() {
        return view.size();
    }
}
