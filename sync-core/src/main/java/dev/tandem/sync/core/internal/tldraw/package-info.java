/**
 * tldraw's own schema on the server: its record validators and its migrations, written in Java and checked
 * record by record against tldraw's npm packages. Internal: not an API; {@code TldrawSchema} is the entry point.
 */
@NullMarked
package dev.tandem.sync.core.internal.tldraw;

import org.jspecify.annotations.NullMarked;
