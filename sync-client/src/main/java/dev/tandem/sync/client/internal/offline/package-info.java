/**
 * The offline {@link dev.tandem.sync.client.SyncWorker}: the file outbox, the push/pull cycle and the default
 * HTTP handlers.
 */
@NullMarked
package dev.tandem.sync.client.internal.offline;

import org.jspecify.annotations.NullMarked;
