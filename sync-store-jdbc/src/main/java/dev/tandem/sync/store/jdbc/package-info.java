/**
 * A durable {@link dev.tandem.sync.core.RoomStore} over JDBC: SQLite (the embedded default) and PostgreSQL,
 * made by {@link dev.tandem.sync.store.jdbc.JdbcRoomStore#builder()}.
 */
@NullMarked
package dev.tandem.sync.store.jdbc;

import org.jspecify.annotations.NullMarked;
