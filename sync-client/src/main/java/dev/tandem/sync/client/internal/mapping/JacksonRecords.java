package dev.tandem.sync.client.internal.mapping;

import dev.tandem.sync.client.Store;
import dev.tandem.sync.client.TypedRecords;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import tools.jackson.core.JacksonException;
import tools.jackson.databind.DeserializationFeature;
import tools.jackson.databind.json.JsonMapper;

/** {@link TypedRecords} over a {@link Store}, converting with one shared Jackson mapper. Thread-safe. */
public final class JacksonRecords<T> implements TypedRecords<T> {
    private static final JsonMapper MAPPER = JsonMapper.builder()
            .disable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .build();

    private final Store store;
    private final String typeName;
    private final Class<T> type;

    public JacksonRecords(Store store, String typeName, Class<T> type) {
        this.store = Objects.requireNonNull(store, "store");
        this.typeName = Objects.requireNonNull(typeName, "typeName");
        this.type = Objects.requireNonNull(type, "type");
    }

    @Override
    public String typeName() {
        return typeName;
    }

    @Override
    public Optional<T> get(String id) {
        return store.get(id).filter(r -> typeName.equals(r.get("typeName"))).map(this::fromRecord);
    }

    @Override
    public List<T> all() {
        List<Map<String, Object>> records = store.query(typeName);
        List<T> out = new ArrayList<>(records.size());
        for (Map<String, Object> r : records) {
            out.add(fromRecord(r));
        }
        return out;
    }

    @Override
    public void put(T value) {
        store.put(toRecord(value));
    }

    @Override
    public boolean remove(String id) {
        if (get(id).isEmpty()) {
            return false;
        }
        return store.remove(id);
    }

    /** Converts a JSON record to {@code T}. */
    public T fromRecord(Map<String, Object> record) {
        try {
            return MAPPER.convertValue(record, type);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(
                    "record " + record.get("id") + " does not map to " + type.getName() + ": " + e.getOriginalMessage(),
                    e);
        }
    }

    /** Converts {@code value} to a JSON record of this type. */
    @SuppressWarnings("unchecked")
    public Map<String, Object> toRecord(T value) {
        Objects.requireNonNull(value, "value");
        Object json;
        try {
            json = MAPPER.convertValue(value, Object.class);
        } catch (JacksonException e) {
            throw new IllegalArgumentException(
                    type.getName() + " does not map to a JSON record: " + e.getOriginalMessage(), e);
        }
        if (!(json instanceof Map)) {
            throw new IllegalArgumentException(type.getName() + " does not map to a JSON object");
        }
        LinkedHashMap<String, Object> record = new LinkedHashMap<>((Map<String, Object>) json);
        Object tn = record.get("typeName");
        if (tn == null) {
            record.put("typeName", typeName);
        } else if (!typeName.equals(tn)) {
            throw new IllegalArgumentException("typeName must be " + typeName + " but was " + tn);
        }
        return record;
    }
}
