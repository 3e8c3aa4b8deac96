/** Runnable examples of embedding and running Tandem; each has a test. */
@NullMarked
package dev.tandem.examples;

import org.jspecify.annotations.NullMarked;
