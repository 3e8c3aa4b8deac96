/**
 * Authentication and access for the server: {@link dev.tandem.sync.server.auth.JwtAuthenticator} verifies JSON Web
 * Tokens, {@link dev.tandem.sync.server.auth.RoomPolicies} decides access from per-room file-style policies stored
 * with the rooms.
 */
@NullMarked
package dev.tandem.sync.server.auth;

import org.jspecify.annotations.NullMarked;
