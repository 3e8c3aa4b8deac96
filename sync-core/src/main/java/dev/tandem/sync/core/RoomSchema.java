package dev.tandem.sync.core;

import dev.tandem.sync.core.internal.tldraw.TldrawMigrations;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import org.jspecify.annotations.Nullable;

/**
 * What a room accepts: a serialized schema (tldraw's {@code schemaVersion} 2 plus migration {@code
 * sequences}), the document record types with optional validators, the presence record type, and the
 * migrations that let older clients stay connected. Immutable and thread-safe.
 *
 * <p>{@link TldrawSchema} builds tldraw's schema, the default of {@link RoomOptions}; this builder declares an
 * app's own. {@link #pinned()} is for development only: the first schema a writer sends becomes the room's
 * schema, every record type is accepted, and the presence type comes from a tldraw schema or the first
 * writer's presence record (see {@code docs/schema.md} for its limits).
 *
 * <pre>{@code
 * RoomSchema schema = RoomSchema.builder()
 *     .sequence("com.example.note", 2)
 *     .documentType("note", note -> require(note.get("text") instanceof String))
 *     .presenceType("presence")
 *     .migration(new Migration("com.example.note", 2, "note", up, down))
 *     .build();
 * }</pre>
 */
public final class RoomSchema {
    private static final RoomSchema PINNED =
            new RoomSchema(true, Map.of(), TldrawMigrations.nonRetroactiveSequences(), Map.of(), null, null, List.of());

    private final boolean pinned;
    private final Map<String, Integer> sequences;
    private final Set<String> nonRetroactive;
    private final Map<String, RecordValidator> documentTypes;
    private final @Nullable String presenceType;
    private final @Nullable RecordValidator presenceValidator;
    private final List<Migration> migrations;

    private RoomSchema(
            boolean pinned,
            Map<String, Integer> sequences,
            Set<String> nonRetroactive,
            Map<String, RecordValidator> documentTypes,
            @Nullable String presenceType,
            @Nullable RecordValidator presenceValidator,
            List<Migration> migrations) {
        this.pinned = pinned;
        this.sequences = sequences;
        this.nonRetroactive = nonRetroactive;
        this.documentTypes = documentTypes;
        this.presenceType = presenceType;
        this.presenceValidator = presenceValidator;
        this.migrations = migrations;
    }

    /** Returns the schema that adopts the first schema a room sees. */
    public static RoomSchema pinned() {
        return PINNED;
    }

    /** Returns a builder for an explicit schema. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns true for {@link #pinned()}. */
    public boolean isPinned() {
        return pinned;
    }

    /** Returns each sequence's current version, sorted by sequence id. */
    public Map<String, Integer> sequences() {
        return sequences;
    }

    /**
     * Returns whether a client schema without {@code sequenceId} is taken to be at its version 0 (true, the
     * default, as tldraw's {@code retroactive} sequences) rather than ignored. A client at version 0 of a
     * sequence the room has at a later version needs every migration of it, each with a {@code down}, or is
     * rejected as {@code CLIENT_TOO_OLD}. Every sequence is retroactive except tldraw's own that are not
     * ({@code com.tldraw.store}, {@code com.tldraw.shape.arrow}) and those declared with {@code retroactive}
     * false; {@link #pinned()} rooms, which know no migrations, follow the same rule.
     */
    public boolean isRetroactive(String sequenceId) {
        return !nonRetroactive.contains(sequenceId);
    }

    /** Returns the document record types and their validators. */
    public Map<String, RecordValidator> documentTypes() {
        return documentTypes;
    }

    /** Returns the presence record type, or null if the room has no presence. */
    public @Nullable String presenceType() {
        return presenceType;
    }

    /** Returns the presence validator, or null. */
    public @Nullable RecordValidator presenceValidator() {
        return presenceValidator;
    }

    /** Returns every migration, ordered by sequence and version. */
    public List<Migration> migrations() {
        return migrations;
    }

    /** Returns the serialized form sent to clients: {@code {"schemaVersion":2,"sequences":{…}}}. */
    public Map<String, Object> serialize() {
        Map<String, Object> seq = new LinkedHashMap<>();
        sequences.forEach((k, v) -> seq.put(k, (long) v));
        Map<String, Object> out = new LinkedHashMap<>();
        out.put("schemaVersion", 2L);
        out.put("sequences", seq);
        return Json.frozenObject(out);
    }

