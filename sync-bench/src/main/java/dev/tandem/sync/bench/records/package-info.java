/** Realistic tldraw records and protocol frames, generated from a fixed seed, shared by the benchmarks. */
package dev.tandem.sync.bench.records;
