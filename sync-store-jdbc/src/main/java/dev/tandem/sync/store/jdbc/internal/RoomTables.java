package dev.tandem.sync.store.jdbc.internal;

import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.RoomCommit;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.VersionInfo;
import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.sql.Connection;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Types;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Predicate;
import java.util.zip.Deflater;
import java.util.zip.GZIPInputStream;
import java.util.zip.GZIPOutputStream;
import org.jspecify.annotations.Nullable;

/**
 * The SQL of the store, shared by both dialects. A commit touches only its own records: every write is
 * guarded by clocks so applying a commit again, or an older one after a newer one, changes nothing.
 */
final class RoomTables {
    /** Writes a record unless the stored one is newer or a newer tombstone deleted it. */
    private static final String PUT_DOCUMENT = "INSERT INTO documents (room_id, id, state_json, last_changed_clock)"
            + " SELECT ?, ?, ?, ? WHERE NOT EXISTS"
            + " (SELECT 1 FROM tombstones t WHERE t.room_id = ? AND t.id = ? AND t.clock > ?)"
            + " ON CONFLICT (room_id, id) DO UPDATE"
            + " SET state_json = excluded.state_json, last_changed_clock = excluded.last_changed_clock"
            + " WHERE documents.last_changed_clock <= excluded.last_changed_clock";

    /** A put removes the record's tombstones that are not newer than it. */
    private static final String DELETE_OLDER_TOMBSTONE =
            "DELETE FROM tombstones WHERE room_id = ? AND id = ? AND clock <= ?";

    /** A tombstone deletes the stored record unless that is newer. */
    private static final String DELETE_OLDER_DOCUMENT =
            "DELETE FROM documents WHERE room_id = ? AND id = ? AND last_changed_clock <= ?";

    /** Records a tombstone unless a (newer) record survived; a tombstone's clock never goes back. */
    private static final String PUT_TOMBSTONE = "INSERT INTO tombstones (room_id, id, clock)"
            + " SELECT ?, ?, ? WHERE NOT EXISTS (SELECT 1 FROM documents d WHERE d.room_id = ? AND d.id = ?)"
            + " ON CONFLICT (room_id, id) DO UPDATE SET clock = excluded.clock"
            + " WHERE tombstones.clock < excluded.clock";

    /** Deletes the tombstones older than the room's tombstone history. */
    private static final String PRUNE_TOMBSTONES = "DELETE FROM tombstones WHERE room_id = ? AND clock <"
            + " (SELECT tombstone_history_starts_at_clock FROM rooms WHERE room_id = ?)";

    /** Logs a commit; a commit written again (a retry whose first attempt committed after all) replaces its row. */
    private static final String APPEND_LOG = "INSERT INTO room_log (room_id, clock, changes) VALUES (?, ?, ?)"
            + " ON CONFLICT (room_id, clock) DO UPDATE SET changes = excluded.changes";

    private static final String READ_LOG = "SELECT clock, changes FROM room_log WHERE room_id = ? ORDER BY clock";

    private static final String DELETE_LOG = "DELETE FROM room_log WHERE room_id = ? AND clock <= ?";

    /** Commits of at least this many records skip the log and are written to the record tables at once. */
    static final int DIRECT_RECORDS = 256;

    /** The room's clocks only move forward; a null schema keeps the stored one. */
    private static final String PUT_ROOM =
            "INSERT INTO rooms (room_id, document_clock, tombstone_history_starts_at_clock, schema_json)"
                    + " VALUES (?, ?, ?, ?) ON CONFLICT (room_id) DO UPDATE SET"
                    + " document_clock = CASE WHEN rooms.document_clock > excluded.document_clock"
                    + " THEN rooms.document_clock ELSE excluded.document_clock END,"
                    + " tombstone_history_starts_at_clock = CASE"
                    + " WHEN rooms.tombstone_history_starts_at_clock > excluded.tombstone_history_starts_at_clock"
                    + " THEN rooms.tombstone_history_starts_at_clock"
                    + " ELSE excluded.tombstone_history_starts_at_clock END,"
                    + " schema_json = COALESCE(excluded.schema_json, rooms.schema_json)";

