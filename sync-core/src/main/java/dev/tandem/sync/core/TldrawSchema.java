package dev.tandem.sync.core;

import dev.tandem.sync.core.internal.tldraw.TldrawMigrations;

/** tldraw 5.4.2's schema as a {@link RoomSchema} (interim: record types and sequences, no validators yet). */
public final class TldrawSchema {
    private static final RoomSchema DEFAULTS = build();

    private TldrawSchema() {}

    /** Returns tldraw's default schema. */
    public static RoomSchema defaults() {
        return DEFAULTS;
    }

    private static RoomSchema build() {
        RoomSchema.Builder b = RoomSchema.builder();
        TldrawMigrations.sequences().forEach(b::sequence);
        TldrawMigrations.migrations().forEach(b::migration);
        for (String type : new String[] {"asset", "binding", "document", "page", "shape", "user"}) {
            b.documentType(type);
        }
        return b.presenceType("instance_presence").build();
    }
}
