package dev.tandem.spring.boot;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.tandem.sync.core.Authenticator;
import dev.tandem.sync.core.Durability;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.RoomEvents;
import dev.tandem.sync.core.RoomManager;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.StoreHealth;
import dev.tandem.sync.core.SyncLimits;
import dev.tandem.sync.core.TldrawSchema;
import dev.tandem.sync.server.AllowedOrigins;
import dev.tandem.sync.server.ConnectionSettings;
import dev.tandem.sync.server.ServerLimits;
import dev.tandem.sync.server.ServerSecurity;
import dev.tandem.sync.server.TandemMetrics;
import dev.tandem.sync.server.TandemRoutes;
import dev.tandem.sync.server.TandemServer;
import dev.tandem.sync.server.auth.RoomPolicies;
import dev.tandem.sync.store.jdbc.JdbcRoomStore;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicReference;
import javax.sql.DataSource;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.boot.autoconfigure.AutoConfigurations;
import org.springframework.boot.health.contributor.HealthIndicator;
import org.springframework.boot.health.contributor.Status;
import org.springframework.boot.test.context.runner.WebApplicationContextRunner;
import org.springframework.security.oauth2.jwt.BadJwtException;
import org.springframework.security.oauth2.jwt.JwtDecoder;

class TandemAutoConfigurationTest {
    private final WebApplicationContextRunner runner =
            new WebApplicationContextRunner().withConfiguration(AutoConfigurations.of(TandemAutoConfiguration.class));

    @TempDir
    Path dir;

    @Test
    void defaults_withoutDataSource_memoryStoreTldrawSchemaSyncDurabilityOpenRooms() {
        runner.run(context -> {
            assertThat(context).hasNotFailed();
            RoomStore store = context.getBean(RoomStore.class);
            assertThat(store).isNotInstanceOf(JdbcRoomStore.class);
            RoomOptions options = context.getBean(RoomOptions.class);
            assertThat(options.store()).isSameAs(store);
            assertThat(options.schema()).isSameAs(TldrawSchema.defaults());
            assertThat(options.durability()).isEqualTo(Durability.SYNC);
            assertThat(options.idleTimeout()).isEqualTo(Duration.ofSeconds(20));
            assertThat(context).hasSingleBean(RoomManager.class).hasSingleBean(TandemRoutes.class);
            ServerSecurity security = context.getBean(ServerSecurity.class);
            assertThat(security.authenticator()).isNull();
            assertThat(security.roomAccess()).isInstanceOf(RoomPolicies.class);
            assertThat(security.limits().connectionsPerIpPerMinute()).isEqualTo(600);
            assertThat(security.limits().bodyTimeout()).isEqualTo(Duration.ofSeconds(60));
            assertThat(security.limits().minBodyBytesPerSecond()).isEqualTo(1024);
            assertThat(security.allowedOrigins()).isEqualTo(AllowedOrigins.defaults());
        });
    }

    @Test
    void defaults_areTheLibrarysConstants() {
        runner.run(context -> {
            RoomOptions options = context.getBean(RoomOptions.class);
            RoomOptions library = RoomOptions.builder().build();
            assertThat(options.connectTimeout()).isEqualTo(library.connectTimeout());
            assertThat(options.idleTimeout()).isEqualTo(library.idleTimeout());
            assertThat(options.removalGrace()).isEqualTo(library.removalGrace());
            assertThat(options.batchInterval()).isEqualTo(RoomOptions.DEFAULT_BATCH_INTERVAL);
            assertThat(options.batchPushResults()).isEqualTo(library.batchPushResults());
            assertThat(options.asyncFlushInterval()).isEqualTo(library.asyncFlushInterval());
            assertThat(options.versionInterval()).isEqualTo(library.versionInterval());
            assertThat(options.unloadDelay()).isEqualTo(library.unloadDelay());
            assertThat(options.limits()).isEqualTo(SyncLimits.DEFAULTS);
            assertThat(context.getBean(ServerSecurity.class).limits()).isEqualTo(ServerLimits.DEFAULTS);
            TandemProperties p = context.getBean(TandemProperties.class);
            assertThat(p.maxMessageBytes().toBytes()).isEqualTo(ConnectionSettings.DEFAULT_MAX_MESSAGE_BYTES);
            assertThat(p.maxQueuedBytes().toBytes()).isEqualTo(ConnectionSettings.DEFAULT_MAX_QUEUED_CHARS);
            assertThat(p.maxBodyBytes().toBytes()).isEqualTo(TandemServer.DEFAULT_MAX_BODY_BYTES);
            assertThat(p.maxUploadBytes().toBytes()).isEqualTo(TandemServer.DEFAULT_MAX_UPLOAD_BYTES);
            assertThat(p.shutdownTimeout()).isEqualTo(TandemServer.DEFAULT_FLUSH_TIMEOUT);
            assertThat(p.commitDelay()).isEqualTo(JdbcRoomStore.DEFAULT_COMMIT_DELAY);
            assertThat(p.maxVersions()).isEqualTo(JdbcRoomStore.DEFAULT_MAX_VERSIONS_PER_ROOM);
        });
    }

