package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.PullPage;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.internal.json.CompactRecord;
import dev.tandem.sync.core.internal.json.FrozenMap;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.PriorityQueue;
import org.jspecify.annotations.Nullable;

/**
 * Pages of an offline client's pull: the records and tombstones changed after a position, in (clock, id) order,
 * or the whole document (a resync) when the position is outside the tombstone history. Reads the document
 * only; confined to the room's lane.
 */
final class PullPages {
    private PullPages() {}

    private record Entry(long clock, String id, @Nullable CompactRecord record) {}

    /** Returns the page of at most {@code limit} changes after {@code since}, and where the next one starts. */
    static PullPage page(DocumentState doc, PullPage.Position since, int limit) {
        boolean continuing = since.resyncFrom() >= 0;
        boolean resync = continuing
                || since.clock() < 0
                || since.clock() > doc.clock
                || since.clock() < doc.tombstoneHistoryStartsAtClock;
        long resyncFrom = continuing ? since.resyncFrom() : doc.clock;
        PullPage.Position from = resync && !continuing ? PullPage.Position.START : since;
        // Keep only the first limit + 1 entries in (clock, id) order: a bounded max-heap, so a page costs
        // O(n log limit) over the room rather than sorting every later change.
        Comparator<Entry> order = Comparator.comparingLong(Entry::clock).thenComparing(Entry::id);
        int keep = limit + 1;
        PriorityQueue<Entry> heap = new PriorityQueue<>(Math.min(keep, 1024), order.reversed());
        for (Map.Entry<String, RoomSnapshot.Document> d : doc.docs.entrySet()) {
            long clock = d.getValue().lastChangedClock();
            String id = d.getKey();
            if (after(clock, id, from) && belowTop(heap, keep, clock, id)) {
                offer(heap, keep, order, new Entry(clock, id, DocumentState.record(d.getValue())));
            }
        }
        if (!resync) {
            for (Map.Entry<String, Long> t : doc.tombstones.entrySet()) {
                long clock = t.getValue();
                if (after(clock, t.getKey(), from) && belowTop(heap, keep, clock, t.getKey())) {
                    offer(heap, keep, order, new Entry(clock, t.getKey(), null));
                }
            }
        }
        List<Entry> entries = new ArrayList<>(heap);
        entries.sort(order);
        boolean hasMore = entries.size() > limit;
        List<Entry> page = hasMore ? entries.subList(0, limit) : entries;
        List<PullPage.Change> changes = new ArrayList<>(page.size());
        for (Entry en : page) {
            CompactRecord record = en.record();
            if (record == null) {
                int colon = en.id().indexOf(':');
                changes.add(new PullPage.Change(
                        en.id(), colon > 0 ? en.id().substring(0, colon) : null, true, null, en.clock()));
            } else {
                FrozenMap state = record.tree();
                changes.add(new PullPage.Change(
                        en.id(), (String) state.get("typeName"), false, HostTransaction.asPublic(state), en.clock()));
            }
        }
        PullPage.Position next;
        if (hasMore) {
            Entry last = page.get(page.size() - 1);
            next = new PullPage.Position(last.clock(), last.id(), resync ? resyncFrom : -1);
        } else {
            // after a resync, continue from where it started, so changes made meanwhile are not missed
            next = new PullPage.Position(resync ? resyncFrom : doc.clock, "");
        }
        return new PullPage(changes, next, hasMore, resync);
    }

    private static boolean after(long clock, String id, PullPage.Position p) {
        return clock > p.clock() || (clock == p.clock() && !p.recordId().isEmpty() && id.compareTo(p.recordId()) > 0);
    }

    /** Returns whether (clock, id) would enter a full heap, or the heap is not full yet. */
    private static boolean belowTop(PriorityQueue<Entry> heap, int keep, long clock, String id) {
        if (heap.size() < keep) {
            return true;
        }
        Entry top = heap.peek();
        return clock < top.clock() || (clock == top.clock() && id.compareTo(top.id()) < 0);
    }

    private static void offer(PriorityQueue<Entry> heap, int keep, Comparator<Entry> order, Entry e) {
        if (heap.size() < keep) {
            heap.add(e);
        } else if (order.compare(e, heap.peek()) < 0) {
            heap.poll();
            heap.add(e);
        }
    }
}
