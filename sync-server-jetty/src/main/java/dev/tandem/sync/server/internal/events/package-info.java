/** Room events fanned out to the server's log and metrics. */
@NullMarked
package dev.tandem.sync.server.internal.events;

import org.jspecify.annotations.NullMarked;
