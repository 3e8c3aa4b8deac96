package dev.tandem.sync.core.internal.schema;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.Migration;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenMap;
import java.util.List;
import java.util.Map;

/**
 * The migration steps between an older client's schema and the room's, in forward order. Immutable and
 * thread-safe. {@link #up} turns the client's records into the room's version, {@link #down} the reverse;
 * a failing step throws {@link SyncException} with {@link CloseReason#CLIENT_TOO_OLD}.
 */
public final class ClientMigrations {
    private final List<Migration> steps;

    ClientMigrations(List<Migration> steps) {
        this.steps = List.copyOf(steps);
    }

    /** Returns true when the client needs no migration at all. */
    public boolean isEmpty() {
        return steps.isEmpty();
    }

    /** Migrates a record from the client's schema up to the room's. */
    public FrozenMap up(FrozenMap record) {
        FrozenMap r = record;
        for (Migration m : steps) {
            if (m.appliesTo(r)) {
                r = run(m, r, true);
            }
        }
        return r;
    }

    /** Migrates a record from the room's schema down to the client's. */
    public FrozenMap down(FrozenMap record) {
        FrozenMap r = record;
        for (int i = steps.size() - 1; i >= 0; i--) {
            Migration m = steps.get(i);
            if (m.appliesTo(r)) {
                r = run(m, r, false);
            }
        }
        return r;
    }

    @SuppressWarnings("unchecked")
    private static FrozenMap run(Migration m, FrozenMap r, boolean up) {
        try {
            var fn = up ? m.up() : m.down();
            if (fn == null) {
                throw new IllegalStateException("no down migration");
            }
            Map<String, Object> out = fn.apply((Map<String, Object>) (Map<String, ?>) r);
            if (out == null) {
                throw new IllegalStateException("migration returned null");
            }
            return Frozen.freezeMap(out);
        } catch (RuntimeException e) {
            throw new SyncException(
                    CloseReason.CLIENT_TOO_OLD,
                    (up ? "up" : "down") + " migration " + m.sequenceId() + "/" + m.version() + " failed: "
                            + e.getMessage(),
                    e);
        }
    }
}
