package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.schema.ClientMigrations;
import dev.tandem.sync.core.internal.schema.SchemaNegotiation;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The schema a room speaks now: the serialized form sent to clients, its migration sequences and the presence
 * type. Fixed by the {@link RoomSchema}, or in pinned mode by the first writer's or stored document's schema.
 * Confined to the room's lane.
 */
final class SchemaState {
    final RoomSchema schema;
    /** The serialized schema sent to clients; in pinned mode null until a writer or a snapshot pins it. */
    @Nullable
    FrozenMap serialized;

    @Nullable
    Map<String, Integer> sequences;

    @Nullable
    String presenceType;

    SchemaState(RoomSchema schema) {
        this.schema = schema;
        this.presenceType = schema.presenceType();
        if (!schema.isPinned()) {
            this.serialized = Frozen.freezeMap(schema.serialize());
            this.sequences = schema.sequences();
        }
    }

    /**
     * Pinned mode: adopts a writer's (or a stored document's) schema. A tldraw schema brings tldraw's presence
     * type with it, so that no session's first presence record has to name it.
     */
    void pin(FrozenMap serializedSchema, Map<String, Integer> pinnedSequences) {
        serialized = serializedSchema;
        sequences = pinnedSequences;
        if (presenceType == null && pinnedSequences.containsKey("com.tldraw.instance_presence")) {
            presenceType = "instance_presence";
        }
    }

    /** A loaded document and whether its records had to be migrated up to the room's schema. */
    record Loaded(DocumentState doc, boolean migrated) {}

    /** Loads a snapshot and migrates its records up to the room's schema (in pinned mode, pins the schema). */
    Loaded migrateSnapshot(RoomSnapshot snapshot) {
        DocumentState loaded = DocumentState.fromSnapshot(snapshot);
        Map<String, Object> snapshotSchema = snapshot.schema();
        if (snapshotSchema == null) {
            return new Loaded(loaded, false);
        }
        if (serialized == null) {
            Map<String, Integer> seqs = SchemaNegotiation.roomSequences(snapshotSchema);
            if (seqs == null) {
                throw new IllegalArgumentException("snapshot schema is malformed");
            }
            pin(Frozen.freezeMap(snapshotSchema), seqs);
            return new Loaded(loaded, false);
        }
        SchemaNegotiation.Outcome outcome =
                SchemaNegotiation.negotiateUp(sequences, schema.migrations(), schema::isRetroactive, snapshotSchema);
        if (outcome.rejection() != null) {
            throw new IllegalArgumentException("snapshot schema cannot be migrated to the room's: "
                    + (outcome.rejection() == CloseReason.SERVER_TOO_OLD
                            ? "it is newer than the room's"
                            : "a migration step is missing")
                    + " (" + outcome.rejection() + ")");
        }
        ClientMigrations m = outcome.migrations();
        boolean migrated = m != null && !m.isEmpty();
        if (migrated) {
            for (Map.Entry<String, RoomSnapshot.Document> e : loaded.docs.entrySet()) {
                RoomSnapshot.Document d = e.getValue();
                RoomSnapshot.Document up = DocumentState.compacted(m.up(DocumentState.state(d)), d.lastChangedClock());
                loaded.totalSize += DocumentState.size(up) - DocumentState.size(d);
                e.setValue(up);
            }
        }
        return new Loaded(loaded, migrated);
    }
}
