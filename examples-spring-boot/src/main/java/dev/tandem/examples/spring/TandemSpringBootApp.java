package dev.tandem.examples.spring;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * A Spring Boot application that serves tldraw rooms with {@code tandem-spring-boot-starter}: Tandem's routes
 * ({@code /connect/{roomId}}, {@code /sync/push}, {@code /rooms/…}) sit in front of the application's own
 * ({@code /hello} here), rooms are kept in the application's SQLite {@code DataSource}, and Actuator shows
 * Tandem's health and meters.
 *
 * <pre>
 * ./mvnw -q -pl examples-spring-boot -am package -DskipTests
 * java -cp … dev.tandem.examples.spring.TandemSpringBootApp   # or: spring-boot:run
 * </pre>
 */
@SpringBootApplication
public class TandemSpringBootApp {

    /** The application's own route, served by Spring MVC behind Tandem's. */
    @RestController
    static class HelloController {
        @GetMapping("/hello")
        String hello() {
            return "hello from the Spring app";
        }
    }

    public static void main(String[] args) {
        SpringApplication.run(TandemSpringBootApp.class, args);
    }
}
