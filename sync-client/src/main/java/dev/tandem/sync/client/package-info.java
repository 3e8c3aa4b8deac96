/**
 * The Tandem Java client SDK: {@link dev.tandem.sync.client.SyncClient} keeps a local {@link
 * dev.tandem.sync.client.Store} of records in sync with a room on a Tandem or tldraw sync server over
 * the tldraw sync protocol v8.
 */
@NullMarked
package dev.tandem.sync.client;

import org.jspecify.annotations.NullMarked;
