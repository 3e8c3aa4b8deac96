/** Benchmarks of record validation against a room's schema. */
package dev.tandem.sync.bench.schema;
