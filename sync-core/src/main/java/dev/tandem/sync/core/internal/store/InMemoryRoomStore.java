package dev.tandem.sync.core.internal.store;

import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.RoomCommit;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.VersionInfo;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.jspecify.annotations.Nullable;

/** A {@link RoomStore} in this process's memory. Thread-safe (one lock); completes futures at once. */
public final class InMemoryRoomStore implements RoomStore {
    private static final class StoredRoom {
        final HashMap<String, RoomSnapshot.Document> docs = new HashMap<>();
        final LinkedHashMap<String, Long> tombstones = new LinkedHashMap<>();
        long clock;
        long historyStart;

        @Nullable
        Map<String, Object> schema;

        final List<Map.Entry<VersionInfo, RoomSnapshot>> versions = new ArrayList<>();
        final HashMap<String, EventResult> events = new HashMap<>();
        final HashMap<String, String> attributes = new HashMap<>();
    }

    private final HashMap<String, StoredRoom> rooms = new HashMap<>();
    /** Clock reservations by room (see {@link RoomStore#reserveClock}). */
    private final HashMap<String, Long> reservations = new HashMap<>();

    private long nextVersion = 1;

    @Override
    public synchronized CompletableFuture<@Nullable RoomSnapshot> load(String roomId) {
        StoredRoom r = rooms.get(roomId);
        long reserved = reservations.getOrDefault(roomId, -1L);
        if (r == null) {
            return CompletableFuture.completedFuture(
                    reserved > 0 ? new RoomSnapshot(reserved + 1, List.of(), Map.of(), reserved + 1, null) : null);
        }
        if (reserved > r.clock) {
            // clients may have seen clocks up to the reservation: start above it, with no history before
            return CompletableFuture.completedFuture(
                    new RoomSnapshot(reserved + 1, new ArrayList<>(r.docs.values()), Map.of(), reserved + 1, r.schema));
        }
        return CompletableFuture.completedFuture(
                new RoomSnapshot(r.clock, new ArrayList<>(r.docs.values()), r.tombstones, r.historyStart, r.schema));
    }

    @Override
    public synchronized CompletableFuture<Void> reserveClock(String roomId, long clock) {
        reservations.merge(roomId, clock, Math::max);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletableFuture<Void> releaseClock(String roomId, long reserved, long documentClock) {
        StoredRoom r = rooms.get(roomId);
        Long current = reservations.get(roomId);
        if (current != null && current == reserved && r != null && r.clock >= documentClock) {
            reservations.put(roomId, documentClock);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletableFuture<Void> commit(RoomCommit c) {
        StoredRoom r = rooms.computeIfAbsent(c.roomId(), id -> new StoredRoom());
        c.puts().forEach((id, d) -> {
            RoomSnapshot.Document old = r.docs.get(id);
            Long deletedAt = r.tombstones.get(id);
            if ((old == null || old.lastChangedClock() <= d.lastChangedClock())
                    && (deletedAt == null || deletedAt <= d.lastChangedClock())) {
                r.docs.put(id, d);
                Long t = r.tombstones.get(id);
                if (t != null && t <= d.lastChangedClock()) {
                    r.tombstones.remove(id);
                }
            }
        });
        c.tombstones().forEach((id, clock) -> {
            RoomSnapshot.Document old = r.docs.get(id);
            if (old != null && old.lastChangedClock() <= clock) {
                r.docs.remove(id);
            }
            Long known = r.tombstones.get(id);
            if (!r.docs.containsKey(id) && (known == null || known < clock)) {
                r.tombstones.remove(id);
                r.tombstones.put(id, clock);
            }
        });
        r.historyStart = Math.max(r.historyStart, c.tombstoneHistoryStartsAtClock());
        r.tombstones.values().removeIf(clock -> clock < r.historyStart);
        r.clock = Math.max(r.clock, c.documentClock());
        if (c.schema() != null) {
            r.schema = c.schema();
        }
        c.events().forEach(r.events::putIfAbsent);
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletableFuture<VersionInfo> saveVersion(String roomId, RoomSnapshot snapshot) {
        StoredRoom r = rooms.computeIfAbsent(roomId, id -> new StoredRoom());
        VersionInfo info = new VersionInfo(String.valueOf(nextVersion++), snapshot.documentClock(), Instant.now());
        r.versions.add(Map.entry(info, snapshot));
        return CompletableFuture.completedFuture(info);
    }

    @Override
    public synchronized CompletableFuture<List<VersionInfo>> listVersions(String roomId) {
        StoredRoom r = rooms.get(roomId);
        List<VersionInfo> out = new ArrayList<>();
        if (r != null) {
            for (int i = r.versions.size() - 1; i >= 0; i--) {
                out.add(r.versions.get(i).getKey());
            }
        }
        return CompletableFuture.completedFuture(out);
    }

    @Override
    public synchronized CompletableFuture<@Nullable RoomSnapshot> loadVersion(String roomId, String versionId) {
        StoredRoom r = rooms.get(roomId);
        if (r != null) {
            for (Map.Entry<VersionInfo, RoomSnapshot> v : r.versions) {
                if (v.getKey().id().equals(versionId)) {
                    return CompletableFuture.completedFuture(v.getValue());
                }
            }
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public synchronized CompletableFuture<Map<String, EventResult>> loadEventResults(
            String roomId, Collection<String> eventIds) {
        StoredRoom r = rooms.get(roomId);
        Map<String, EventResult> out = new HashMap<>();
        if (r != null) {
            for (String id : eventIds) {
                EventResult e = r.events.get(id);
                if (e != null) {
                    out.put(id, e);
                }
            }
        }
        return CompletableFuture.completedFuture(out);
    }

    @Override
    public synchronized CompletableFuture<@Nullable String> loadAttribute(String roomId, String key) {
        StoredRoom r = rooms.get(roomId);
        return CompletableFuture.completedFuture(r == null ? null : r.attributes.get(key));
    }

    @Override
    public synchronized CompletableFuture<Void> saveAttribute(String roomId, String key, @Nullable String value) {
        StoredRoom r = rooms.computeIfAbsent(roomId, id -> new StoredRoom());
        if (value == null) {
            r.attributes.remove(key);
        } else {
            r.attributes.put(key, value);
        }
        return CompletableFuture.completedFuture(null);
    }

    @Override
    public void close() {}
}
