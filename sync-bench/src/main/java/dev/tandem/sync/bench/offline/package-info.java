/**
 * End-to-end throughput of offline HTTP sync: {@code POST /sync/push} and {@code POST /sync/pull} against an
 * in-process server over SQLite, through the {@code SyncWorker}'s default HTTP handlers.
 */
package dev.tandem.sync.bench.offline;
