/** Benchmarks of tldraw's record diff: computing a diff between two records and applying it. */
package dev.tandem.sync.bench.diff;
