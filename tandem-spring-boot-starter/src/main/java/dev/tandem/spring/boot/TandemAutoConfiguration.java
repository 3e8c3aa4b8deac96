package dev.tandem.spring.boot;

import dev.tandem.sync.core.Authenticator;
import dev.tandem.sync.core.Durability;
import dev.tandem.sync.core.RoomAccess;
import dev.tandem.sync.core.RoomEvents;
import dev.tandem.sync.core.RoomManager;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.SyncLimits;
import dev.tandem.sync.core.TldrawSchema;
import dev.tandem.sync.server.AllowedOrigins;
import dev.tandem.sync.server.ConnectionSettings;
import dev.tandem.sync.server.ServerLimits;
import dev.tandem.sync.server.ServerSecurity;
import dev.tandem.sync.server.TandemMetrics;
import dev.tandem.sync.server.TandemRoutes;
import dev.tandem.sync.server.auth.RoomPolicies;
import dev.tandem.sync.server.internal.cli.SchemaFile;
import dev.tandem.sync.server.internal.events.FanOutRoomEvents;
import dev.tandem.sync.server.internal.events.JsonLinesRoomEvents;
import dev.tandem.sync.server.internal.events.LoggingRoomEvents;
import dev.tandem.sync.store.jdbc.JdbcRoomStore;
import io.micrometer.core.instrument.MeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import javax.sql.DataSource;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.DisposableBean;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.beans.factory.config.ConfigurableListableBeanFactory;
import org.springframework.boot.autoconfigure.AutoConfiguration;
import org.springframework.boot.autoconfigure.condition.ConditionalOnBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnClass;
import org.springframework.boot.autoconfigure.condition.ConditionalOnMissingBean;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.context.properties.EnableConfigurationProperties;
import org.springframework.boot.health.contributor.Health;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.jetty.JettyWebServer;
import org.springframework.boot.jetty.servlet.JettyServletWebServerFactory;
import org.springframework.boot.web.server.servlet.context.ServletWebServerInitializedEvent;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.security.oauth2.jwt.JwtDecoder;

/**
 * Mounts Tandem's WebSocket and HTTP routes in a Spring Boot servlet application on Jetty, in front of Spring's
 * own servlet handler, from the {@code tandem.*} {@link TandemProperties}. Every bean is made only when the
 * application has none of its type, so an application overrides any of them by declaring its own: the {@link
 * RoomStore} (by default over the application's {@link DataSource}), the {@link RoomSchema}, the {@link
 * Authenticator} (by default from Spring Security's {@link JwtDecoder} when there is one), the {@link RoomAccess}
 * policy, the {@link ServerSecurity}, the {@link RoomOptions}, the {@link RoomManager} and the {@link
 * TandemRoutes}. Every {@link RoomEvents} bean of the application receives the rooms' events.
 *
 * <p>With Actuator, the {@code tandem} health component reports the room store's health, and Tandem's meters
 * ({@code tandem.*}) are registered in the application's {@link MeterRegistry}.
 */
@AutoConfiguration(
        afterName = {
            "org.springframework.boot.jdbc.autoconfigure.DataSourceAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.CompositeMeterRegistryAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.MetricsAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.prometheus.PrometheusMetricsExportAutoConfiguration",
            "org.springframework.boot.micrometer.metrics.autoconfigure.export.simple.SimpleMetricsExportAutoConfiguration",
            "org.springframework.boot.security.oauth2.server.resource.autoconfigure.servlet.OAuth2ResourceServerAutoConfiguration"
        })
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
@ConditionalOnClass(JettyServletWebServerFactory.class)
@ConditionalOnProperty(prefix = "tandem", name = "enabled", havingValue = "true", matchIfMissing = true)
@EnableConfigurationProperties(TandemProperties.class)
public class TandemAutoConfiguration {
    private static final Logger LOG = LoggerFactory.getLogger(TandemAutoConfiguration.class);

    @Bean(destroyMethod = "close")
    @ConditionalOnMissingBean
    RoomStore tandemRoomStore(
            TandemProperties properties,
            ObjectProvider<DataSource> dataSource,
            ConfigurableListableBeanFactory beanFactory) {
        String kind = properties.store();
        DataSource ds = dataSource.getIfUnique();
        if (kind == null) {
            kind = ds != null ? "jdbc" : "memory";
        }
        switch (kind.toLowerCase(Locale.ROOT)) {
            case "memory":
                return RoomStore.inMemory();
            case "sqlite":
                return JdbcRoomStore.builder()
                        .sqlite(properties.data())
                        .maxVersionsPerRoom(properties.maxVersions())
                        .commitDelay(properties.commitDelay())
                        .build();
            case "jdbc":
                if (ds == null) {
                    throw new IllegalStateException("tandem.store=jdbc needs one DataSource bean but there is none");
                }
                // the store flushes through the pool when it closes: the pool must be destroyed after it
                for (String name : beanFactory.getBeanNamesForType(DataSource.class)) {
                    if (beanFactory.getBean(name) == ds) {
                        beanFactory.registerDependentBean(name, "tandemRoomStore");
                    }
                }
                return JdbcRoomStore.builder()
                        .dataSource(ds)
                        .maxVersionsPerRoom(properties.maxVersions())
                        .commitDelay(properties.commitDelay())
                        .build();
            default:
                throw new IllegalArgumentException(
                        "tandem.store must be jdbc, sqlite or memory but was '" + properties.store() + "'");
        }
    }

