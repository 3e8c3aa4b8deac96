/** Mapping records to Java types with Jackson; the only place sync-client uses Jackson. */
@NullMarked
package dev.tandem.sync.client.internal.mapping;

import org.jspecify.annotations.NullMarked;
