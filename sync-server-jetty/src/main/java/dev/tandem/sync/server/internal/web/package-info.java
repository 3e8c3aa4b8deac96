/** Serving a built web page (the tldraw editor) beside the sync routes. */
@NullMarked
package dev.tandem.sync.server.internal.web;

import org.jspecify.annotations.NullMarked;
