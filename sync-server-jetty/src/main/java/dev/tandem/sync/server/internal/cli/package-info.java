/** The standalone server's configuration: option sources, value formats, the schema file and the store choice. */
@NullMarked
package dev.tandem.sync.server.internal.cli;

import org.jspecify.annotations.NullMarked;
