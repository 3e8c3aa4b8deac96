/**
 * User code guarded where it enters the server: an {@link dev.tandem.sync.core.Authenticator} or {@link
 * dev.tandem.sync.core.RoomAccess} that throws is logged and refuses, and never reaches a transport thread.
 */
@NullMarked
package dev.tandem.sync.server.internal.guard;

import org.jspecify.annotations.NullMarked;
