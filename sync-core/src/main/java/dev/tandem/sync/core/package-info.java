/**
 * Tandem's embeddable, transport-agnostic sync engine: rooms of JSON records kept consistent over the
 * tldraw sync protocol, version 8.
 */
@NullMarked
package dev.tandem.sync.core;

import org.jspecify.annotations.NullMarked;
