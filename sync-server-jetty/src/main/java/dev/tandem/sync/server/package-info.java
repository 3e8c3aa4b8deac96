/**
 * Tandem's Jetty 12 WebSocket server: {@link dev.tandem.sync.server.TandemServer} runs rooms on a port of its
 * own, {@link dev.tandem.sync.server.TandemHandler} mounts them in an existing Jetty server.
 */
@NullMarked
package dev.tandem.sync.server;

import org.jspecify.annotations.NullMarked;
