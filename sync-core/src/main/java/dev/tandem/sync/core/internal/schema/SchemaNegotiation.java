package dev.tandem.sync.core.internal.schema;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.Migration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * Decides whether a client's serialized schema can talk to the room's, following tldraw's {@code
 * getMigrationsSince} and {@code getVersionMismatchReason}: shared sequences where the client is behind
 * (and retroactive sequences the client lacks) need a complete chain of steps that all have a {@code down};
 * a client ahead, or with sequences the room does not know, is rejected as {@code SERVER_TOO_OLD}; client
 * sequences unknown to the room are otherwise ignored. Stateless and thread-safe.
 */
public final class SchemaNegotiation {
    private SchemaNegotiation() {}

    /** The outcome: migrations to use, or the reason to reject the client. */
    public record Outcome(
            @Nullable ClientMigrations migrations, @Nullable CloseReason rejection) {
        static Outcome ok(List<Migration> steps) {
            return new Outcome(new ClientMigrations(steps), null);
        }

        static Outcome reject(CloseReason reason) {
            return new Outcome(null, reason);
        }
    }

    /**
     * Negotiates {@code clientSchema} (a serialized schema, v1 or v2) against the room's sequences and
     * migrations: every step between the client's versions and the room's must have a {@code down}.
     */
    public static Outcome negotiate(
            Map<String, Integer> roomSequences, List<Migration> roomMigrations, @Nullable Object clientSchema) {
        return compute(roomSequences, roomMigrations, clientSchema, true);
    }

    /**
     * Finds the steps that bring records stored under {@code storedSchema} up to the room's schema, as tldraw
     * does when a room loads: only {@code up} is needed. Rejects with {@code CLIENT_TOO_OLD} if a step is
     * missing and {@code SERVER_TOO_OLD} if the stored schema is ahead of the room's.
     */
    public static Outcome negotiateUp(
            Map<String, Integer> roomSequences, List<Migration> roomMigrations, @Nullable Object storedSchema) {
        return compute(roomSequences, roomMigrations, storedSchema, false);
    }

    private static Outcome compute(
            Map<String, Integer> roomSequences,
            List<Migration> roomMigrations,
            @Nullable Object clientSchema,
            boolean needDown) {
        if (!(clientSchema instanceof Map<?, ?> schema)) {
            return Outcome.reject(CloseReason.CLIENT_TOO_OLD);
        }
        if (!(schema.get("schemaVersion") instanceof Long schemaVersion)) {
            return Outcome.reject(CloseReason.CLIENT_TOO_OLD);
        }
        if (schemaVersion > 2) {
            return Outcome.reject(CloseReason.SERVER_TOO_OLD);
        }
        Map<String, Long> client = schemaVersion == 1 ? upgradeV1(schema) : sequences(schema);
        if (client == null) {
            return Outcome.reject(CloseReason.CLIENT_TOO_OLD);
        }
        List<Migration> steps = new ArrayList<>();
        boolean failed = false;
        boolean missingDown = false;
        for (Map.Entry<String, Integer> seq : roomSequences.entrySet()) {
            Long theirs = client.get(seq.getKey());
            int ours = seq.getValue();
            if (theirs == null && isRetroactive(seq.getKey(), roomMigrations)) {
                theirs = 0L; // like tldraw: a retroactive sequence the client lacks applies in full
            }
            if (theirs == null || theirs == ours) {
                continue;
            }
            if (theirs > ours || theirs < 0) {
                failed = true;
                break;
            }
            int found = 0;
            for (Migration m : roomMigrations) {
                if (m.sequenceId().equals(seq.getKey()) && m.version() > theirs && m.version() <= ours) {
                    missingDown |= needDown && m.down() == null;
                    steps.add(m);
                    found++;
                }
            }
            if (found != ours - theirs) {
                failed = true;
                break;
            }
        }
        if (!failed) {
            // like tldraw: the chain is found first, then every step must be able to go down
            return missingDown ? Outcome.reject(CloseReason.CLIENT_TOO_OLD) : Outcome.ok(steps);
        }
        for (Map.Entry<String, Long> theirs : client.entrySet()) {
            Integer ours = roomSequences.get(theirs.getKey());
            if (ours == null || theirs.getValue() > ours) {
                return Outcome.reject(CloseReason.SERVER_TOO_OLD);
            }
        }
        return Outcome.reject(CloseReason.CLIENT_TOO_OLD);
    }

    private static boolean isRetroactive(String sequenceId, List<Migration> roomMigrations) {
        for (Migration m : roomMigrations) {
            if (m.retroactive() && m.sequenceId().equals(sequenceId)) {
                return true;
            }
        }
        return false;
    }

    /** Returns the v2 sequences of a serialized schema, or null if it is malformed. */
    public static @Nullable Map<String, Long> sequences(Map<?, ?> schema) {
        if (!(schema.get("sequences") instanceof Map<?, ?> seqs)) {
            return null;
        }
        Map<String, Long> out = new LinkedHashMap<>();
        for (Map.Entry<?, ?> e : seqs.entrySet()) {
            if (!(e.getValue() instanceof Long v)) {
                return null;
            }
            out.put((String) e.getKey(), v);
        }
        return out;
    }

    /** Converts a legacy v1 schema's versions to v2 sequence ids, as tldraw does. */
    private static @Nullable Map<String, Long> upgradeV1(Map<?, ?> schema) {
        Map<String, Long> out = new LinkedHashMap<>();
        if (schema.get("storeVersion") instanceof Long store) {
            out.put("com.tldraw.store", store);
        }
        if (!(schema.get("recordVersions") instanceof Map<?, ?> records)) {
            return null;
        }
        for (Map.Entry<?, ?> e : records.entrySet()) {
            if (!(e.getValue() instanceof Map<?, ?> rv) || !(rv.get("version") instanceof Long version)) {
                return null;
            }
            out.put("com.tldraw." + e.getKey(), version);
            if (rv.get("subTypeVersions") instanceof Map<?, ?> subs) {
                for (Map.Entry<?, ?> s : subs.entrySet()) {
                    if (s.getValue() instanceof Long sv) {
                        out.put("com.tldraw." + e.getKey() + "." + s.getKey(), sv);
                    }
                }
            }
        }
        return out;
    }

    /** Returns a serialized v2 schema's sequences as room sequences, or null if malformed. */
    public static @Nullable Map<String, Integer> roomSequences(Map<?, ?> serialized) {
        Object version = serialized.get("schemaVersion");
        Map<String, Long> seqs = Long.valueOf(1).equals(version) ? upgradeV1(serialized) : sequences(serialized);
        if (seqs == null) {
            return null;
        }
        Map<String, Integer> out = new LinkedHashMap<>();
        seqs.forEach((k, v) -> out.put(k, (int) Math.min(Integer.MAX_VALUE, Math.max(0, v))));
        return out;
    }
}
