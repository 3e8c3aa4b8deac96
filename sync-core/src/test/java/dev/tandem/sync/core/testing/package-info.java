/**
 * Test support shipped in sync-core's test jar: a seeded property runner ({@link
 * dev.tandem.sync.core.testing.Property}) with shrinking, and generators of JSON values, tldraw-like records,
 * record pairs and diffs.
 */
@NullMarked
package dev.tandem.sync.core.testing;

import org.jspecify.annotations.NullMarked;
