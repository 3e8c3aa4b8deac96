package dev.tandem.sync.server.internal.guard;

import dev.tandem.sync.core.AuthRequest;
import dev.tandem.sync.core.Authenticator;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.core.internal.protocol.LogText;
import java.util.Objects;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * An {@link Authenticator} whose failures refuse the request: a {@link SyncException} passes through (it names the
 * refusal), any other exception is logged (its class at WARN, the stack at DEBUG, since a user's message may
 * quote the token) and becomes {@link dev.tandem.sync.core.CloseReason#NOT_AUTHENTICATED}. A null principal is
 * refused the same way. Thread-safe if the delegate is.
 */
public final class GuardedAuthenticator implements Authenticator {
    private static final Logger LOG = LoggerFactory.getLogger(GuardedAuthenticator.class);

    /** The message of the refusal that replaces a failure; it says nothing of the failure itself. */
    public static final String FAILED = "authentication failed";

    private final Authenticator delegate;

    private GuardedAuthenticator(Authenticator delegate) {
        this.delegate = delegate;
    }

    /** Returns {@code authenticator} guarded, once: a guarded one is returned as it is. */
    public static Authenticator guard(Authenticator authenticator) {
        Objects.requireNonNull(authenticator, "authenticator");
        return authenticator instanceof GuardedAuthenticator ? authenticator : new GuardedAuthenticator(authenticator);
    }

    @Override
    public Principal authenticate(AuthRequest request) {
        Principal principal;
        try {
            principal = delegate.authenticate(request);
        } catch (SyncException e) {
            throw e;
        } catch (RuntimeException e) {
            LOG.warn(
                    "authenticator {} threw {} for room {}; the request is refused",
                    delegate.getClass().getName(),
                    e.getClass().getName(),
                    LogText.of(request.roomId()));
            LOG.debug("authenticator failure", e);
            throw Authenticator.rejected(FAILED);
        }
        if (principal == null) {
            LOG.warn(
                    "authenticator {} returned no principal; the request is refused",
                    delegate.getClass().getName());
            throw Authenticator.rejected(FAILED);
        }
        return principal;
    }

    /** Returns the guarded authenticator. */
    public Authenticator delegate() {
        return delegate;
    }

    @Override
    public String toString() {
        return "Guarded[" + delegate + "]";
    }
}
