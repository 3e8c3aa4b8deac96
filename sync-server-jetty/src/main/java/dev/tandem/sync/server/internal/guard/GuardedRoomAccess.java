package dev.tandem.sync.server.internal.guard;

import dev.tandem.sync.core.Access;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.RoomAccess;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.core.internal.protocol.LogText;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A {@link RoomAccess} whose failures deny: a {@link SyncException} passes through (it names the refusal), any
 * other exception or a null answer is logged and becomes {@link Access#FORBIDDEN}. Thread-safe if the delegate
 * is.
 */
public final class GuardedRoomAccess implements RoomAccess {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedRoomAccess.class);

    private final RoomAccess delegate;

    private GuardedRoomAccess(RoomAccess delegate) {
        this.delegate = delegate;
    }

    /** Returns {@code access} guarded, once: a guarded one is returned as it is. */
    public static RoomAccess guard(RoomAccess access) {
        Objects.requireNonNull(access, "access");
        return access instanceof GuardedRoomAccess ? access : new GuardedRoomAccess(access);
    }

    /** Returns the policy a guard wraps, or {@code access} itself when it is not guarded. */
    public static RoomAccess unwrap(RoomAccess access) {
        return access instanceof GuardedRoomAccess g ? g.delegate : access;
    }

    @Override
    public Access access(Principal principal, String roomId) {
        try {
            return checked(delegate.access(principal, roomId), roomId);
        } catch (SyncException e) {
            throw e;
        } catch (RuntimeException e) {
            return failed(e, roomId);
        }
    }

    @Override
    public Access accessToWrite(Principal principal, String roomId) {
        try {
            return checked(delegate.accessToWrite(principal, roomId), roomId);
        } catch (SyncException e) {
            throw e;
        } catch (RuntimeException e) {
            return failed(e, roomId);
        }
    }

    private Access checked(Access access, String roomId) {
        if (access == null) {
            LOG.warn(
                    "room access policy {} gave no answer for room {}; denied",
                    delegate.getClass().getName(),
                    LogText.of(roomId));
            return Access.FORBIDDEN;
        }
        return access;
    }

    private Access failed(RuntimeException e, String roomId) {
        LOG.warn(
                "room access policy {} failed for room {}; denied",
                delegate.getClass().getName(),
                LogText.of(roomId),
                e);
        return Access.FORBIDDEN;
    }

    @Override
    public String toString() {
        return "Guarded[" + delegate + "]";
    }
}
