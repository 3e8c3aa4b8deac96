package dev.tandem.sync.client.internal.offline;

import dev.tandem.sync.client.SyncWorker;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

/** {@link SyncWorker.LocalStore#inMemory()}: records by room and id. Thread-safe; a page applies atomically. */
public final class InMemoryLocalStore implements SyncWorker.LocalStore {
    private final Map<String, Map<String, Map<String, Object>>> rooms = new HashMap<>();

    @Override
    public synchronized void apply(List<SyncWorker.PulledChange> changes) {
        for (SyncWorker.PulledChange c : changes) {
            Map<String, Map<String, Object>> room = rooms.computeIfAbsent(c.roomId(), r -> new ConcurrentHashMap<>());
            if (c.record() == null) {
                room.remove(c.recordId());
            } else {
                room.put(c.recordId(), c.record());
            }
        }
    }

    @Override
    public synchronized Set<String> recordIds(String roomId) {
        Map<String, Map<String, Object>> room = rooms.get(roomId);
        return room == null ? Set.of() : Set.copyOf(room.keySet());
    }

    @Override
    public synchronized Optional<Map<String, Object>> get(String roomId, String recordId) {
        Map<String, Map<String, Object>> room = rooms.get(roomId);
        return room == null ? Optional.empty() : Optional.ofNullable(room.get(recordId));
    }
}
