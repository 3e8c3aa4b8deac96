/** Spring Boot auto-configuration of Tandem: {@link dev.tandem.spring.boot.TandemAutoConfiguration}. */
@NullMarked
package dev.tandem.spring.boot;

import org.jspecify.annotations.NullMarked;
