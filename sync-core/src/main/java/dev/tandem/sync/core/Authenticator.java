package dev.tandem.sync.core;

/**
 * Establishes who a connection request acts for. Called by the transport before the connection joins a
 * room, on the transport's thread; implementations are thread-safe, must not block for long, and never log
 * tokens.
 *
 * <pre>{@code
 * Authenticator auth = request -> request.header("authorization")
 *     .filter(h -> h.equals("Bearer letmein"))
 *     .map(h -> new Principal("alice", Map.of()))
 *     .orElseThrow(() -> Authenticator.rejected("no valid token"));
 * }</pre>
 */
@FunctionalInterface
public interface Authenticator {

    /**
     * Returns the principal of the request.
     *
     * @throws SyncException with {@link CloseReason#NOT_AUTHENTICATED} (or another reason) to reject it
     */
    Principal authenticate(AuthRequest request);

    /** Accepts every request as {@link Principal#ANONYMOUS}. */
    static Authenticator anonymous() {
        return request -> Principal.ANONYMOUS;
    }

    /** Returns the exception that rejects a request as not authenticated. */
    static SyncException rejected(String why) {
        return new SyncException(CloseReason.NOT_AUTHENTICATED, why);
    }
}
