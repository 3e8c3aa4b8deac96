/** Token buckets for per-session and per-principal rate limits. Internal: not an API. */
@NullMarked
package dev.tandem.sync.core.internal.ratelimit;

import org.jspecify.annotations.NullMarked;
