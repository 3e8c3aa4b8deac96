package dev.tandem.sync.server.internal.app;

import static org.assertj.core.api.Assertions.assertThat;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

import java.net.InetAddress;
import java.net.URI;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** {@link Unfurler}'s address filter and HTML scan, without a network. */
class UnfurlerTest {
    @Test
    void isPublic_refusesNat64AndIpv4CompatibleAndTunnelledFormsOfPrivateAddresses() throws Exception {
        for (String a : new String[] {
            "64:ff9b::7f00:1", // NAT64 of 127.0.0.1
            "64:ff9b::a00:1", // NAT64 of 10.0.0.1
            "64:ff9b::a9fe:a9fe", // NAT64 of 169.254.169.254
            "64:ff9b:1::a00:1", // local-use NAT64 (RFC 8215)
            "::127.0.0.1", // IPv4-compatible
            "::10.0.0.1",
            "::ffff:10.0.0.1",
            "2002:7f00:1::1", // 6to4 of 127.0.0.1
            "2002:a00:1::1", // 6to4 of 10.0.0.1
            "2001:0:4136:e378:8000:63bf:80ff:fffe", // Teredo, client 127.0.0.1 (obfuscated)
            "2001:0:a00:1::1" // Teredo, server 10.0.0.1
        }) {
            assertThat(Unfurler.isPublic(InetAddress.getByName(a))).as(a).isFalse();
        }
        for (String a : new String[] {"64:ff9b::5db8:d822", "2002:5db8:d822::1", "2001:4860:4860::8888"}) {
            assertThat(Unfurler.isPublic(InetAddress.getByName(a))).as(a).isTrue();
        }
    }

    @Test
    void metadata_ofPagesOfUnclosedTags_takesLinearTime() {
        URI base = URI.create("https://example.com/");
        int size = 1 << 20;
        for (String unit : new String[] {"<meta a", "<title>", "<link ", "<meta " + "a".repeat(64), "<"}) {
            String page = unit.repeat(size / unit.length());
            Map<String, String> out =
                    assertTimeoutPreemptively(Duration.ofSeconds(3), () -> Unfurler.metadata(page, base), unit);
            assertThat(out).containsEntry("image", "");
        }
        String tags = "<meta property=\"og:title\" content=\"T\">" + "<meta name=x content=y>".repeat(40_000)
                + "<title>ignored</title>";
        assertThat(assertTimeoutPreemptively(Duration.ofSeconds(3), () -> Unfurler.metadata(tags, base)))
                .containsEntry("title", "T");
    }
}
