/** tldraw sync protocol v8 messages, their codec, chunking and the offline push/pull codec. Internal: not an API. */
@NullMarked
package dev.tandem.sync.core.internal.protocol;

import org.jspecify.annotations.NullMarked;
