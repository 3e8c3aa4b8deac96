package dev.tandem.spring.boot;

import dev.tandem.sync.server.TandemHandler;
import dev.tandem.sync.server.TandemRoutes;
import java.time.Duration;
import java.util.Objects;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.web.server.WebServerFactoryCustomizer;
import org.springframework.context.SmartLifecycle;

/**
 * Puts Tandem's routes in front of Spring's servlet handler in the Jetty server Spring Boot builds, and when the
 * application stops, closes Tandem's WebSocket connections normally (clients reconnect) before Spring's graceful
 * shutdown of the web server, so open sessions never hold it up.
 *
 * <p>Thread-safe: Spring calls the lifecycle methods from one thread at a time.
 */
final class TandemJettyMount implements WebServerFactoryCustomizer<JettyServletWebServerFactory>, SmartLifecycle {
    private static final Logger LOG = LoggerFactory.getLogger(TandemJettyMount.class);
    /** Before the web server's graceful shutdown ({@code DEFAULT_PHASE - 1024}), which stops after this. */
    static final int PHASE = SmartLifecycle.DEFAULT_PHASE - 512;

    private final TandemRoutes routes;
    private final Duration closeTimeout;
    private volatile @Nullable TandemHandler handler;
    private volatile boolean running;

    TandemJettyMount(TandemRoutes routes, Duration closeTimeout) {
        this.routes = Objects.requireNonNull(routes, "routes");
        this.closeTimeout = Objects.requireNonNull(closeTimeout, "closeTimeout");
    }

    @Override
    public void customize(JettyServletWebServerFactory factory) {
        factory.addServerCustomizers(server -> {
            TandemHandler mounted = routes.mount(server, server.getHandler());
            server.setHandler(mounted);
            handler = mounted;
            LOG.info("Tandem routes mounted in Spring Boot's Jetty server");
        });
    }

    /** Returns the mounted handler, once Spring Boot has built its server. */
    @Nullable
    TandemHandler handler() {
        return handler;
    }

    @Override
    public void start() {
        running = true;
    }

    @Override
    public void stop() {
        running = false;
        TandemHandler h = handler;
        if (h != null && h.connectionCount() > 0) {
            int open = h.connectionCount();
            boolean closed = h.closeConnections(closeTimeout);
            LOG.info("Tandem closed {} WebSocket connections{}", open, closed ? "" : " (some did not finish in time)");
        }
    }

    @Override
    public boolean isRunning() {
        return running;
    }

    @Override
    public int getPhase() {
        return PHASE;
    }
}
