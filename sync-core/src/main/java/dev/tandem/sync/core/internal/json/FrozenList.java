package dev.tandem.sync.core.internal.json;

import java.util.AbstractList;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.Objects;
import java.util.RandomAccess;
import org.jspecify.annotations.Nullable;

/**
 * An immutable JSON array whose elements are already frozen (see {@link Frozen}), held in one exactly sized
 * array, or for a single element in a field. Only {@link Frozen} creates instances.
 */
public final class FrozenList extends AbstractList<@Nullable Object> implements RandomAccess {
    static final FrozenList EMPTY = new FrozenList(new Object[0], null);

    /** Marks a list of one element, held in {@link #single} without an array (rich-text paragraphs…). */
    private static final @Nullable Object[] ONE = new Object[1];

    private final @Nullable Object[] items;
    private final @Nullable Object single;

    private FrozenList(@Nullable Object[] items, @Nullable Object single) {
        this.items = items;
        this.single = single;
    }

    /** Copies the elements of {@code list}, which must be frozen. */
    static FrozenList copyOf(ArrayList<@Nullable Object> list) {
        return switch (list.size()) {
            case 0 -> EMPTY;
            case 1 -> new FrozenList(ONE, list.get(0));
            default -> new FrozenList(list.toArray(), null);
        };
    }

    /** Takes ownership of {@code items}, which must be frozen. */
    static FrozenList ofArray(@Nullable Object[] items) {
        return switch (items.length) {
            case 0 -> EMPTY;
            case 1 -> new FrozenList(ONE, items[0]);
            default -> new FrozenList(items, null);
        };
    }

    @Override
    public @Nullable Object get(int index) {
        Objects.checkIndex(index, items.length);
        return items == ONE ? single : items[index];
    }

    @Override
    public int size() {
        return items.length;
    }

    @Override
    public @Nullable Object[] toArray() {
        return items == ONE ? new Object[] {single} : Arrays.copyOf(items, items.length);
    }

    /** Returns a mutable shallow copy, for building a changed version of this list. */
    public ArrayList<@Nullable Object> mutableCopy() {
        return new ArrayList<>(Arrays.asList(toArray()));
    }
}