    private static final String PUT_ATTRIBUTE = "INSERT INTO room_attributes (room_id, key, value) VALUES (?, ?, ?)"
            + " ON CONFLICT (room_id, key) DO UPDATE SET value = excluded.value";

    /** Records a push event's result; the first result of an event id wins. */
    private static final String PUT_EVENT = "INSERT INTO push_events (room_id, event_id, result_json, created_at)"
            + " VALUES (?, ?, ?, ?) ON CONFLICT (room_id, event_id) DO NOTHING";

    /** The most event ids looked up in one query. */
    private static final int EVENT_IDS_PER_QUERY = 100;

    /** Rows fetched per round trip when streaming a room's records. */
    private static final int FETCH_SIZE = 2_000;

    private RoomTables() {}

    /**
     * Returns whether {@code epoch} is still the room's owner epoch, locking the room's owner row until the
     * caller's transaction ends, so a concurrent {@link #claimOwnership} waits for it (PostgreSQL) or is
     * serialized with it (SQLite's single writer).
     */
    static boolean holdsOwnerEpoch(WriterConnection w, String roomId, long epoch) throws SQLException {
        PreparedStatement ps =
                w.prepare("UPDATE room_owners SET owner_epoch = owner_epoch WHERE room_id = ? AND owner_epoch = ?");
        ps.setString(1, roomId);
        ps.setLong(2, epoch);
        return ps.executeUpdate() == 1;
    }

