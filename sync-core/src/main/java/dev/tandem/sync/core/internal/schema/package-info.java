/** Schema negotiation with clients and stored snapshots, and the migrations between versions. Internal: not an API. */
@NullMarked
package dev.tandem.sync.core.internal.schema;

import org.jspecify.annotations.NullMarked;
