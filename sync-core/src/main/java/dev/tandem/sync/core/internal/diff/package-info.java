/** tldraw's record diff algorithm over frozen JSON values. Internal: not an API. */
@NullMarked
package dev.tandem.sync.core.internal.diff;

import org.jspecify.annotations.NullMarked;
