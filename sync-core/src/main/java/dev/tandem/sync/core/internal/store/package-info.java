/** The in-memory room store. Internal: not an API. */
@NullMarked
package dev.tandem.sync.core.internal.store;

import org.jspecify.annotations.NullMarked;
