package dev.tandem.sync.core;

/** When a push is acknowledged relative to its storage. */
public enum Durability {
    /**
     * A push is acknowledged ({@code push_result}), and its changes are broadcast, only after the store made
     * them durable. Commits of many sessions and rooms are grouped so this costs little latency.
     */
    SYNC,
    /**
     * A push is acknowledged from memory and dirty records are flushed on an interval (tldraw's behaviour):
     * a crash loses at most the changes of the last flush interval.
     */
    ASYNC
}