    @Test
    void allowedOriginsAndBodyLimits_areTheServersOptions() {
        runner.withPropertyValues(
                        "tandem.allowed-origins=https://app.example, http://localhost:3000",
                        "tandem.body-timeout=20s",
                        "tandem.min-body-rate=4KB")
                .run(context -> {
                    ServerSecurity security = context.getBean(ServerSecurity.class);
                    assertThat(security.allowedOrigins().origins())
                            .containsExactlyInAnyOrder("https://app.example", "http://localhost:3000");
                    assertThat(security.limits().bodyTimeout()).isEqualTo(Duration.ofSeconds(20));
                    assertThat(security.limits().minBodyBytesPerSecond()).isEqualTo(4096);
                });
        runner.withPropertyValues("tandem.allowed-origins=app.example")
                .run(context -> assertThat(context)
                        .hasFailed()
                        .getFailure()
                        .rootCause()
                        .hasMessageContaining("an allowed origin must be scheme://host[:port] but was 'app.example'"));
    }

    @Test
    void properties_mirrorTheServersOptions() {
        runner.withPropertyValues(
                        "tandem.durability=async",
                        "tandem.idle-timeout=45s",
                        "tandem.schema=pinned",
                        "tandem.connections-per-ip-per-minute=7")
                .run(context -> {
                    RoomOptions options = context.getBean(RoomOptions.class);
                    assertThat(options.durability()).isEqualTo(Durability.ASYNC);
                    assertThat(options.idleTimeout()).isEqualTo(Duration.ofSeconds(45));
                    assertThat(options.schema()).isNotSameAs(TldrawSchema.defaults());
                    assertThat(context.getBean(ServerSecurity.class).limits().connectionsPerIpPerMinute())
                            .isEqualTo(7);
                });
    }

