/** Frozen JSON values, their parser and writer (JavaScript's number and string rules), and size estimates. Internal: not an API. */
@NullMarked
package dev.tandem.sync.core.internal.json;

import org.jspecify.annotations.NullMarked;
