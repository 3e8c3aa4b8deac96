package dev.tandem.sync.client;

/** Where a change to a {@link Store} came from. */
public enum ChangeSource {
    /** This process changed the store through its {@link Store} methods. */
    LOCAL,
    /** The server sent the change (another client's edit, a hydration, or a rebase of local changes). */
    REMOTE
}