    @Test
    void badProperty_failsStartNamingIt() {
        runner.withPropertyValues("tandem.durability=eventual")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessage("tandem.durability must be sync or async but was 'eventual'"));
    }

    @Test
    void disabled_mountsNothing() {
        runner.withPropertyValues("tandem.enabled=false")
                .run(context -> assertThat(context).doesNotHaveBean(TandemRoutes.class));
    }

    @Test
    void dataSource_present_storeIsJdbcOnIt_andLeavesItOpen() {
        runner.withBean(DataSource.class, this::sqlitePool, bd -> bd.setDestroyMethodName("close"))
                .run(context -> {
                    RoomStore store = context.getBean(RoomStore.class);
                    assertThat(store).isInstanceOf(JdbcRoomStore.class);
                    assertThat(store.health().healthy()).isTrue();
                    store.close();
                    assertThat(((HikariDataSource) context.getBean(DataSource.class)).isClosed())
                            .isFalse();
                });
    }

    @Test
    void close_withJdbcStore_closesTheStoreBeforeThePool() {
        List<String> order = new CopyOnWriteArrayList<>();
        AtomicReference<RoomStore> store = new AtomicReference<>();
        runner.withBean(
                        DataSource.class,
                        () -> new HikariDataSource(sqliteConfig()) {
                            @Override
                            public void close() {
                                order.add(isOpen(store.get()) ? "store open" : "store closed");
                                order.add("pool closed");
                                super.close();
                            }
                        },
                        bd -> bd.setDestroyMethodName("close"))
                .run(context -> {
                    store.set(context.getBean(RoomStore.class));
                    assertThat(isOpen(store.get())).isTrue();
                    context.close();
                    assertThat(order).containsExactly("store closed", "pool closed");
                });
    }

    /** Whether a store still reads: a closed store fails every read. */
    private static boolean isOpen(RoomStore store) {
        try {
            store.load("probe").get(10, TimeUnit.SECONDS);
            return true;
        } catch (ExecutionException e) {
            return false;
        } catch (InterruptedException | TimeoutException e) {
            throw new AssertionError(e);
        }
    }

    @Test
    void storeMemory_withDataSource_keepsRoomsInMemory() {
        runner.withBean(DataSource.class, this::sqlitePool, bd -> bd.setDestroyMethodName("close"))
                .withPropertyValues("tandem.store=memory")
                .run(context -> assertThat(context.getBean(RoomStore.class)).isNotInstanceOf(JdbcRoomStore.class));
    }

    @Test
    void storeJdbc_withoutDataSource_failsStart() {
        runner.withPropertyValues("tandem.store=jdbc")
                .run(context -> assertThat(context)
                        .getFailure()
                        .rootCause()
                        .hasMessage("tandem.store=jdbc needs one DataSource bean but there is none"));
    }

    @Test
    void applicationBeans_replaceTheDefaults() {
        RoomStore own = RoomStore.inMemory();
        Authenticator auth = request -> new Principal("alice", java.util.Map.of());
        runner.withBean(RoomStore.class, () -> own)
                .withBean(Authenticator.class, () -> auth)
                .run(context -> {
                    assertThat(context.getBean(RoomStore.class)).isSameAs(own);
                    assertThat(context.getBean(RoomOptions.class).store()).isSameAs(own);
                    assertThat(context.getBean(ServerSecurity.class).authenticator())
                            .isSameAs(auth);
                });
    }

    @Test
    void jwtDecoder_present_authenticatesWithIt() {
        JwtDecoder decoder = token -> {
            throw new BadJwtException("bad signature");
        };
        runner.withBean(JwtDecoder.class, () -> decoder).run(context -> {
            Authenticator auth = context.getBean(ServerSecurity.class).authenticator();
            assertThat(auth).isInstanceOf(JwtDecoderAuthenticator.class);
        });
    }

    @Test
    void roomEventsBeans_receiveTheRoomsEvents() {
        List<String> loaded = new CopyOnWriteArrayList<>();
        RoomEvents listener = new RoomEvents() {
            @Override
            public void roomLoaded(String roomId, long documentClock, int records, Duration time) {
                loaded.add(roomId);
            }
        };
        runner.withBean(RoomEvents.class, () -> listener).run(context -> {
            context.getBean(RoomManager.class).room("events-room");
            await().atMost(Duration.ofSeconds(10)).until(() -> loaded.contains("events-room"));
        });
    }

    @Test
    void meterRegistry_present_tandemMetersRegisteredInIt() {
        SimpleMeterRegistry registry = new SimpleMeterRegistry();
        runner.withBean(SimpleMeterRegistry.class, () -> registry).run(context -> {
            assertThat(context.getBean(TandemMetrics.class).registry()).isSameAs(registry);
            assertThat(registry.find("tandem.commits").counter()).isNotNull();
        });
    }

    @Test
    void healthIndicator_followsTheStoresHealth() {
        StoreHealth[] health = {StoreHealth.OK};
        RoomStore store = org.mockito.Mockito.mock(RoomStore.class);
        org.mockito.Mockito.when(store.health()).thenAnswer(call -> health[0]);
        runner.withBean(RoomStore.class, () -> store).run(context -> {
            HealthIndicator indicator = context.getBean("tandemHealthIndicator", HealthIndicator.class);
            assertThat(indicator.health().getStatus()).isEqualTo(Status.UP);
            health[0] = StoreHealth.degraded("database unreachable");
            assertThat(indicator.health().getStatus()).isEqualTo(Status.DOWN);
            assertThat(indicator.health().getDetails()).containsEntry("store", "database unreachable");
        });
    }

    private HikariDataSource sqlitePool() {
        return new HikariDataSource(sqliteConfig());
    }

    private HikariConfig sqliteConfig() {
        HikariConfig config = new HikariConfig();
        config.setJdbcUrl("jdbc:sqlite:" + dir.resolve("app.db") + "?journal_mode=WAL&busy_timeout=10000");
        return config;
    }
}
