package dev.tandem.sync.core;

import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.function.Consumer;
import org.jspecify.annotations.Nullable;

/**
 * One document shared by many sessions: records keyed by id, a document clock, tombstones and per-session
 * presence, kept consistent over the tldraw sync protocol v8.
 *
 * <p>Thread-safe. Every mutation of one room runs serially in the room's lane (on the executor given in
 * {@link RoomOptions}); many rooms run in parallel. Methods return at once; results arrive through the
 * returned futures, which complete on the lane.
 *
 * <pre>{@code
 * Room room = Room.create("my-room", RoomOptions.builder().build());
 * SocketHandler handler = room.connect(mySocket, SessionOptions.of(sessionIdFromQuery));
 * // transport callbacks: handler.onText(frame); handler.onClose();
 * }</pre>
 */
public interface Room extends AutoCloseable {

    /** Creates a room with the given options. */
    static Room create(String roomId, RoomOptions options) {
        return new dev.tandem.sync.core.internal.room.SyncRoom(roomId, options);
    }

    /** Returns the room id. */
    String id();

    /**
     * Attaches a new connection. The session waits for the client's {@code connect} message (at most the
     * connect timeout). A session id that already exists — a reconnect, typically within the removal grace
     * period — replaces the old connection and keeps its presence.
     */
    SocketHandler connect(SessionSocket socket, SessionOptions options);

    /**
     * Changes records on behalf of the host application, in one transaction: the clock moves at most once,
     * and the effective changes are broadcast to every session. Completes with the document clock after the
     * change, or exceptionally with {@link SyncException} ({@link CloseReason#INVALID_RECORD}) if a record
     * is invalid, in which case nothing changed.
     */
    CompletableFuture<Long> update(Consumer<RoomTransaction> changes);

    /** Completes with a deep-immutable copy of one record, or null if absent. */
    CompletableFuture<@Nullable Map<String, Object>> record(String id);

    /** Completes with the room's document in tldraw's {@code RoomSnapshot} shape (presence excluded). */
    CompletableFuture<RoomSnapshot> snapshot();

    /**
     * Replaces the document with the snapshot's: unchanged records stay, changed and new ones are written,
     * the rest are deleted (leaving tombstones), all in one transaction that live sessions receive as a
     * normal patch. Completes exceptionally if the snapshot's schema cannot be migrated to the room's.
     */
    CompletableFuture<Void> loadSnapshot(RoomSnapshot snapshot);

    /**
     * Completes once every change committed so far is durable in the room's store (at once for a room
     * without a store). Commits that fail are retried, so this may wait for a store outage to end.
     */
    CompletableFuture<Void> flush();

    /**
     * Stores a version snapshot of the current document and completes with its description; completes
     * exceptionally if the room has no store.
     */
    CompletableFuture<VersionInfo> saveVersion();

    /** Returns true once the room was closed or unloaded; a closed room refuses new connections. */
    boolean isClosed();

    /**
     * Applies offline HTTP push events in order, each through the same path as a live push (validation,
     * limits, broadcast to live sessions) in its own transaction. A rejected event blocks only later events
     * of the same record. Results are remembered per (principal, event id): an event id this principal sent
     * before returns its first result and changes nothing, while the same id from another principal is an
     * event of its own. In {@link Durability#SYNC} mode completes once the results are durable.
     *
     * @param principal who pushes; the key of the remembered results
     * @param access the pushing principal's access; anything but {@link Access#READ_WRITE} rejects every event
     */
    CompletableFuture<List<EventResult>> applyEvents(List<PushEvent> events, Principal principal, Access access);

    /**
     * Completes with the room's changes after {@code since}, at most {@code limit} of them, for HTTP pull.
     * A position older than the tombstone history (or ahead of the room) starts a full resync.
     */
    CompletableFuture<PullPage> pull(PullPage.Position since, int limit);

    /** Sends a {@code custom} message with host data to one connected session. */
    CompletableFuture<Boolean> sendCustomMessage(String sessionId, @Nullable Object data);

    /**
     * Closes one session: with a 4099 close and the reason when {@code reason} is non-null, otherwise a
     * normal close (the client will reconnect). Its presence is removed at once.
     */
    CompletableFuture<Void> closeSession(String sessionId, @Nullable CloseReason reason);

    /** Completes with the current sessions, in every state. */
    CompletableFuture<List<SessionInfo>> sessions();

    /** Returns the document clock as last committed (a racy but monotonic read). */
    long documentClock();

    /** Returns the number of sessions in every state, as last updated by the lane. */
    int sessionCount();

    /** Closes every session normally and stops the room's timers. Idempotent. */
    @Override
    void close();

    /**
     * Re-decides every session's access, for live revocation after a policy change: sessions now {@link
     * Access#FORBIDDEN} or {@link Access#NOT_FOUND} are closed with that reason, the others become
     * read-only or read-write as decided. Completes once applied.
     */
    CompletableFuture<Void> revalidate(java.util.function.Function<SessionInfo, Access> policy);

    /** A snapshot of one session's state. */
    record SessionInfo(
            String sessionId, String state, boolean readOnly, Map<String, Object> meta, Principal principal) {
        public SessionInfo {
            meta = Map.copyOf(meta);
        }
    }
}
