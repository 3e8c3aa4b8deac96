/** The default {@link dev.tandem.sync.client.ClientTransport} over {@link java.net.http.WebSocket}. */
@NullMarked
package dev.tandem.sync.client.internal.transport;

import org.jspecify.annotations.NullMarked;
