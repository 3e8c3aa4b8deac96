package dev.tandem.sync.server.internal.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.sun.net.httpserver.HttpServer;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/** {@link Unfurler} against a local page: every redirect hop is checked again, and limits hold. */
class UnfurlerIT {
    private final CountDownLatch release = new CountDownLatch(1);
    private final List<Unfurler> unfurlers = new ArrayList<>();
    private final AtomicInteger slowPagesStarted = new AtomicInteger();
    private HttpServer page;
    private int port;

    @BeforeEach
    void start() throws Exception {
        page = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
        page.createContext("/page", exchange -> {
            byte[] body = "<title>Local page</title>".getBytes(StandardCharsets.UTF_8);
            exchange.getResponseHeaders().add("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, body.length);
            try (OutputStream out = exchange.getResponseBody()) {
                out.write(body);
            }
        });
        page.createContext("/to-private", exchange -> {
            exchange.getResponseHeaders().add("Location", "http://10.255.255.1/secret");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        page.createContext("/to-page", exchange -> {
            exchange.getResponseHeaders().add("Location", "/page");
            exchange.sendResponseHeaders(301, -1);
            exchange.close();
        });
        page.createContext("/loop", exchange -> {
            exchange.getResponseHeaders().add("Location", "/loop");
            exchange.sendResponseHeaders(302, -1);
            exchange.close();
        });
        page.createContext("/slow", exchange -> {
            exchange.getResponseHeaders().add("Content-Type", "text/html");
            exchange.sendResponseHeaders(200, 0);
            OutputStream out = exchange.getResponseBody();
            out.write("<title>Slow".getBytes(StandardCharsets.UTF_8));
            out.flush();
            slowPagesStarted.incrementAndGet();
            try {
                // the body never ends until the test is over
                release.await(30, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
            exchange.close();
        });
        page.setExecutor(Executors.newCachedThreadPool());
        page.start();
        port = page.getAddress().getPort();
    }

    @AfterEach
    void stop() {
        release.countDown();
        unfurlers.forEach(Unfurler::close);
        page.stop(0);
    }

    private Unfurler closing(Unfurler u) {
        unfurlers.add(u);
        return u;
    }

    /** Allows this test's loopback page and nothing else that is not public. */
    private Unfurler unfurler() {
        return closing(new Unfurler(
                a -> a.getHostAddress().equals("127.0.0.1") || Unfurler.isPublic(a),
                Duration.ofSeconds(2),
                Duration.ofSeconds(2),
                4096));
    }

    @Test
    void unfurl_followsRedirectsToAllowedAddresses() throws Exception {
        assertThat(unfurler().unfurl("http://127.0.0.1:" + port + "/to-page"))
                .containsEntry("title", "Local page")
                .containsEntry("url", "http://127.0.0.1:" + port + "/page");
    }

    @Test
    void unfurl_redirectToPrivateAddress_isRefusedAtThatHop() {
        assertThatThrownBy(() -> unfurler().unfurl("http://127.0.0.1:" + port + "/to-private"))
                .isInstanceOfSatisfying(
                        Unfurler.Refused.class, e -> assertThat(e.code).isEqualTo("ADDRESS_NOT_ALLOWED"))
                .hasMessage("10.255.255.1 resolves to 10.255.255.1, which is not a public address");
    }

    @Test
    void unfurl_redirectLoop_stopsAfterTheLimit() {
        assertThatThrownBy(() -> unfurler().unfurl("http://127.0.0.1:" + port + "/loop"))
                .isInstanceOfSatisfying(
                        Unfurler.Refused.class, e -> assertThat(e.code).isEqualTo("TOO_MANY_REDIRECTS"));
    }

    @Test
    void unfurl_publicOnly_refusesLoopback() {
        Unfurler publicOnly = closing(new Unfurler(false, Duration.ofSeconds(2), Duration.ofSeconds(2), 4096, 4));
        assertThatThrownBy(() -> publicOnly.unfurl("http://127.0.0.1:" + port + "/page"))
                .isInstanceOfSatisfying(
                        Unfurler.Refused.class, e -> assertThat(e.code).isEqualTo("ADDRESS_NOT_ALLOWED"));
    }

    @Test
    void unfurl_bodyThatNeverEnds_isCutOffAtTheOneDeadline() {
        Unfurler unfurler = closing(new Unfurler(
                a -> a.getHostAddress().equals("127.0.0.1"), Duration.ofSeconds(1), Duration.ofSeconds(1), 4096));
        long start = System.nanoTime();
        assertThatThrownBy(() -> unfurler.unfurl("http://127.0.0.1:" + port + "/slow"))
                .isInstanceOfSatisfying(Unfurler.Refused.class, e -> {
                    assertThat(e.status).isEqualTo(504);
                    assertThat(e.code).isEqualTo("UNFURL_TIMEOUT");
                });
        assertThat(Duration.ofNanos(System.nanoTime() - start)).isLessThan(Duration.ofSeconds(4));
    }

    @Test
    void unfurl_pastTheConcurrencyCap_isRefusedAt503() throws Exception {
        Unfurler unfurler = closing(new Unfurler(
                a -> a.getHostAddress().equals("127.0.0.1"),
                InetAddress::getAllByName,
                Duration.ofSeconds(1),
                Duration.ofSeconds(20),
                4096,
                1));
        ExecutorService first = Executors.newSingleThreadExecutor();
        try {
            Future<?> slow = first.submit(() -> unfurler.unfurl("http://127.0.0.1:" + port + "/slow"));
            await().atMost(Duration.ofSeconds(10)).until(() -> slowPagesStarted.get() == 1);

            assertThatThrownBy(() -> unfurler.unfurl("http://127.0.0.1:" + port + "/page"))
                    .isInstanceOfSatisfying(Unfurler.Refused.class, e -> {
                        assertThat(e.status).isEqualTo(503);
                        assertThat(e.code).isEqualTo("TOO_MANY_UNFURLS");
                    })
                    .hasMessage("at most 1 links are unfurled at once; try again later");
            release.countDown();
            await().atMost(Duration.ofSeconds(10)).until(slow::isDone);
            assertThat(unfurler.unfurl("http://127.0.0.1:" + port + "/page")).containsEntry("title", "Local page");
        } finally {
            first.shutdownNow();
        }
    }

    @Test
    void unfurl_resolvesOnceAndConnectsToTheAddressItChecked() throws Exception {
        AtomicInteger lookups = new AtomicInteger();
        // a rebinding DNS answer: a checked address first, a private one after
        Unfurler.Resolver rebinding = host -> {
            assertThat(host).isEqualTo("rebind.test");
            return new InetAddress[] {
                InetAddress.getByName(lookups.getAndIncrement() == 0 ? "127.0.0.1" : "10.255.255.1")
            };
        };
        Unfurler unfurler = closing(new Unfurler(
                a -> a.getHostAddress().equals("127.0.0.1"),
                rebinding,
                Duration.ofSeconds(2),
                Duration.ofSeconds(5),
                4096,
                4));

        assertThat(unfurler.unfurl("http://rebind.test:" + port + "/page")).containsEntry("title", "Local page");
        assertThat(lookups).hasValue(1);
    }

    @Test
    void isPublic_refusesPrivateLoopbackLinkLocalAndReserved() throws Exception {
        for (String a : new String[] {
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "::1",
            "fe80::1",
            "fd00::1",
            "::ffff:127.0.0.1",
            "224.0.0.1"
        }) {
            assertThat(Unfurler.isPublic(InetAddress.getByName(a))).as(a).isFalse();
        }
        for (String a : new String[] {"93.184.216.34", "1.1.1.1", "2606:4700:4700::1111"}) {
            assertThat(Unfurler.isPublic(InetAddress.getByName(a))).as(a).isTrue();
        }
    }
}