    /** Increments the room's owner epoch (the first claim gets 1) and returns it, in the caller's transaction. */
    static long claimOwnership(Connection c, String roomId) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement("INSERT INTO room_owners (room_id, owner_epoch) VALUES (?, 1)"
                + " ON CONFLICT (room_id) DO UPDATE SET owner_epoch = room_owners.owner_epoch + 1"
                + " RETURNING owner_epoch")) {
            ps.setString(1, roomId);
            try (ResultSet rs = ps.executeQuery()) {
                rs.next();
                return rs.getLong(1);
            }
        }
    }

    /**
     * Writes commits of distinct rooms in the caller's transaction, with one JDBC batch per statement. A
     * commit's records go to {@code room_log} as one row (one page write for the commit, where writing each
     * record to its place in the record tables dirties a page per record); a commit of at least {@value
     * #DIRECT_RECORDS} records, such as a replaced snapshot, is written to the record tables at once.
     * {@link #fold} moves the log into the record tables later, in bulk. A commit whose schema {@code
     * schemaStored} says is stored already leaves the stored one as it is (a tldraw schema is kilobytes).
     */
    static void writeCommits(WriterConnection w, List<RoomCommit> commits, long now, Predicate<RoomCommit> schemaStored)
            throws SQLException {
        PreparedStatement appendLog = w.prepare(APPEND_LOG);
        PreparedStatement putRoom = w.prepare(PUT_ROOM);
        PreparedStatement putEvent = w.prepare(PUT_EVENT);
        Map<String, Map<String, CommitLog.Entry>> direct = new LinkedHashMap<>();
        int logged = 0;
        int events = 0;
        for (RoomCommit commit : commits) {
            String room = StoredText.encode(commit.roomId());
            int records = CommitLog.records(commit);
            if (records >= DIRECT_RECORDS) {
                direct.put(commit.roomId(), entries(commit));
            } else if (records > 0) {
                appendLog.setString(1, room);
                appendLog.setLong(2, commit.documentClock());
                appendLog.setString(3, CommitLog.encode(commit));
                appendLog.addBatch();
                logged++;
            }
            for (EventResult r : commit.events().values()) {
                putEvent.setString(1, room);
                putEvent.setString(2, StoredText.encode(r.id()));
                putEvent.setString(3, eventJson(r));
                putEvent.setLong(4, now);
                putEvent.addBatch();
                events++;
            }
            putRoom.setString(1, room);
            putRoom.setLong(2, commit.documentClock());
            putRoom.setLong(3, commit.tombstoneHistoryStartsAtClock());
            if (commit.schema() == null || schemaStored.test(commit)) {
                putRoom.setNull(4, Types.VARCHAR);
            } else {
                putRoom.setString(4, Json.stringify(commit.schema()));
            }
            putRoom.addBatch();
        }
        if (logged > 0) {
            appendLog.executeBatch();
        }
        if (events > 0) {
            putEvent.executeBatch();
        }
        if (!commits.isEmpty()) {
            putRoom.executeBatch();
        }
        writeRecords(w, direct);
    }

    private static Map<String, CommitLog.Entry> entries(RoomCommit commit) {
        Map<String, CommitLog.Entry> out = new LinkedHashMap<>();
        commit.puts()
                .forEach((id, d) -> out.put(id, new CommitLog.Entry(d.lastChangedClock(), Json.stringify(d.state()))));
        commit.tombstones().forEach((id, clock) -> out.put(id, new CommitLog.Entry(clock, null)));
        return out;
    }

    /**
     * Writes records of rooms (by room id, then record id) to the record tables, each guarded by its clock,
     * with one JDBC batch per statement, in the caller's transaction. Within a room an id is either put or
     * deleted, so the statements' order across records does not matter.
     */
    private static void writeRecords(WriterConnection w, Map<String, Map<String, CommitLog.Entry>> byRoom)
            throws SQLException {
        if (byRoom.isEmpty()) {
            return;
        }
        PreparedStatement putDocument = w.prepare(PUT_DOCUMENT);
        PreparedStatement deleteOlderTombstone = w.prepare(DELETE_OLDER_TOMBSTONE);
        PreparedStatement deleteOlderDocument = w.prepare(DELETE_OLDER_DOCUMENT);
        PreparedStatement putTombstone = w.prepare(PUT_TOMBSTONE);
        int puts = 0;
        int tombstones = 0;
        for (Map.Entry<String, Map<String, CommitLog.Entry>> r : byRoom.entrySet()) {
            String room = StoredText.encode(r.getKey());
            for (Map.Entry<String, CommitLog.Entry> e : r.getValue().entrySet()) {
                String id = StoredText.encode(e.getKey());
                long clock = e.getValue().clock();
                if (!e.getValue().isTombstone()) {
                    putDocument.setString(1, room);
                    putDocument.setString(2, id);
                    putDocument.setString(3, e.getValue().stateJson());
                    putDocument.setLong(4, clock);
                    putDocument.setString(5, room);
                    putDocument.setString(6, id);
                    putDocument.setLong(7, clock);
                    putDocument.addBatch();
                    deleteOlderTombstone.setString(1, room);
                    deleteOlderTombstone.setString(2, id);
                    deleteOlderTombstone.setLong(3, clock);
                    deleteOlderTombstone.addBatch();
                    puts++;
                } else {
                    deleteOlderDocument.setString(1, room);
                    deleteOlderDocument.setString(2, id);
                    deleteOlderDocument.setLong(3, clock);
                    deleteOlderDocument.addBatch();
                    putTombstone.setString(1, room);
                    putTombstone.setString(2, id);
                    putTombstone.setLong(3, clock);
                    putTombstone.setString(4, room);
                    putTombstone.setString(5, id);
                    putTombstone.addBatch();
                    tombstones++;
                }
            }
        }
        if (puts > 0) {
            putDocument.executeBatch();
            deleteOlderTombstone.executeBatch();
        }
        if (tombstones > 0) {
            deleteOlderDocument.executeBatch();
            putTombstone.executeBatch();
        }
    }

    /**
     * Folds the given rooms' {@code room_log} rows into the record tables in the caller's transaction: each
     * record once, at its newest logged change (ids in order, so two writers folding one room lock rows in
     * the same order), then deletes the folded rows and the tombstones older than the room's tombstone
     * history. Folding again, or a row another writer already folded, changes nothing. Returns the rows folded.
     */
    static int fold(WriterConnection w, Collection<String> roomIds) throws SQLException {
        Map<String, Map<String, CommitLog.Entry>> byRoom = new LinkedHashMap<>();
        Map<String, Long> upTo = new LinkedHashMap<>();
        int rows = 0;
        PreparedStatement ps = w.prepare(READ_LOG);
        for (String roomId : roomIds) {
            ps.setString(1, StoredText.encode(roomId));
            Map<String, CommitLog.Entry> records = new TreeMap<>();
            long last = Long.MIN_VALUE;
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    last = rs.getLong(1);
                    CommitLog.decodeInto(rs.getString(2), records);
                    rows++;
                }
            }
            upTo.put(roomId, last);
            if (!records.isEmpty()) {
                byRoom.put(roomId, records);
            }
        }
        writeRecords(w, byRoom);
        PreparedStatement deleteLog = w.prepare(DELETE_LOG);
        PreparedStatement pruneTombstones = w.prepare(PRUNE_TOMBSTONES);
        for (Map.Entry<String, Long> e : upTo.entrySet()) {
            String room = StoredText.encode(e.getKey());
            if (e.getValue() != Long.MIN_VALUE) {
                deleteLog.setString(1, room);
                deleteLog.setLong(2, e.getValue());
                deleteLog.addBatch();
            }
            pruneTombstones.setString(1, room);
            pruneTombstones.setString(2, room);
            pruneTombstones.addBatch();
        }
        if (rows > 0) {
            deleteLog.executeBatch();
        }
        if (!upTo.isEmpty()) {
            pruneTombstones.executeBatch();
        }
        return rows;
    }

    /** Returns the stored results of those of the given push events that were recorded, by event id. */
    static Map<String, EventResult> loadEventResults(Connection c, String roomId, Collection<String> eventIds)
            throws SQLException {
        String room = StoredText.encode(roomId);
        List<String> ids = new ArrayList<>(new LinkedHashSet<>(eventIds));
        Map<String, EventResult> out = new HashMap<>();
        for (int from = 0; from < ids.size(); from += EVENT_IDS_PER_QUERY) {
            List<String> chunk = ids.subList(from, Math.min(ids.size(), from + EVENT_IDS_PER_QUERY));
            StringBuilder sql = new StringBuilder(
                    "SELECT event_id, result_json FROM push_events" + " WHERE room_id = ? AND event_id IN (");
            for (int i = 0; i < chunk.size(); i++) {
                sql.append(i == 0 ? "?" : ", ?");
            }
            try (PreparedStatement ps = c.prepareStatement(sql.append(')').toString())) {
                ps.setString(1, room);
                for (int i = 0; i < chunk.size(); i++) {
                    ps.setString(i + 2, StoredText.encode(chunk.get(i)));
                }
                try (ResultSet rs = ps.executeQuery()) {
                    while (rs.next()) {
                        String id = StoredText.decode(rs.getString(1));
                        out.put(id, eventResult(id, rs.getString(2)));
                    }
                }
            }
        }
        return out;
    }

    /** Deletes push event results recorded before {@code before} (epoch milliseconds); returns how many. */
    static int pruneEvents(WriterConnection w, long before) throws SQLException {
        PreparedStatement ps = w.prepare("DELETE FROM push_events WHERE created_at < ?");
        ps.setLong(1, before);
        return ps.executeUpdate();
    }

    private static String eventJson(EventResult r) {
        Map<String, Object> json = new LinkedHashMap<>();
        json.put("applied", r.applied());
        if (r.reason() != null) {
            json.put("reason", r.reason());
        }
        json.put("serverClock", r.serverClock());
        return Json.stringify(json);
    }

    private static EventResult eventResult(String id, String json) {
        Map<String, Object> m = object(json);
        Object reason = m.get("reason");
        return new EventResult(
                id,
                Boolean.TRUE.equals(m.get("applied")),
                reason instanceof String s ? s : null,
                ((Number) m.get("serverClock")).longValue());
    }

    /** Reads one room, or returns null if it was never stored. Streams the records. */
    static @Nullable RoomSnapshot load(Connection c, String roomId) throws SQLException {
        String room = StoredText.encode(roomId);
        long reserved = reservedClock(c, room);
        long clock;
        long historyStart;
        Map<String, Object> schema;
        try (PreparedStatement ps = c.prepareStatement("SELECT document_clock, tombstone_history_starts_at_clock,"
                + " schema_json FROM rooms WHERE room_id = ?")) {
            ps.setString(1, room);
            try (ResultSet rs = ps.executeQuery()) {
                if (!rs.next()) {
                    // sent clocks of a room whose first changes were lost: it starts empty above them
                    return reserved > 0
                            ? new RoomSnapshot(reserved + 1, List.of(), Map.of(), reserved + 1, null)
                            : null;
                }
                clock = rs.getLong(1);
                historyStart = rs.getLong(2);
                String schemaJson = rs.getString(3);
                schema = schemaJson == null ? null : object(schemaJson);
            }
        }
        // the unfolded commits, each record at its newest change; applied over the record tables below
        Map<String, CommitLog.Entry> logged = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement(READ_LOG)) {
            ps.setString(1, room);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    CommitLog.decodeInto(rs.getString(2), logged);
                }
            }
        }
        List<RoomSnapshot.Document> documents = new ArrayList<>();
        Map<String, RoomSnapshot.Document> storedUnderLog = new HashMap<>();
        try (PreparedStatement ps =
                c.prepareStatement("SELECT id, state_json, last_changed_clock FROM documents WHERE room_id = ?")) {
            ps.setFetchSize(FETCH_SIZE);
            ps.setString(1, room);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    String id = logged.isEmpty() ? null : StoredText.decode(rs.getString(1));
                    RoomSnapshot.Document d = new RoomSnapshot.Document(object(rs.getString(2)), rs.getLong(3));
                    if (id != null && logged.containsKey(id)) {
                        storedUnderLog.put(id, d);
                    } else {
                        documents.add(d);
                    }
                }
            }
        }
        Map<String, Long> tombstones = new HashMap<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT id, clock FROM tombstones WHERE room_id = ?")) {
            ps.setFetchSize(FETCH_SIZE);
            ps.setString(1, room);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    tombstones.put(StoredText.decode(rs.getString(1)), rs.getLong(2));
                }
            }
        }
        // as writing the logged changes with the guarded statements would
        for (Map.Entry<String, CommitLog.Entry> e : logged.entrySet()) {
            String id = e.getKey();
            CommitLog.Entry change = e.getValue();
            RoomSnapshot.Document stored = storedUnderLog.get(id);
            Long tombstone = tombstones.get(id);
            if (!change.isTombstone()) {
                boolean applies = (tombstone == null || tombstone <= change.clock())
                        && (stored == null || stored.lastChangedClock() <= change.clock());
                if (applies) {
                    documents.add(new RoomSnapshot.Document(object(change.stateJson()), change.clock()));
                } else if (stored != null) {
                    documents.add(stored);
                }
                if (tombstone != null && tombstone <= change.clock()) {
                    tombstones.remove(id);
                }
            } else if (stored != null && stored.lastChangedClock() > change.clock()) {
                documents.add(stored);
            } else if (tombstone == null || tombstone < change.clock()) {
                tombstones.put(id, change.clock());
            }
        }
        if (reserved > clock) {
            // an unclean stop lost changes at clocks clients may have seen: start above every such clock, with
            // no tombstone history before it, so that each of those clients reloads the whole room
            clock = reserved + 1;
            historyStart = clock;
        }
        // tombstones older than the history are deleted when the log is next folded
        long history = historyStart;
        tombstones.values().removeIf(t -> t < history);
        return new RoomSnapshot(clock, documents, tombstones, historyStart, schema);
    }

    /** Returns the room's clock reservation (see {@code RoomStore.reserveClock}), or -1. */
    private static long reservedClock(Connection c, String room) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT reserved_clock FROM clock_reservations WHERE room_id = ?")) {
            ps.setString(1, room);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? rs.getLong(1) : -1;
            }
        }
    }

    /** Raises the room's clock reservation to {@code clock}; it never goes down here. */
    static void reserveClock(Connection c, String roomId, long clock) throws SQLException {
        try (PreparedStatement ps = c.prepareStatement(
                "INSERT INTO clock_reservations (room_id, reserved_clock) VALUES (?, ?) ON CONFLICT (room_id)"
                        + " DO UPDATE SET reserved_clock = excluded.reserved_clock"
                        + " WHERE clock_reservations.reserved_clock < excluded.reserved_clock")) {
            ps.setString(1, StoredText.encode(roomId));
            ps.setLong(2, clock);
            ps.executeUpdate();
        }
    }

    /**
     * Lowers the room's reservation from {@code reserved} to {@code documentClock} if it still is {@code reserved}
     * and the stored document clock is at least {@code documentClock}.
     */
    static void releaseClock(Connection c, String roomId, long reserved, long documentClock) throws SQLException {
        String room = StoredText.encode(roomId);
        try (PreparedStatement ps =
                c.prepareStatement("UPDATE clock_reservations SET reserved_clock = ? WHERE room_id = ?"
                        + " AND reserved_clock = ? AND EXISTS"
                        + " (SELECT 1 FROM rooms r WHERE r.room_id = ? AND r.document_clock >= ?)")) {
            ps.setLong(1, documentClock);
            ps.setString(2, room);
            ps.setLong(3, reserved);
            ps.setString(4, room);
            ps.setLong(5, documentClock);
            ps.executeUpdate();
        }
    }

    /**
     * Stores a version with the next id of its room, then deletes the versions beyond {@code maxVersions} and
     * (when {@code maxAge} is set) those older than it, never the new one.
     */
    static VersionInfo insertVersion(
            WriterConnection w,
            String roomId,
            RoomSnapshot snapshot,
            Instant createdAt,
            int maxVersions,
            @Nullable Duration maxAge)
            throws SQLException {
        String room = StoredText.encode(roomId);
        long id;
        PreparedStatement next = w.prepare("SELECT COALESCE(MAX(version_id), 0) + 1 FROM versions WHERE room_id = ?");
        next.setString(1, room);
        try (ResultSet rs = next.executeQuery()) {
            rs.next();
            id = rs.getLong(1);
        }
        PreparedStatement insert = w.prepare("INSERT INTO versions"
                + " (room_id, version_id, document_clock, created_at, snapshot_json_gzip) VALUES (?, ?, ?, ?, ?)");
        insert.setString(1, room);
        insert.setLong(2, id);
        insert.setLong(3, snapshot.documentClock());
        insert.setLong(4, createdAt.toEpochMilli());
        insert.setBytes(5, gzip(snapshot.toJson()));
        insert.executeUpdate();
        // Ids of a room are consecutive (each is the newest + 1), so the newest maxVersions are id-maxVersions+1..id.
        PreparedStatement beyondCount = w.prepare("DELETE FROM versions WHERE room_id = ? AND version_id <= ?");
        beyondCount.setString(1, room);
        beyondCount.setLong(2, id - maxVersions);
        beyondCount.executeUpdate();
        if (maxAge != null) {
            PreparedStatement beyondAge =
                    w.prepare("DELETE FROM versions WHERE room_id = ? AND created_at < ? AND version_id < ?");
            beyondAge.setString(1, room);
            beyondAge.setLong(2, createdAt.minus(maxAge).toEpochMilli());
            beyondAge.setLong(3, id);
            beyondAge.executeUpdate();
        }
        return new VersionInfo(String.valueOf(id), snapshot.documentClock(), createdAt);
    }

    /** Returns a room's versions, newest first. */
    static List<VersionInfo> listVersions(Connection c, String roomId) throws SQLException {
        String room = StoredText.encode(roomId);
        List<VersionInfo> out = new ArrayList<>();
        try (PreparedStatement ps = c.prepareStatement("SELECT version_id, document_clock, created_at FROM versions"
                + " WHERE room_id = ? ORDER BY version_id DESC")) {
            ps.setString(1, room);
            try (ResultSet rs = ps.executeQuery()) {
                while (rs.next()) {
                    out.add(new VersionInfo(
                            String.valueOf(rs.getLong(1)), rs.getLong(2), Instant.ofEpochMilli(rs.getLong(3))));
                }
            }
        }
        return out;
    }

    /** Returns one version's snapshot, or null if the room has no version with that id. */
    static @Nullable RoomSnapshot loadVersion(Connection c, String roomId, String versionId) throws SQLException {
        String room = StoredText.encode(roomId);
        long id;
        try {
            id = Long.parseLong(versionId);
        } catch (NumberFormatException e) {
            return null;
        }
        try (PreparedStatement ps =
                c.prepareStatement("SELECT snapshot_json_gzip FROM versions WHERE room_id = ? AND version_id = ?")) {
            ps.setString(1, room);
            ps.setLong(2, id);
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? RoomSnapshot.fromJson(gunzip(rs.getBytes(1))) : null;
            }
        }
    }

    /** Returns a room attribute, or null if unset. */
    static @Nullable String loadAttribute(Connection c, String roomId, String key) throws SQLException {
        try (PreparedStatement ps =
                c.prepareStatement("SELECT value FROM room_attributes WHERE room_id = ? AND key = ?")) {
            ps.setString(1, StoredText.encode(roomId));
            ps.setString(2, StoredText.encode(key));
            try (ResultSet rs = ps.executeQuery()) {
                return rs.next() ? StoredText.decode(rs.getString(1)) : null;
            }
        }
    }

    /** Sets (or with null, removes) a room attribute, in the caller's transaction. */
    static void saveAttribute(Connection c, String roomId, String key, @Nullable String value) throws SQLException {
        if (value == null) {
            try (PreparedStatement ps =
                    c.prepareStatement("DELETE FROM room_attributes WHERE room_id = ? AND key = ?")) {
                ps.setString(1, StoredText.encode(roomId));
                ps.setString(2, StoredText.encode(key));
                ps.executeUpdate();
            }
            return;
        }
        try (PreparedStatement ps = c.prepareStatement(PUT_ATTRIBUTE)) {
            ps.setString(1, StoredText.encode(roomId));
            ps.setString(2, StoredText.encode(key));
            ps.setString(3, StoredText.encode(value));
            ps.executeUpdate();
        }
    }

    @SuppressWarnings("unchecked")
    private static Map<String, Object> object(String json) {
        Object value = Json.parse(json);
        if (!(value instanceof Map<?, ?> map)) {
            throw new IllegalStateException("stored JSON is not an object: " + json.length() + " chars");
        }
        return (Map<String, Object>) map;
    }

    private static byte[] gzip(String text) {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream(Math.max(64, text.length() / 4));
        // the fastest level: a version is written every few seconds while a room changes and read rarely; on a
        // 0.5 MB load-test room it took a third of the default level's time (3.0 against 9.8 ms) for 20 % more bytes
        try (GZIPOutputStream out = new GZIPOutputStream(bytes) {
            {
                def.setLevel(Deflater.BEST_SPEED);
            }
        }) {
            out.write(text.getBytes(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return bytes.toByteArray();
    }

    private static String gunzip(byte[] gz) {
        try (GZIPInputStream in = new GZIPInputStream(new ByteArrayInputStream(gz))) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
