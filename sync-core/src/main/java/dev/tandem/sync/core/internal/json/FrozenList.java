package dev.tandem.sync.core.internal.json;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.RandomAccess;
import org.jspecify.annotations.Nullable;

/**
 * An immutable JSON array whose elements are already frozen (see {@link Frozen}). Only {@link Frozen}
 * creates instances.
 */
public final class FrozenList extends AbstractList<@Nullable Object> implements RandomAccess {
    static final FrozenList EMPTY = new FrozenList(new ArrayList<>());

    private final ArrayList<@Nullable Object> list;

    /** Takes ownership of {@code list}; its elements must be frozen and nobody else may hold it. */
    FrozenList(ArrayList<@Nullable Object> list) {
        this.list = list;
    }

    @Override
    public @Nullable Object get(int index) {
        return list.get(index);
    }

    @Override
    public int size() {
        return list.size();
    }

    /** Returns a mutable shallow copy, for building a changed version of this list. */
    public ArrayList<@Nullable Object> mutableCopy() {
        return new ArrayList<>(list);
    }
}
