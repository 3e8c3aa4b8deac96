package dev.tandem.sync.client;

/** A registered listener; cancelling it stops further calls. Thread-safe and idempotent. */
@FunctionalInterface
public interface Subscription {
    /** Stops calls to the listener; a call already under way completes. */
    void cancel();
}
