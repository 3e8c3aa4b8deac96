/** The load generator and the whole-server comparison with tldraw's server and a raw relay. */
@NullMarked
package dev.tandem.sync.bench.load;

import org.jspecify.annotations.NullMarked;