    @Bean
    @ConditionalOnMissingBean
    RoomSchema tandemRoomSchema(TandemProperties properties) {
        return switch (properties.schema()) {
            case "tldraw" -> TldrawSchema.defaults();
            case "pinned" -> RoomSchema.pinned();
            default -> SchemaFile.read(Path.of(properties.schema()));
        };
    }

    @Bean
    @ConditionalOnMissingBean
    TandemMetrics tandemMetrics(ObjectProvider<MeterRegistry> registry) {
        MeterRegistry r = registry.getIfUnique();
        return r != null ? TandemMetrics.create(r) : TandemMetrics.create();
    }

    @Bean
    @ConditionalOnMissingBean
    RoomOptions tandemRoomOptions(
            TandemProperties properties,
            RoomStore store,
            RoomSchema schema,
            TandemMetrics metrics,
            ObjectProvider<RoomEvents> listeners) {
        List<RoomEvents> events = new ArrayList<>();
        events.add(new LoggingRoomEvents());
        events.add(metrics.roomEvents());
        if (properties.eventLog()) {
            events.add(JsonLinesRoomEvents.toLog());
        }
        listeners.orderedStream().forEach(events::add);
        return RoomOptions.builder()
                .store(store)
                .durability(durability(properties.durability()))
                .schema(schema)
                .idleTimeout(properties.idleTimeout())
                .connectTimeout(properties.connectTimeout())
                .removalGrace(properties.removalGrace())
                .batchInterval(properties.batchInterval())
                .batchPushResults(properties.batchPushResults())
                .asyncFlushInterval(properties.asyncFlushInterval())
                .versionInterval(properties.versionInterval())
                .unloadDelay(properties.unloadDelay())
                .limits(SyncLimits.builder()
                        .maxSessionsPerRoom(properties.maxSessionsPerRoom())
                        .messagesPerSecond(properties.sessionMessagesPerSecond())
                        .messageBurst(Math.multiplyExact(2, properties.sessionMessagesPerSecond()))
                        .maxRecordChars(properties.maxRecordChars())
                        .maxDocumentChars(properties.maxDocumentChars())
                        .build())
                .events(FanOutRoomEvents.of(events.toArray(RoomEvents[]::new)))
                .build();
    }

    @Bean(destroyMethod = "")
    @ConditionalOnMissingBean
    RoomManager tandemRoomManager(RoomOptions options) {
        return RoomManager.create(options);
    }

    /**
     * Closes the rooms when the application stops (after the web server): sessions get a normal close and every
     * room's changes are flushed to the store, waiting at most {@code tandem.shutdown-timeout}, before the store
     * closes.
     */
    @Bean
    DisposableBean tandemRoomsCloser(RoomManager rooms, TandemProperties properties) {
        return () -> {
            boolean flushed = rooms.close(properties.shutdownTimeout());
            LOG.info("Tandem rooms closed{}", flushed ? " and flushed" : ", NOT all flushed in time");
        };
    }

    @Bean
    @ConditionalOnMissingBean
    RoomAccess tandemRoomAccess(TandemProperties properties, RoomStore store) {
        RoomPolicies.UnclaimedRooms mode = switch (properties.unclaimedRooms().toLowerCase(Locale.ROOT)) {
            case "open" -> RoomPolicies.UnclaimedRooms.OPEN;
            case "claim" -> RoomPolicies.UnclaimedRooms.CLAIM;
            default ->
                throw new IllegalArgumentException(
                        "tandem.unclaimed-rooms must be open or claim but was '" + properties.unclaimedRooms() + "'");
        };
        RoomPolicies.Builder b = RoomPolicies.builder(store).unclaimedRooms(mode);
        String adminClaim = properties.adminClaim();
        if (adminClaim != null) {
            int eq = adminClaim.indexOf('=');
            if (eq <= 0 || eq == adminClaim.length() - 1) {
                throw new IllegalArgumentException(
                        "tandem.admin-claim must be CLAIM=VALUE but was '" + adminClaim + "'");
            }
            b.adminClaim(adminClaim.substring(0, eq), adminClaim.substring(eq + 1));
        }
        return b.build();
    }

