/** A Spring Boot application with Tandem's starter. */
@NullMarked
package dev.tandem.examples.spring;

import org.jspecify.annotations.NullMarked;
