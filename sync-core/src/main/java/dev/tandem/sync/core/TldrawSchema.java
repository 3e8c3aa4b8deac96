package dev.tandem.sync.core;

import dev.tandem.sync.core.internal.tldraw.TldrawMigrations;
import dev.tandem.sync.core.internal.tldraw.TldrawValidators;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * tldraw's own schema, {@code createTLSchema()} of {@code @tldraw/tlschema} 5.4.2, as a {@link RoomSchema}: its
 * migration sequences and migrations, and for each record type a room holds the validator tldraw's {@code
 * TLSocketRoom} runs, with the same verdict on every record. Session-scope types ({@code instance}, {@code
 * camera}, {@code pointer}, {@code instance_page_state}) are not room types and are refused like unknown ones.
 *
 * <p>{@link #builder()} adds what a tldraw app passes to {@code createTLSchema}: custom shape types (its
 * {@code shapeUtils}), custom binding types ({@code bindingUtils}) and custom record types ({@code records}).
 *
 * <pre>{@code
 * RoomSchema schema = TldrawSchema.builder()
 *     .shapeType("card", Map.of(
 *         "w", Validators.nonZeroNumber(),
 *         "h", Validators.nonZeroNumber(),
 *         "title", Validators.string()))
 *     .recordType("comment", TldrawSchema.Scope.DOCUMENT, Validators.object(Map.of(
 *         "id", Validators.string(),
 *         "typeName", Validators.literal("comment"),
 *         "text", Validators.string())))
 *     .build();
 * }</pre>
 *
 * <p>Stateless; the schemas it returns are immutable and thread-safe.
 */
public final class TldrawSchema {
    /** tldraw's built-in record type names, which custom record types may not take. */
    private static final Set<String> BUILT_IN_TYPE_NAMES = Set.of(
            "asset",
            "binding",
            "camera",
            "document",
            "instance",
            "instance_page_state",
            "page",
            "instance_presence",
            "pointer",
            "shape",
            "store",
            "user");

    private static final RoomSchema DEFAULTS = builder().build();

    private TldrawSchema() {}

    /** The scope of a custom record type. */
    public enum Scope {
        /** Part of the document: stored, versioned, synced to every client. */
        DOCUMENT,
        /** Per-session presence; a tldraw room has exactly one presence type, {@code instance_presence}. */
        PRESENCE
    }

    /** Returns tldraw 5.4.2's default schema: its 13 shapes, the arrow binding, and its record types. */
    public static RoomSchema defaults() {
        return DEFAULTS;
    }

    /** Returns a builder that starts from {@link #defaults()}. */
    public static Builder builder() {
        return new Builder();
    }

    /** Builds a tldraw schema with an app's own shapes, bindings and record types; not thread-safe. */
    public static final class Builder {
        private final Map<String, Validator> shapes = new LinkedHashMap<>(TldrawValidators.defaultShapes());
        private final Map<String, Validator> bindings = new LinkedHashMap<>(TldrawValidators.defaultBindings());
        private final Map<String, Validator> records = new LinkedHashMap<>();
        private final Map<String, Integer> sequences = new LinkedHashMap<>();
        private final List<Migration> migrations = new ArrayList<>();

        private Builder() {}

        /**
         * Adds a custom shape type, as a tldraw {@code ShapeUtil} with {@code static props} and {@code static
         * migrations} does. Its records are tldraw shapes ({@code id}, {@code x}, {@code parentId}, …) whose
         * {@code props} hold exactly {@code props}. Its migrations form the sequence {@code
         * com.tldraw.shape.<type>} and apply to shapes of this type only.
         *
         * @throws IllegalArgumentException if {@code type} is empty or already a shape type, or a migration
         *     belongs to another sequence or record type
         */
        public Builder shapeType(String type, Map<String, ? extends Validator> props, Migration... migrations) {
            checkSubtype("shape", type, shapes);
            Validator p = Validators.object(Objects.requireNonNull(props, "props"));
            addSubtypeMigrations("shape", type, migrations);
            shapes.put(type, TldrawValidators.shape(type, p));
            return this;
        }

        /**
         * Adds a custom binding type, as a tldraw {@code BindingUtil} with {@code static props} and {@code
         * static migrations} does; its migrations form the sequence {@code com.tldraw.binding.<type>}.
         *
         * @throws IllegalArgumentException if {@code type} is empty or already a binding type, or a migration
         *     belongs to another sequence or record type
         */
        public Builder bindingType(String type, Map<String, ? extends Validator> props, Migration... migrations) {
            checkSubtype("binding", type, bindings);
            Validator p = Validators.object(Objects.requireNonNull(props, "props"));
            addSubtypeMigrations("binding", type, migrations);
            bindings.put(type, TldrawValidators.binding(type, p));
            return this;
        }

