package dev.tandem.sync.core.internal.json;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Objects;
import java.util.RandomAccess;
import org.jspecify.annotations.Nullable;

/**
 * An immutable JSON array whose elements are already frozen (see {@link Frozen}), held in one exactly sized
 * array. Only {@link Frozen} creates instances.
 */
public final class FrozenList extends AbstractList<@Nullable Object> implements RandomAccess {
    static final FrozenList EMPTY = new FrozenList(new Object[0]);

    private final @Nullable Object[] items;

    /** Takes ownership of {@code items}; its elements must be frozen and nobody else may hold it. */
    private FrozenList(@Nullable Object[] items) {
        this.items = items;
    }

    /** Copies the elements of {@code list}, which must be frozen. */
    static FrozenList copyOf(ArrayList<@Nullable Object> list) {
        return list.isEmpty() ? EMPTY : new FrozenList(list.toArray());
    }

    @Override
    public @Nullable Object get(int index) {
        Objects.checkIndex(index, items.length);
        return items[index];
    }

    @Override
    public int size() {
        return items.length;
    }

    @Override
    public @Nullable Object[] toArray() {
        return Arrays.copyOf(items, items.length);
    }

    /** Returns a mutable shallow copy, for building a changed version of this list. */
    public ArrayList<@Nullable Object> mutableCopy() {
        return new ArrayList<>(Arrays.asList(items));
    }
}
