package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.internal.json.CompactRecord;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.json.JsonSize;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * A room's document: records with the clock they last changed at, tombstones of deleted records, the
 * document clock and where the tombstone history starts. Confined to the room's lane.
 *
 * <p>Invariants: the clock advances at most once per committed transaction; every stored record's {@code
 * lastChangedClock} and every tombstone's clock are {@code <=} the clock; tombstones are kept in clock
 * order (oldest first).
 */
final class DocumentState {
    /** tldraw's {@code MAX_TOMBSTONES}. */
    static final int MAX_TOMBSTONES = 5000;
    /** tldraw's {@code TOMBSTONE_PRUNE_BUFFER_SIZE}. */
    static final int TOMBSTONE_PRUNE_BUFFER_SIZE = 1000;

    /**
     * How many recently written or read records stay expanded as trees ({@link CompactRecord#expand()}), so
     * records being dragged or typed into are neither decoded nor encoded on every push. Older ones are
     * compacted as newer ones come in.
     */
    static final int HOT_RECORDS = 512;

    /**
     * The stored records by id, each a {@link RoomSnapshot.Document} whose state is a {@link CompactRecord}: the
     * same objects go to the store and into snapshots (an in-memory store and its versions share them).
     */
    final HashMap<String, RoomSnapshot.Document> docs = new HashMap<>();
    /** Records held expanded, oldest first, at most {@link #HOT_RECORDS}; may hold superseded ones. */
    private final ArrayDeque<CompactRecord> hot = new ArrayDeque<>();

    final LinkedHashMap<String, Long> tombstones = new LinkedHashMap<>();
    long clock;
    long tombstoneHistoryStartsAtClock;
    /** The sum of every stored record's size. */
    long totalSize;

    /** Returns a stored document's record. */
    static CompactRecord record(RoomSnapshot.Document d) {
        return (CompactRecord) d.state();
    }

    /** Returns a stored document's tree (decoded afresh when compact; see {@link #get}). */
    static FrozenMap state(RoomSnapshot.Document d) {
        return record(d).tree();
    }

    /** Returns a stored document's estimated JSON size in characters. */
    static long size(RoomSnapshot.Document d) {
        return record(d).jsonSize();
    }

    /** Returns a document to store: {@code state} compact at once (it is loaded, not being worked on). */
    static RoomSnapshot.Document compacted(FrozenMap state, long lastChangedClock) {
        return new RoomSnapshot.Document(CompactRecord.compacted(state), lastChangedClock);
    }

    /** Loads a snapshot verbatim, applying tldraw's clock rules for in-memory storage. */
    static DocumentState fromSnapshot(RoomSnapshot snapshot) {
        DocumentState s = new DocumentState();
        long clock = Math.max(0, snapshot.documentClock());
        for (RoomSnapshot.Document d : snapshot.documents()) {
            String id;
            RoomSnapshot.Document doc;
            if (d.state() instanceof CompactRecord shared && shared.id() != null) {
                // a stored record (the in-memory store's) is shared as it is, not decoded: one copy for both
                id = shared.id();
                doc = d;
            } else {
                FrozenMap state = Frozen.freezeMap(d.state());
                if (!(state.get("id") instanceof String own)) {
                    throw new IllegalArgumentException("snapshot document without a string id: " + state);
                }
                id = own;
                doc = compacted(state, d.lastChangedClock());
            }
            RoomSnapshot.Document replaced = s.docs.put(id, doc);
            s.totalSize += size(doc) - (replaced == null ? 0 : size(replaced));
            clock = Math.max(clock, d.lastChangedClock());
        }
        List<Map.Entry<String, Long>> tombs =
                new ArrayList<>(snapshot.tombstones().entrySet());
        tombs.sort(Map.Entry.comparingByValue());
        for (Map.Entry<String, Long> t : tombs) {
            clock = Math.max(clock, t.getValue());
        }
        s.clock = clock;
        s.tombstoneHistoryStartsAtClock = Math.max(0, Math.min(snapshot.tombstoneHistoryStartsAtClock(), clock));
        if (s.tombstoneHistoryStartsAtClock != clock) {
            for (Map.Entry<String, Long> t : tombs) {
                if (!s.docs.containsKey(t.getKey())) {
                    s.tombstones.put(t.getKey(), t.getValue());
                }
            }
        }
        return s;
    }

    /** Returns true if any stored record has this {@code typeName}; walks the whole document. */
    boolean hasType(String typeName) {
        for (RoomSnapshot.Document d : docs.values()) {
            if (typeName.equals(state(d).get("typeName"))) {
                return true;
            }
        }
        return false;
    }

    /** Returns the document as a snapshot (without a schema). */
    RoomSnapshot toSnapshot(@Nullable Map<String, Object> schema) {
        compactHot(); // a snapshot may be kept (a version): it shares the room's records, compact
        List<RoomSnapshot.Document> documents = new ArrayList<>(docs.values());
        return new RoomSnapshot(clock, documents, tombstones, tombstoneHistoryStartsAtClock, schema);
    }

    /**
     * Returns the stored record's tree, expanding it for the next reads and writes (a record read by a push is
     * usually written by it, and by the next ones).
     */
    @Nullable
    FrozenMap get(String id) {
        RoomSnapshot.Document d = docs.get(id);
        if (d == null) {
            return null;
        }
        CompactRecord r = record(d);
        if (!r.isCompact()) {
            return r.tree();
        }
        FrozenMap tree = r.expand();
        keepHot(r);
        return tree;
    }

