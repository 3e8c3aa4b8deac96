/** HTTP routing and JSON error responses of the Tandem server. */
@NullMarked
package dev.tandem.sync.server.internal.http;

import org.jspecify.annotations.NullMarked;
