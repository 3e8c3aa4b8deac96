package dev.tandem.sync.client.internal.engine;

import dev.tandem.sync.client.Store;
import dev.tandem.sync.client.StoreListener;
import dev.tandem.sync.client.Subscription;
import dev.tandem.sync.client.TypedRecords;
import dev.tandem.sync.client.internal.mapping.JacksonRecords;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenMap;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.function.UnaryOperator;

/** The {@link Store} of one {@link SyncEngine}: validation in front of the engine's table. Thread-safe. */
final class StoreView implements Store {
    private final SyncEngine engine;
    private final String presenceType;

    StoreView(SyncEngine engine, String presenceType) {
        this.engine = engine;
        this.presenceType = presenceType;
    }

    @Override
    public Optional<Map<String, Object>> get(String id) {
        Objects.requireNonNull(id, "id");
        FrozenMap r = engine.read(t -> t.get(id));
        return Optional.ofNullable(r).map(RecordsDiff::asRecord);
    }

    @Override
    public List<Map<String, Object>> query(String typeName) {
        Objects.requireNonNull(typeName, "typeName");
        return engine.read(t -> copy(t.ofType(typeName)));
    }

    @Override
    public List<Map<String, Object>> all() {
        return engine.read(t -> copy(t.values()));
    }

    @Override
    public int size() {
        return engine.read(RecordTable::size);
    }

    @Override
    public void put(Map<String, ?> record) {
        FrozenMap r = validRecord(record);
        engine.changeLocally(t -> t.set(id(r), r));
    }

    @Override
    public void putAll(Collection<? extends Map<String, ?>> records) {
        Objects.requireNonNull(records, "records");
        List<FrozenMap> valid = new ArrayList<>(records.size());
        for (Map<String, ?> r : records) {
            valid.add(validRecord(r));
        }
        engine.changeLocally(t -> {
            for (FrozenMap r : valid) {
                t.set(id(r), r);
            }
        });
    }

    @Override
    public boolean update(String id, UnaryOperator<Map<String, Object>> change) {
        Objects.requireNonNull(id, "id");
        Objects.requireNonNull(change, "change");
        boolean[] found = {false};
        engine.changeLocally(t -> {
            FrozenMap prev = t.get(id);
            if (prev == null) {
                return;
            }
            if (presenceType.equals(RecordTable.typeOf(prev))) {
                throw presenceError(presenceType);
            }
            found[0] = true;
            FrozenMap next = validRecord(change.apply(RecordsDiff.asRecord(prev)));
            if (!id.equals(next.get("id"))) {
                throw new IllegalArgumentException("update must keep the id " + id + " but returned " + next.get("id"));
            }
            t.set(id, next);
        });
        return found[0];
    }

    @Override
    public boolean remove(String id) {
        Objects.requireNonNull(id, "id");
        boolean[] found = {false};
        engine.changeLocally(t -> {
            FrozenMap prev = t.get(id);
            if (prev != null) {
                checkNotPresence(prev);
                found[0] = true;
                t.set(id, null);
            }
        });
        return found[0];
    }

    @Override
    public void removeAll(Collection<String> ids) {
        List<String> copy = List.copyOf(ids);
        engine.changeLocally(t -> {
            for (String id : copy) {
                FrozenMap prev = t.get(id);
                if (prev != null) {
                    checkNotPresence(prev);
                }
            }
            for (String id : copy) {
                t.set(id, null);
            }
        });
    }

    @Override
    public Subscription addListener(StoreListener listener) {
        return engine.addStoreListener(listener);
    }

    @Override
    public <T> TypedRecords<T> typed(String typeName, Class<T> type) {
        return new JacksonRecords<>(this, typeName, type);
    }

    private FrozenMap validRecord(Map<String, ?> record) {
        Objects.requireNonNull(record, "record");
        FrozenMap r;
        try {
            r = Frozen.freezeMap(record);
        } catch (RuntimeException e) {
            throw new IllegalArgumentException("record is not JSON: " + e.getMessage(), e);
        }
        if (!(r.get("id") instanceof String)) {
            throw new IllegalArgumentException("record must have a string id but had " + r.get("id"));
        }
        if (!(r.get("typeName") instanceof String)) {
            throw new IllegalArgumentException(
                    "record " + r.get("id") + " must have a string typeName but had " + r.get("typeName"));
        }
        checkNotPresence(r);
        return r;
    }

    private void checkNotPresence(Map<String, ?> record) {
        if (presenceType.equals(RecordTable.typeOf(record))) {
            throw presenceError(presenceType);
        }
    }

    private static IllegalArgumentException presenceError(String presenceType) {
        return new IllegalArgumentException("records of the presence type " + presenceType
                + " are managed by the server; set this client's presence with the builder's presence supplier");
    }

    private static String id(FrozenMap r) {
        return (String) r.get("id");
    }

    private static List<Map<String, Object>> copy(Collection<FrozenMap> records) {
        List<Map<String, Object>> out = new ArrayList<>(records.size());
        for (FrozenMap r : records) {
            out.add(RecordsDiff.asRecord(r));
        }
        return List.copyOf(out);
    }
}
