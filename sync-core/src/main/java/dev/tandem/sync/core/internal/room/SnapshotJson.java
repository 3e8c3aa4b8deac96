package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.RoomSnapshot;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/** Reads and writes tldraw's {@code RoomSnapshot} JSON. Stateless and thread-safe. */
public final class SnapshotJson {
    private SnapshotJson() {}

    /** Parses a {@code RoomSnapshot} (or a legacy {@code TLStoreSnapshot}), naming the bad field on error. */
    @SuppressWarnings("unchecked")
    public static RoomSnapshot parse(String json) {
        if (!(Json.parse(json) instanceof Map<?, ?> root)) {
            throw new IllegalArgumentException("snapshot must be a JSON object");
        }
        Map<String, Object> schema = optionalObject(root, "schema");
        if (root.get("store") instanceof Map<?, ?> store && !root.containsKey("documents")) {
            List<RoomSnapshot.Document> docs = new ArrayList<>();
            for (Object r : store.values()) {
                if (!(r instanceof Map<?, ?> m)) {
                    throw new IllegalArgumentException("store values must be records");
                }
                docs.add(new RoomSnapshot.Document((Map<String, Object>) m, 0));
            }
            return new RoomSnapshot(0, docs, Map.of(), 0, schema);
        }
        if (!(root.get("documents") instanceof List<?> documents)) {
            throw new IllegalArgumentException("snapshot.documents must be an array");
        }
        List<RoomSnapshot.Document> docs = new ArrayList<>(documents.size());
        long maxClock = 0;
        for (Object d : documents) {
            if (!(d instanceof Map<?, ?> dm) || !(dm.get("state") instanceof Map<?, ?> state)) {
                throw new IllegalArgumentException("snapshot.documents[].state must be an object");
            }
            long changed = dm.get("lastChangedClock") instanceof Long l ? l : 0;
            maxClock = Math.max(maxClock, changed);
            docs.add(new RoomSnapshot.Document((Map<String, Object>) state, changed));
        }
        Map<String, Long> tombstones = new LinkedHashMap<>();
        Object t = root.get("tombstones");
        if (t != null) {
            if (!(t instanceof Map<?, ?> tm)) {
                throw new IllegalArgumentException("snapshot.tombstones must be an object");
            }
            for (Map.Entry<?, ?> e : tm.entrySet()) {
                if (!(e.getValue() instanceof Long clock)) {
                    throw new IllegalArgumentException("snapshot.tombstones values must be integers");
                }
                tombstones.put((String) e.getKey(), clock);
                maxClock = Math.max(maxClock, clock);
            }
        }
        long clock = optionalLong(root, "documentClock", optionalLong(root, "clock", 0));
        clock = Math.max(clock, maxClock);
        long historyStart = optionalLong(root, "tombstoneHistoryStartsAtClock", clock);
        return new RoomSnapshot(clock, docs, tombstones, Math.min(historyStart, clock), schema);
    }

    /** Writes a snapshot in tldraw's {@code RoomSnapshot} shape. */
    public static String write(RoomSnapshot snapshot) {
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("tombstoneHistoryStartsAtClock", snapshot.tombstoneHistoryStartsAtClock());
        out.put("documentClock", snapshot.documentClock());
        List<Object> docs = new ArrayList<>(snapshot.documents().size());
        for (RoomSnapshot.Document d : snapshot.documents()) {
            Map<String, Object> doc = new LinkedHashMap<>();
            doc.put("state", d.state());
            doc.put("lastChangedClock", d.lastChangedClock());
            docs.add(doc);
        }
        out.put("documents", docs);
        out.put("tombstones", new LinkedHashMap<>(snapshot.tombstones()));
        if (snapshot.schema() != null) {
            out.put("schema", snapshot.schema());
        }
        return Json.stringify(out);
    }

    @SuppressWarnings("unchecked")
    private static @Nullable Map<String, Object> optionalObject(Map<?, ?> root, String key) {
        Object v = root.get(key);
        if (v == null) {
            return null;
        }
        if (!(v instanceof Map<?, ?> m)) {
            throw new IllegalArgumentException("snapshot." + key + " must be an object");
        }
        return (Map<String, Object>) m;
    }

    private static long optionalLong(Map<?, ?> root, String key, long fallback) {
        Object v = root.get(key);
        if (v == null) {
            return fallback;
        }
        if (!(v instanceof Long l)) {
            throw new IllegalArgumentException("snapshot." + key + " must be an integer");
        }
        return l;
    }
}
