/**
 * The app routes of a tldraw.com-style sync worker: read-only snapshot links, asset uploads and bookmark
 * unfurling.
 */
@NullMarked
package dev.tandem.sync.server.internal.app;

import org.jspecify.annotations.NullMarked;
