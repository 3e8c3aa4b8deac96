package dev.tandem.sync.core.internal.json;

import java.util.Collection;
import java.util.Map;
import java.util.Set;
import java.util.function.BiConsumer;
import org.jspecify.annotations.Nullable;

/**
 * A stored record, held either as its {@link FrozenMap} tree (while it is being worked on) or as compact
 * encoded bytes ({@link CompactCodec}: values only, keys and common strings by dictionary code), which take
 * a fifth or less of the tree's heap. {@link #compact()} turns the tree into bytes; {@link #tree()} returns the
 * tree, decoding the bytes (without keeping the result) when compact. Either way it is the same immutable
 * value: a read-only {@link Map} equal to its tree, written as the same JSON text ({@link #appendJson} writes
 * it straight from the bytes).
 *
 * <p>The record's own {@code id} is not repeated in the bytes: it is the string the record is kept under, held
 * once.
 *
 * <p>Thread-safe: the value never changes, only its form, which is published safely; a reader on another
 * thread sees either form. Holders (a room, the in-memory store) share one instance.
 */
public final class CompactRecord implements Map<String, @Nullable Object> {
    private final @Nullable String id;

    /** The {@link JsonSize} estimate of the record's JSON text (an int takes no room beside the fields). */
    private final int jsonSize;

    /** The {@link FrozenMap} tree, or its encoded bytes. */
    private volatile Object form;

    private CompactRecord(@Nullable String id, int jsonSize, Object form) {
        this.id = id;
        this.jsonSize = jsonSize;
        this.form = form;
    }

    /** Returns a record holding {@code tree} as is, until {@link #compact()}. */
    public static CompactRecord of(FrozenMap tree) {
        return of(tree, JsonSize.of(tree));
    }

    /** Returns a record holding {@code tree} as is, whose {@link JsonSize} is already known. */
    public static CompactRecord of(FrozenMap tree, long jsonSize) {
        return new CompactRecord(
                tree.get("id") instanceof String s ? s : null, (int) Math.min(Integer.MAX_VALUE, jsonSize), tree);
    }

    /** Returns a record holding {@code tree} compact from the start. */
    public static CompactRecord compacted(FrozenMap tree) {
        CompactRecord r = of(tree);
        r.compact();
        return r;
    }

    /** Returns the {@link JsonSize} estimate of the record's JSON text. */
    public long jsonSize() {
        return jsonSize;
    }

    /** Returns the record's {@code id}, or null if it has no string id. */
    public @Nullable String id() {
        return id;
    }

    /** Returns true if the record is held as bytes. */
    public boolean isCompact() {
        return form instanceof byte[];
    }

    /** Returns how many bytes the compact form takes, or -1 while the record is held as a tree. */
    public int compactBytes() {
        return form instanceof byte[] b ? b.length : -1;
    }

    /** Holds the record as bytes from now on (does nothing if it already is). */
    public void compact() {
        if (form instanceof FrozenMap tree) {
            form = CompactCodec.encode(tree, id, CompactDictionary.SHARED);
        }
    }

    /** Returns the record's tree: the one held, or a fresh decoding of the bytes. */
    public FrozenMap tree() {
        Object f = form;
        return f instanceof FrozenMap tree ? tree : CompactCodec.decode((byte[]) f, id, CompactDictionary.SHARED);
    }

    /**
     * Holds the record as a tree again, for a record about to be read and written often; returns the tree.
     * Only the record's owner calls it.
     */
    public FrozenMap expand() {
        Object f = form;
        if (f instanceof FrozenMap tree) {
            return tree;
        }
        FrozenMap tree = CompactCodec.decode((byte[]) f, id, CompactDictionary.SHARED);
        form = tree;
        return tree;
    }

    /** Appends the record's JSON text, exactly as {@link JsonWriter} writes its tree. */
    public void appendJson(StringBuilder out) {
        Object f = form;
        if (f instanceof byte[] bytes) {
            CompactCodec.writeJson(bytes, id, CompactDictionary.SHARED, out);
        } else {
            new JsonWriter(out).value(f);
        }
    }

    @Override
    public int size() {
        return tree().size();
    }

    @Override
    public boolean isEmpty() {
        return tree().isEmpty();
    }

    @Override
    public boolean containsKey(Object key) {
        return tree().containsKey(key);
    }

    @Override
    public boolean containsValue(Object value) {
        return tree().containsValue(value);
    }

    @Override
    public @Nullable Object get(Object key) {
        return tree().get(key);
    }

    @Override
    public Set<String> keySet() {
        return tree().keySet();
    }

    @Override
    public Collection<@Nullable Object> values() {
        return tree().values();
    }

    @Override
    public Set<Entry<String, @Nullable Object>> entrySet() {
        return tree().entrySet();
    }

    @Override
    public void forEach(BiConsumer<? super String, ? super @Nullable Object> action) {
        tree().forEach(action);
    }

    @Override
    public boolean equals(@Nullable Object o) {
        return o == this || tree().equals(o instanceof CompactRecord c ? c.tree() : o);
    }

    @Override
    public int hashCode() {
        return tree().hashCode();
    }

    @Override
    public String toString() {
        return tree().toString();
    }

    @Override
    public @Nullable Object put(String key, @Nullable Object value) {
        throw new UnsupportedOperationException("a CompactRecord is immutable");
    }

    @Override
    public @Nullable Object remove(Object key) {
        throw new UnsupportedOperationException("a CompactRecord is immutable");
    }

    @Override
    public void putAll(Map<? extends String, ? extends @Nullable Object> m) {
        throw new UnsupportedOperationException("a CompactRecord is immutable");
    }

    @Override
    public void clear() {
        throw new UnsupportedOperationException("a CompactRecord is immutable");
    }
}
