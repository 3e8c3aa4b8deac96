package dev.tandem.sync.core;

import java.util.List;
import java.util.Map;
import java.util.Objects;
import org.jspecify.annotations.Nullable;

/**
 * One page of a room's changes since a position, for HTTP pull. Changes are ordered by the clock they
 * happened at (then record id); each carries the record's current state, so a record changed again later
 * may appear again on a later page. Immutable.
 *
 * @param changes the changes on this page
 * @param position where the next page starts
 * @param hasMore whether more changes follow
 * @param resync true when the given position was older than the room's tombstone history: the changes
 *     (over all pages until {@code hasMore} is false) are then every record, and records the client holds
 *     that are not among them were deleted
 */
public record PullPage(List<Change> changes, Position position, boolean hasMore, boolean resync) {

    public PullPage {
        changes = List.copyOf(changes);
        Objects.requireNonNull(position, "position");
    }

    /**
     * A position in a room's history: everything at or before ({@code clock}, {@code recordId}) in (clock,
     * id) order has been delivered; an empty {@code recordId} means all of {@code clock}. During a full resync
     * {@code resyncFrom} is the document clock the resync started at (-1 otherwise): once its pages are done,
     * pulling continues incrementally from there, so nothing changed meanwhile is missed. {@link #START} is
     * before everything.
     */
    public record Position(long clock, String recordId, long resyncFrom) {
        /** Before every change. */
        public static final Position START = new Position(-1, "", -1);

        public Position {
            Objects.requireNonNull(recordId, "recordId");
        }

        /** A position outside a resync. */
        public Position(long clock, String recordId) {
            this(clock, recordId, -1);
        }
    }

    /**
     * One changed record: its current state, or a deletion.
     *
     * @param recordId the record
     * @param typeName its type, or null for a deletion whose type is no longer known
     * @param deleted true for a deletion
     * @param record the current state, or null for a deletion
     * @param clock the clock the change happened at
     */
    public record Change(
            String recordId,
            @Nullable String typeName,
            boolean deleted,
            @Nullable Map<String, Object> record,
            long clock) {}
}
