/** The room: its document, sessions, pushes, presence, batching and persistence hand-off, on one serial lane. Internal: not an API. */
@NullMarked
package dev.tandem.sync.core.internal.room;

import org.jspecify.annotations.NullMarked;