        /**
         * Adds a custom record type, as {@code createTLSchema({records})} does: {@code validator} checks whole
         * records of {@code typeName}; its migrations form the sequence {@code com.tldraw.<typeName>}.
         *
         * @throws IllegalArgumentException if {@code typeName} is empty, tldraw's or already added; if {@code
         *     scope} is {@link Scope#PRESENCE} (a tldraw room has exactly one presence type); or if a migration
         *     belongs to another sequence or record type
         */
        public Builder recordType(String typeName, Scope scope, Validator validator, Migration... migrations) {
            Objects.requireNonNull(typeName, "typeName");
            Objects.requireNonNull(scope, "scope");
            Objects.requireNonNull(validator, "validator");
            Objects.requireNonNull(migrations, "migrations");
            if (typeName.isEmpty()) {
                throw new IllegalArgumentException("record type name must not be empty");
            }
            if (BUILT_IN_TYPE_NAMES.contains(typeName)) {
                throw new IllegalArgumentException("custom record type name '" + typeName
                        + "' conflicts with tldraw's built-in record type of that name");
            }
            if (records.containsKey(typeName)) {
                throw new IllegalArgumentException("record type '" + typeName + "' is already declared");
            }
            if (scope == Scope.PRESENCE) {
                throw new IllegalArgumentException("custom record type '" + typeName
                        + "' has scope PRESENCE but a tldraw room has exactly one presence type, instance_presence");
            }
            List<Migration> steps = ownSteps("com.tldraw." + typeName, typeName, null, migrations);
            records.put(typeName, validator);
            sequences.put("com.tldraw." + typeName, 0);
            this.migrations.addAll(steps);
            return this;
        }

        /** Returns the schema. */
        public RoomSchema build() {
            RoomSchema.Builder b = RoomSchema.builder();
            TldrawMigrations.sequences().forEach(b::sequence);
            sequences.forEach(b::sequence);
            for (Migration m : TldrawMigrations.migrations()) {
                b.migration(m);
            }
            for (Migration m : migrations) {
                b.migration(m);
            }
            b.documentType("asset", record(TldrawValidators.assetRecord()));
            b.documentType("binding", record(TldrawValidators.bindingRecord(bindings)));
            b.documentType("document", record(TldrawValidators.documentRecord()));
            b.documentType("page", record(TldrawValidators.pageRecord()));
            b.documentType("shape", record(TldrawValidators.shapeRecord(shapes)));
            b.documentType("user", record(TldrawValidators.userRecord()));
            records.forEach((typeName, v) -> b.documentType(typeName, record(v)));
            b.presenceType("instance_presence", record(TldrawValidators.instancePresenceRecord()));
            return b.build();
        }

        private static RecordValidator record(Validator v) {
            return v::validate;
        }

        private static void checkSubtype(String kind, @Nullable String type, Map<String, Validator> existing) {
            Objects.requireNonNull(type, kind + " type");
            if (type.isEmpty()) {
                throw new IllegalArgumentException(kind + " type must not be empty");
            }
            if (existing.containsKey(type)) {
                boolean isDefault = kind.equals("shape")
                        ? TldrawValidators.defaultShapeTypes().contains(type)
                        : type.equals("arrow");
                throw new IllegalArgumentException(kind + " type '" + type + "' is "
                        + (isDefault ? "one of tldraw's default " + kind + "s" : "already declared"));
            }
        }

        private void addSubtypeMigrations(String typeName, String type, Migration[] steps) {
            String sequenceId = "com.tldraw." + typeName + "." + type;
            List<Migration> own = ownSteps(sequenceId, typeName, type, steps);
            sequences.put(sequenceId, 0);
            migrations.addAll(own);
        }

        /**
         * Checks that each step belongs to {@code sequenceId} and (if it names one) to {@code typeName}, and
         * returns it limited to records of that type and subtype.
         */
        private static List<Migration> ownSteps(
                String sequenceId, String typeName, @Nullable String subType, Migration[] steps) {
            Objects.requireNonNull(steps, "migrations");
            List<Migration> own = new ArrayList<>();
            for (Migration m : steps) {
                Objects.requireNonNull(m, "migration");
                checkSequence(m, sequenceId);
                if (m.recordType() != null && !m.recordType().equals(typeName)) {
                    throw new IllegalArgumentException("migration " + m.sequenceId() + "/" + m.version()
                            + " must apply to record type '" + typeName + "' but applies to '" + m.recordType()
                            + "'");
                }
                own.add(new Migration(sequenceId, m.version(), typeName, subType, m.up(), m.down()));
            }
            return own;
        }

        private static void checkSequence(Migration m, String sequenceId) {
            if (!m.sequenceId().equals(sequenceId)) {
                throw new IllegalArgumentException(
                        "migration " + m.sequenceId() + "/" + m.version() + " must belong to sequence " + sequenceId);
            }
        }
    }
}