    /** Notes a record just expanded or written; compacts the oldest one beyond {@link #HOT_RECORDS}. */
    private void keepHot(CompactRecord r) {
        hot.addLast(r);
        if (hot.size() > HOT_RECORDS) {
            CompactRecord oldest = hot.pollFirst();
            RoomSnapshot.Document current = oldest.id() == null ? null : docs.get(oldest.id());
            if (current != null && current.state() == oldest) {
                oldest.compact();
            } // else superseded or deleted: held by no one who keeps it (snapshots compact first)
        }
    }

    /** Compacts every expanded record (before a snapshot is taken or the room unloads). */
    void compactHot() {
        for (CompactRecord r : hot) {
            r.compact();
        }
        hot.clear();
    }

    /** The changes a client at {@code sinceClock} is missing. */
    record ChangesSince(boolean wipeAll, List<CompactRecord> puts, List<String> removes) {}

    /**
     * Returns what a client that last saw {@code sinceClock} is missing, or null if it is up to date. A
     * clock ahead of the document is treated as -1; one before the tombstone history means a full reload.
     */
    @Nullable
    ChangesSince changesSince(long sinceClock) {
        long since = sinceClock > clock ? -1 : sinceClock;
        if (since == clock) {
            return null;
        }
        boolean wipeAll = since < tombstoneHistoryStartsAtClock;
        List<CompactRecord> puts = new ArrayList<>();
        List<String> removes = new ArrayList<>();
        for (RoomSnapshot.Document d : docs.values()) {
            if (wipeAll || d.lastChangedClock() > since) {
                puts.add(record(d));
            }
        }
        if (!wipeAll) {
            for (Map.Entry<String, Long> t : tombstones.entrySet()) {
                if (t.getValue() > since) {
                    removes.add(t.getKey());
                }
            }
        }
        return new ChangesSince(wipeAll, puts, removes);
    }

    /**
     * Drops the oldest tombstones when there are more than {@link #MAX_TOMBSTONES}, down to {@code MAX -
     * BUFFER}, never splitting tombstones that share a clock. Returns true if any was dropped.
     */
    boolean pruneTombstones() {
        if (tombstones.size() <= MAX_TOMBSTONES) {
            return false;
        }
        int toDelete = tombstones.size() - MAX_TOMBSTONES + TOMBSTONE_PRUNE_BUFFER_SIZE;
        Iterator<Map.Entry<String, Long>> it = tombstones.entrySet().iterator();
        long cutoff = Long.MIN_VALUE;
        int deleted = 0;
        while (it.hasNext()) {
            Map.Entry<String, Long> e = it.next();
            if (deleted < toDelete || e.getValue() == cutoff) {
                cutoff = e.getValue();
                it.remove();
                deleted++;
            } else {
                break;
            }
        }
        tombstoneHistoryStartsAtClock =
                tombstones.isEmpty() ? clock : tombstones.values().iterator().next();
        return true;
    }

    /** A set of writes applied all together or not at all. Reads see the transaction's own writes. */
    final class Txn {
        /** id → new state, or null for a deletion. */
        final LinkedHashMap<String, @Nullable FrozenMap> writes = new LinkedHashMap<>();
        /** Sizes of the written states, by id. */
        private final HashMap<String, Long> sizes = new HashMap<>();

        @Nullable
        FrozenMap get(String id) {
            if (writes.containsKey(id)) {
                return writes.get(id);
            }
            return DocumentState.this.get(id);
        }

        /** Writes a record and returns its estimated JSON size. */
        long set(String id, FrozenMap state) {
            writes.put(id, state);
            long size = JsonSize.of(state);
            sizes.put(id, size);
            return size;
        }

        /** Returns the document's total size if this transaction committed. */
        long totalSizeAfter() {
            long total = totalSize;
            for (Map.Entry<String, @Nullable FrozenMap> w : writes.entrySet()) {
                RoomSnapshot.Document old = docs.get(w.getKey());
                total -= old == null ? 0 : size(old);
                total += w.getValue() == null ? 0 : sizes.get(w.getKey());
            }
            return total;
        }

        /** Deletes the record; returns false (and does nothing) if it does not exist. */
        boolean delete(String id) {
            if (get(id) == null) {
                return false;
            }
            writes.put(id, null);
            return true;
        }

        boolean isEmpty() {
            return writes.isEmpty();
        }

        /** Applies the writes, advancing the clock once. Returns true if any tombstone was written. */
        boolean commit() {
            if (writes.isEmpty()) {
                return false;
            }
            long next = ++clock;
            boolean deleted = false;
            for (Map.Entry<String, @Nullable FrozenMap> w : writes.entrySet()) {
                FrozenMap state = w.getValue();
                RoomSnapshot.Document old;
                if (state != null) {
                    // key the record by its own id string: the diff's key is an equal copy kept only by the txn
                    String id = state.get("id") instanceof String own && own.equals(w.getKey()) ? own : w.getKey();
                    CompactRecord written = CompactRecord.of(state, sizes.get(w.getKey()));
                    old = docs.put(id, new RoomSnapshot.Document(written, next));
                    keepHot(written);
                    totalSize += sizes.get(w.getKey());
                    tombstones.remove(w.getKey());
                } else {
                    old = docs.remove(w.getKey());
                    tombstones.remove(w.getKey());
                    tombstones.put(w.getKey(), next);
                    deleted = true;
                }
                totalSize -= old == null ? 0 : size(old);
            }
            return deleted;
        }
    }
}
