/** Multi-node wiring of the standalone server. */
@NullMarked
package dev.tandem.sync.server.internal.cluster;

import org.jspecify.annotations.NullMarked;
