/** The WebSocket connection adapter between Jetty sessions and Tandem rooms. */
@NullMarked
package dev.tandem.sync.server.internal.ws;

import org.jspecify.annotations.NullMarked;
