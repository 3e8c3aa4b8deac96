/**
 * Benchmarks of a whole room: a push decoded, applied, committed and fanned out to every session, on a
 * direct executor, a manual clock and counting sockets.
 */
package dev.tandem.sync.bench.room;
