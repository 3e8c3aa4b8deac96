/**
 * The client's sync algorithm (tldraw's {@code TLSyncClient}, {@code reference/tldraw-sync-protocol.md} §5):
 * the local record table, speculative changes, pushes, rebase and reconnects.
 */
@NullMarked
package dev.tandem.sync.client.internal.engine;

import org.jspecify.annotations.NullMarked;