    @Bean
    @ConditionalOnMissingBean
    ServerSecurity tandemServerSecurity(
            TandemProperties properties, ObjectProvider<Authenticator> authenticator, RoomAccess access) {
        ServerLimits limits = ServerLimits.builder()
                .connectionsPerIpPerMinute(properties.connectionsPerIpPerMinute())
                .connectionsPerPrincipalPerMinute(properties.connectionsPerPrincipalPerMinute())
                .principalMessagesPerSecond(properties.principalMessagesPerSecond())
                .principalMessageBurst(Math.multiplyExact(2, properties.principalMessagesPerSecond()))
                .principalBytesPerSecond(properties.principalBytesPerSecond().toBytes())
                .principalByteBurst(Math.multiplyExact(
                        4, properties.principalBytesPerSecond().toBytes()))
                .rateLimitCooldown(properties.rateLimitCooldown())
                .handshakeTimeout(properties.handshakeTimeout())
                .bodyTimeout(properties.bodyTimeout())
                .minBodyBytesPerSecond(properties.minBodyRate().toBytes())
                .build();
        AllowedOrigins origins = AllowedOrigins.defaults();
        try {
            String allowed = properties.allowedOrigins();
            if (allowed != null) {
                origins = AllowedOrigins.parse(allowed);
            }
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("tandem.allowed-origins: " + e.getMessage(), e);
        }
        return new ServerSecurity(authenticator.getIfUnique(), access, limits, origins);
    }

    @Bean
    @ConditionalOnMissingBean
    TandemRoutes tandemRoutes(
            TandemProperties properties,
            RoomManager rooms,
            RoomStore store,
            ServerSecurity security,
            TandemMetrics metrics) {
        String unfurl = properties.unfurl().toLowerCase(Locale.ROOT);
        if (!List.of("off", "public", "any").contains(unfurl)) {
            throw new IllegalArgumentException(
                    "tandem.unfurl must be off, public or any but was '" + properties.unfurl() + "'");
        }
        return TandemRoutes.builder(rooms)
                .store(store)
                .metrics(metrics)
                .security(security)
                .connectionSettings(ConnectionSettings.defaults()
                        .withMaxMessageBytes(properties.maxMessageBytes().toBytes())
                        .withMaxQueuedChars(properties.maxQueuedBytes().toBytes()))
                .maxBodyBytes(properties.maxBodyBytes().toBytes())
                .uploadDir(properties.data().resolve("uploads"))
                .maxUploadBytes(properties.maxUploadBytes().toBytes())
                .unfurl(!unfurl.equals("off"), unfurl.equals("any"))
                .build();
    }

    /**
     * Puts Tandem's routes in front of Spring's servlet handler in the Jetty server Spring Boot builds, and closes
     * their connections first when the application stops.
     */
    @Bean
    TandemJettyMount tandemJettyMount(TandemRoutes routes) {
        return new TandemJettyMount(routes, Duration.ofSeconds(2));
    }

    /**
     * Stops the start of an application whose servlet container is not Jetty (Tomcat came back on the
     * classpath): Tandem's routes could not be mounted, and a silent start would serve no rooms.
     */
    @Bean
    ApplicationListener<ServletWebServerInitializedEvent> tandemRequiresJetty() {
        return event -> {
            if (!(event.getWebServer() instanceof JettyWebServer)) {
                throw new IllegalStateException("Tandem's routes need Jetty but Spring Boot started "
                        + event.getWebServer().getClass().getSimpleName()
                        + "; exclude spring-boot-starter-tomcat (see docs/spring-boot.md)");
            }
        };
    }

    static Durability durability(String value) {
        return switch (value.toLowerCase(Locale.ROOT)) {
            case "sync" -> Durability.SYNC;
            case "async" -> Durability.ASYNC;
            default ->
                throw new IllegalArgumentException("tandem.durability must be sync or async but was '" + value + "'");
        };
    }

    /** An {@link Authenticator} from Spring Security's {@link JwtDecoder}, when the application has one. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(JwtDecoder.class)
    static class JwtConfiguration {
        @Bean
        @ConditionalOnMissingBean
        @ConditionalOnBean(JwtDecoder.class)
        Authenticator tandemAuthenticator(JwtDecoder decoder) {
            return new JwtDecoderAuthenticator(decoder);
        }
    }

    /** The {@code tandem} health component: the room store's health. */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnClass(HealthIndicator.class)
    static class HealthConfiguration {
        @Bean
        @ConditionalOnMissingBean(name = "tandemHealthIndicator")
        HealthIndicator tandemHealthIndicator(RoomStore store, RoomManager rooms) {
            return () -> {
                var health = store.health();
                Health.Builder b = health.healthy() ? Health.up() : Health.down();
                return b.withDetail("store", health.detail())
                        .withDetail("storeType", store.getClass().getSimpleName())
                        .withDetail("roomsLoaded", rooms.rooms().size())
                        .build();
            };
        }
    }
}
