package dev.tandem.sync.client;

/**
 * Receives the changes of a {@link Store}. Called on the client's delivery thread, one change at a time, in
 * the order the changes were made; never on a transport thread or the thread that made a local change. A
 * listener that blocks delays every later callback and the processing of server messages of its client.
 */
@FunctionalInterface
public interface StoreListener {
    /** Called after the store changed; {@link Store} reads from here may already see later changes. */
    void onChange(StoreChange change);
}
