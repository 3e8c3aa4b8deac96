/** A raw WebSocket relay that does no sync work: the floor of the comparison. */
@NullMarked
package dev.tandem.sync.bench.relay;

import org.jspecify.annotations.NullMarked;
