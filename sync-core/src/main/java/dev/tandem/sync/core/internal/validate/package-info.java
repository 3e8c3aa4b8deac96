/**
 * The standard validators behind {@code dev.tandem.sync.core.Validators}: tldraw's {@code @tldraw/validate}
 * semantics, written for Tandem's frozen JSON. Internal: not an API.
 */
@NullMarked
package dev.tandem.sync.core.internal.validate;

import org.jspecify.annotations.NullMarked;
