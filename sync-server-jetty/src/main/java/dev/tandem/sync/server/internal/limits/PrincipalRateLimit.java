package dev.tandem.sync.server.internal.limits;

import dev.tandem.sync.server.ServerLimits;
import java.util.function.LongSupplier;

/**
 * The message and byte rate of each principal over all its sessions ({@link ServerLimits#principalMessagesPerSecond}
 * and {@link ServerLimits#principalBytesPerSecond}). Thread-safe.
 */
public final class PrincipalRateLimit {
    private final KeyedBuckets messages;
    private final KeyedBuckets bytes;

    public PrincipalRateLimit(ServerLimits limits, LongSupplier nanoTime) {
        this.messages = new KeyedBuckets(
                limits.principalMessageBurst(),
                limits.principalMessagesPerSecond(),
                limits.maxTrackedClients(),
                nanoTime);
        this.bytes = new KeyedBuckets(
                limits.principalByteBurst(), limits.principalBytesPerSecond(), limits.maxTrackedClients(), nanoTime);
    }

    /** Counts one message of {@code utf8Bytes} from the principal; returns false if it is over its rate. */
    public boolean tryTake(String principalId, long utf8Bytes) {
        return messages.tryTake(principalId, 1) && bytes.tryTake(principalId, utf8Bytes);
    }
}
