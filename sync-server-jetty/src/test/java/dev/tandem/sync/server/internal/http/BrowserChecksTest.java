package dev.tandem.sync.server.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class BrowserChecksTest {

    @Test
    void hostOf_stripsThePort_keepsIpv6Brackets() {
        assertThat(BrowserChecks.hostOf("Example.COM:8787")).isEqualTo("example.com");
        assertThat(BrowserChecks.hostOf("[::1]:8787")).isEqualTo("[::1]");
        assertThat(BrowserChecks.hostOf("localhost")).isEqualTo("localhost");
    }

    @Test
    void isLoopbackName_onlyLoopbackNamesAndAddresses() {
        assertThat(BrowserChecks.isLoopbackName("localhost")).isTrue();
        assertThat(BrowserChecks.isLoopbackName("app.localhost")).isTrue();
        assertThat(BrowserChecks.isLoopbackName("127.0.0.1")).isTrue();
        assertThat(BrowserChecks.isLoopbackName("127.1.2.3")).isTrue();
        assertThat(BrowserChecks.isLoopbackName("[::1]")).isTrue();
        assertThat(BrowserChecks.isLoopbackName("localhost.evil.example")).isFalse();
        assertThat(BrowserChecks.isLoopbackName("127.0.0.1.evil.example")).isFalse();
        assertThat(BrowserChecks.isLoopbackName("evil.example")).isFalse();
        assertThat(BrowserChecks.isLoopbackName("0.0.0.0")).isFalse();
    }
}
