/**
 * The node's resource budget at work: a gate for WebSocket connections, byte budgets shared by every connection
 * and request, a guard in front of the HTTP routes and the upload quota.
 */
@NullMarked
package dev.tandem.sync.server.internal.budget;

import org.jspecify.annotations.NullMarked;
