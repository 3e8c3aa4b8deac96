package dev.tandem.sync.client.internal.engine;

import dev.tandem.sync.client.ChangeSource;
import dev.tandem.sync.client.StoreChange;
import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.protocol.ClientMessage;
import dev.tandem.sync.core.internal.protocol.ServerMessage;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.function.Consumer;
import java.util.function.Function;
import java.util.function.Supplier;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The client's copy of the document: tldraw's {@code TLSyncClient} state and rebase ({@code
 * reference/tldraw-sync-protocol.md} §5), without I/O, timers or threads. {@link SyncEngine} owns the connection
 * and feeds it the server's messages.
 *
 * <p>State invariant: the record table equals the last known server state with {@link #speculative} applied on
 * top; {@link #speculative} equals the pending pushes' diffs followed by {@link #unsent}, re-applied on that
 * server state (plus, while offline, every change made since the connection was lost).
 *
 * <p>Not thread-safe: every method runs under its engine's lock.
 */
final class ClientDocument {
    private static final Logger LOG = LoggerFactory.getLogger(ClientDocument.class);

    private final String presenceType;
    private final String sessionId;
    private final @Nullable Supplier<? extends @Nullable Map<String, ?>> presence;

    private final RecordTable table = new RecordTable();
    private RecordsDiff speculative = RecordsDiff.EMPTY;
    private RecordsDiff unsent = RecordsDiff.EMPTY;
    private final ArrayDeque<PendingPush> pending = new ArrayDeque<>();
    private final List<ServerMessage.DataMessage> incoming = new ArrayList<>();
    private boolean rebaseQueued;
    private long lastServerClock = -1;
    private long clientClock;
    private boolean connectedToRoom;
    private boolean readOnly;
    private @Nullable FrozenMap lastPushedPresence;
    private boolean presenceDirty;

    /** A push sent and not yet answered. */
    private record PendingPush(long clientClock, @Nullable NetworkDiff diff) {}

    /** What a rebase changed in the store, and why the connection is out of step if it is (else null). */
    record Rebased(StoreChange change, @Nullable String mismatch) {}

    /** A push_result that does not answer the oldest pending push: the connection is out of step. */
    private static final class PushResultMismatch extends Exception {
        PushResultMismatch(String message) {
            super(message, null, false, false);
        }
    }

    /**
     * A document whose presence records are of {@code presenceType}; the own presence, from {@code presence} (none
     * when null), gets the id {@code presenceType:sessionId} unless it has one.
     */
    ClientDocument(
            String presenceType, String sessionId, @Nullable Supplier<? extends @Nullable Map<String, ?>> presence) {
        this.presenceType = presenceType;
        this.sessionId = sessionId;
        this.presence = presence;
    }

    boolean connectedToRoom() {
        return connectedToRoom;
    }

    boolean readOnly() {
        return readOnly;
    }

    long lastServerClock() {
        return lastServerClock;
    }

    boolean hasUnconfirmedChanges() {
        return !speculative.isEmpty() || !pending.isEmpty();
    }

    /** Notes that the presence changed; it goes out with the next push. */
    void markPresenceDirty() {
        presenceDirty = true;
    }

    boolean presenceDirty() {
        return presenceDirty;
    }

    // ------------------------------------------------------------------------------------------------
    // Local changes

    /** Applies a local change; {@code change} writes through the table, and {@code onChanged} gets what changed. */
    void changeLocally(Consumer<RecordTable> change, Consumer<RecordsDiff> onChanged) {
        RecordTable.Tracker t = table.track();
        try {
            change.accept(table);
        } finally {
            RecordsDiff d = t.finish();
            if (!d.isEmpty()) {
                speculative = speculative.then(d);
                if (connectedToRoom) {
                    unsent = unsent.then(d);
                }
                onChanged.accept(d);
            }
        }
    }

    <T> T read(Function<RecordTable, T> reader) {
        return reader.apply(table);
    }

    // ------------------------------------------------------------------------------------------------
    // Pushing

    /**
     * Returns the unsent changes and changed presence as one push, recorded as pending, or null when there is
     * nothing to send.
     */
    ClientMessage.@Nullable Push nextPush() {
        NetworkDiff diff = unsent.toNetworkDiff();
        unsent = RecordsDiff.EMPTY;
        RecordOp presenceOp = presenceOp();
        if (diff == null && presenceOp == null) {
            return null;
        }
        long clock = clientClock++;
        pending.add(new PendingPush(clock, diff));
        return new ClientMessage.Push(clock, diff, presenceOp);
    }

    /** Returns the presence op to push: a put the first time per connection, then patches. */
    private @Nullable RecordOp presenceOp() {
        var supplier = presence;
        presenceDirty = false;
        if (supplier == null) {
            return null;
        }
        Map<String, ?> raw;
        try {
            raw = supplier.get();
        } catch (RuntimeException e) {
            LOG.warn("presence supplier failed", e);
            return null;
        }
        if (raw == null) {
            return null;
        }
        FrozenMap next = presenceRecord(raw);
        FrozenMap last = lastPushedPresence;
        lastPushedPresence = next;
        if (last == null) {
            return new RecordOp.Put(RecordsDiff.asRecord(next));
        }
        ObjectDiff d = ObjectDiff.diffRecord(RecordsDiff.asRecord(last), RecordsDiff.asRecord(next));
        return d == null ? null : new RecordOp.Patch(d);
    }

    private FrozenMap presenceRecord(Map<String, ?> raw) {
        if (raw.get("id") instanceof String && raw.get("typeName") instanceof String) {
            return Frozen.freezeMap(raw);
        }
        LinkedHashMap<String, Object> r = new LinkedHashMap<>(raw);
        r.putIfAbsent("id", presenceType + ":" + sessionId);
        r.putIfAbsent("typeName", presenceType);
        return Frozen.freezeMap(r);
    }

    // ------------------------------------------------------------------------------------------------
    // Receiving

    /**
     * Queues the server's patches and push results; returns true when the caller is to run {@link #rebase()} (once
     * for all the frames queued before it runs).
     */
    boolean receive(List<ServerMessage.DataMessage> data) {
        if (!connectedToRoom) {
            return false; // tldraw drops data that arrives before the connect reply
        }
        incoming.addAll(data);
        if (rebaseQueued) {
            return false;
        }
        rebaseQueued = true;
        return true;
    }

    /**
     * Reverts speculative changes, applies the server's changes in order, re-applies what is still pending or
     * unsent, and records that as the new speculative change.
     */
    Rebased rebase() {
        rebaseQueued = false;
        if (!connectedToRoom || incoming.isEmpty()) {
            incoming.clear();
            return new Rebased(RecordsDiff.EMPTY.toStoreChange(ChangeSource.REMOTE), null);
        }
        RecordTable.Tracker all = table.track();
        PushResultMismatch mismatch = null;
        table.revert(speculative);
        long clock = lastServerClock;
        try {
            for (ServerMessage.DataMessage m : incoming) {
                if (m instanceof ServerMessage.Patch p) {
                    table.apply(p.diff());
                    clock = p.serverClock();
                } else if (m instanceof ServerMessage.PushResult r) {
                    PendingPush head = pending.peekFirst();
                    if (head == null || head.clientClock() != r.clientClock()) {
                        throw new PushResultMismatch("push_result for clientClock " + r.clientClock()
                                + " but the oldest pending push is "
                                + (head == null ? "none" : String.valueOf(head.clientClock())));
                    }
                    if (r.action() instanceof ServerMessage.PushAction.Commit) {
                        if (head.diff() != null) {
                            table.apply(head.diff());
                        }
                    } else if (r.action() instanceof ServerMessage.PushAction.RebaseWithDiff rb) {
                        table.apply(rb.diff());
                    }
                    pending.removeFirst();
                    clock = r.serverClock();
                }
            }
        } catch (PushResultMismatch e) {
            mismatch = e;
        }
        incoming.clear();
        RecordTable.Tracker spec = table.track();
        for (PendingPush p : pending) {
            if (p.diff() != null) {
                table.apply(p.diff());
            }
        }
        NetworkDiff unsentDiff = unsent.toNetworkDiff();
        if (unsentDiff != null) {
            table.apply(unsentDiff);
        }
        speculative = spec.finish();
        lastServerClock = clock;
        return new Rebased(
                all.finish().toStoreChange(ChangeSource.REMOTE), mismatch == null ? null : mismatch.getMessage());
    }

    /**
     * Applies the server's connect reply: hydrates (wiping all or only presence), re-applies the changes made
     * offline and marks them unsent. Returns what changed in the store, or null when the reply comes while
     * connected or with pushes pending, in which case the caller restarts the connection and the next one
     * rehydrates from the start of history.
     */
    @Nullable
    StoreChange connect(ServerMessage.Connect c) {
        if (connectedToRoom || !pending.isEmpty()) {
            lastServerClock = 0; // as tldraw: rehydrate from the start of history
            return null;
        }
        RecordTable.Tracker all = table.track();
        RecordsDiff stash = speculative;
        speculative = RecordsDiff.EMPTY;
        boolean wipeAll = c.hydrationType() == ServerMessage.HydrationType.WIPE_ALL;
        if (!wipeAll) {
            table.revert(stash);
        }
        List<String> removals = new ArrayList<>();
        for (FrozenMap r : table.values()) {
            if (wipeAll || isPresence(r)) {
                removals.add((String) r.get("id"));
            }
        }
        for (String id : removals) {
            table.set(id, null);
        }
        table.apply(c.diff());
        connectedToRoom = true;
        readOnly = c.isReadonly();
        RecordTable.Tracker spec = table.track();
        NetworkDiff stashDiff = stash.toNetworkDiff();
        if (stashDiff != null) {
            table.apply(stashDiff);
        }
        speculative = spec.finish();
        unsent = speculative; // offline changes the server lacks go out as one push
        lastServerClock = c.serverClock();
        lastPushedPresence = null;
        return all.finish().toStoreChange(ChangeSource.REMOTE);
    }

    private boolean isPresence(Map<String, ?> record) {
        return presenceType.equals(RecordTable.typeOf(record));
    }

    /** Drops everything tied to the connection (presence, pending pushes); speculative changes stay. */
    StoreChange disconnect() {
        RecordTable.Tracker t = table.track();
        List<String> presenceIds = new ArrayList<>();
        for (FrozenMap r : table.ofType(presenceType)) {
            presenceIds.add((String) r.get("id"));
        }
        for (String id : presenceIds) {
            table.set(id, null);
        }
        lastPushedPresence = null;
        connectedToRoom = false;
        pending.clear();
        incoming.clear();
        unsent = RecordsDiff.EMPTY;
        return t.finish().toStoreChange(ChangeSource.REMOTE);
    }
}
