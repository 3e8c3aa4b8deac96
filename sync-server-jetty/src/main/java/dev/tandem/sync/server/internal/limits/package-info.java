/** Server-wide rate limits: token buckets per client IP and per principal, in maps of bounded size. */
@NullMarked
package dev.tandem.sync.server.internal.limits;

import org.jspecify.annotations.NullMarked;
