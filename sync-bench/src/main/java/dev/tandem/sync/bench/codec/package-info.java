/** Benchmarks of the protocol codec and of JSON parsing and writing. */
package dev.tandem.sync.bench.codec;
