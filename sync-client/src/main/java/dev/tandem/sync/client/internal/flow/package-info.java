/**
 * {@link java.util.concurrent.Flow.Publisher}s over the client's listeners: a serial emitter per subscription
 * with its own bounded buffer, honouring demand, delivering on an executor so that a slow subscriber never
 * blocks the client.
 */
@NullMarked
package dev.tandem.sync.client.internal.flow;

import org.jspecify.annotations.NullMarked;