    /** Builds a {@link RoomSchema}; not thread-safe. */
    public static final class Builder {
        private final Map<String, Integer> sequences = new TreeMap<>();
        private final Set<String> nonRetroactive = new TreeSet<>(TldrawMigrations.nonRetroactiveSequences());
        private final Map<String, RecordValidator> documentTypes = new LinkedHashMap<>();
        private @Nullable String presenceType;
        private @Nullable RecordValidator presenceValidator;
        private final List<Migration> migrations = new ArrayList<>();

        private Builder() {}

        /**
         * Declares a migration sequence at its current version (>= 0). It is retroactive (see {@link
         * RoomSchema#isRetroactive}) unless it is one of tldraw's own sequences that are not ({@code
         * com.tldraw.store}, {@code com.tldraw.shape.arrow}) or was declared otherwise.
         */
        public Builder sequence(String sequenceId, int version) {
            Objects.requireNonNull(sequenceId, "sequenceId");
            if (version < 0) {
                throw new IllegalArgumentException("version of " + sequenceId + " must be >= 0 but was " + version);
            }
            sequences.put(sequenceId, version);
            return this;
        }

        /** Declares a migration sequence at its current version (>= 0) and whether it is retroactive. */
        public Builder sequence(String sequenceId, int version, boolean retroactive) {
            sequence(sequenceId, version);
            if (retroactive) {
                nonRetroactive.remove(sequenceId);
            } else {
                nonRetroactive.add(sequenceId);
            }
            return this;
        }

        /** Declares a document record type that accepts any record. */
        public Builder documentType(String typeName) {
            return documentType(typeName, RecordValidator.ANY);
        }

        /** Declares a document record type with a validator. */
        public Builder documentType(String typeName, RecordValidator validator) {
            Objects.requireNonNull(typeName, "typeName");
            Objects.requireNonNull(validator, "validator");
            if (typeName.equals(presenceType)) {
                throw new IllegalArgumentException(typeName + " is already the presence type");
            }
            documentTypes.put(typeName, validator);
            return this;
        }

        /** Declares the presence record type (at most one) that accepts any record. */
        public Builder presenceType(String typeName) {
            return presenceType(typeName, RecordValidator.ANY);
        }

        /** Declares the presence record type (at most one) with a validator. */
        public Builder presenceType(String typeName, RecordValidator validator) {
            Objects.requireNonNull(typeName, "typeName");
            Objects.requireNonNull(validator, "validator");
            if (presenceType != null && !presenceType.equals(typeName)) {
                throw new IllegalArgumentException(
                        "a room has at most one presence type but got " + presenceType + " and " + typeName);
            }
            if (documentTypes.containsKey(typeName)) {
                throw new IllegalArgumentException(typeName + " is already a document type");
            }
            presenceType = typeName;
            presenceValidator = validator;
            return this;
        }

        /** Adds a migration step; its sequence's version becomes at least the step's version. */
        public Builder migration(Migration migration) {
            Objects.requireNonNull(migration, "migration");
            for (Migration m : migrations) {
                if (m.sequenceId().equals(migration.sequenceId()) && m.version() == migration.version()) {
                    throw new IllegalArgumentException(
                            "duplicate migration " + migration.sequenceId() + "/" + migration.version());
                }
            }
            migrations.add(migration);
            return this;
        }

        public RoomSchema build() {
            Map<String, Integer> seq = new TreeMap<>(sequences);
            for (Migration m : migrations) {
                seq.merge(m.sequenceId(), m.version(), Math::max);
            }
            List<Migration> sorted = new ArrayList<>(migrations);
            sorted.sort(Comparator.comparing(Migration::sequenceId).thenComparingInt(Migration::version));
            return new RoomSchema(
                    false,
                    java.util.Collections.unmodifiableMap(seq),
                    Set.copyOf(nonRetroactive),
                    java.util.Collections.unmodifiableMap(new LinkedHashMap<>(documentTypes)),
                    presenceType,
                    presenceValidator,
                    List.copyOf(sorted));
        }
    }
}
