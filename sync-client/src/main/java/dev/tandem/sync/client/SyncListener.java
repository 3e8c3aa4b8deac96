package dev.tandem.sync.client;

import org.jspecify.annotations.Nullable;

/**
 * Receives a {@link SyncClient}'s connection events. Every method has a no-op default. Called on the
 * client's delivery thread, in order, never on a transport thread; a listener that blocks delays the
 * client.
 */
public interface SyncListener {
    /** The connection status changed. */
    default void onStatusChange(SyncStatus status) {}

    /**
     * The server accepted the connection ({@link SyncStatus#ONLINE} follows); {@code readOnly} means the
     * server discards this session's document changes.
     */
    default void onConnected(boolean readOnly) {}

    /** The host sent a {@code custom} message with this JSON data. */
    default void onCustomMessage(@Nullable Object data) {}
}
