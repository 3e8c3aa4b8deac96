/** Benchmarks of the room stores and durability modes. */
@NullMarked
package dev.tandem.sync.bench.persist;

import org.jspecify.annotations.NullMarked;
