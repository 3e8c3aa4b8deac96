/** Implementation of the JDBC room store: dialects, schema migrations, the group committer and the SQL. */
@NullMarked
package dev.tandem.sync.store.jdbc.internal;

import org.jspecify.annotations.NullMarked;
