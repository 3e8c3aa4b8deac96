/** Benchmarks of the Java client's apply and rebase. */
@NullMarked
package dev.tandem.sync.bench.client;

import org.jspecify.annotations.NullMarked;
