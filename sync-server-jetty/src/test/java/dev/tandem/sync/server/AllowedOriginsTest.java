package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

class AllowedOriginsTest {

    @Test
    void parse_list_isNormalized() {
        AllowedOrigins o =
                AllowedOrigins.parse(" https://App.Example:443 , http://localhost:5173,wss://x.example:8443/");
        assertThat(o.allowsAny()).isFalse();
        assertThat(o.origins())
                .isEqualTo(Set.of("https://app.example", "http://localhost:5173", "wss://x.example:8443"));
        assertThat(o.listsHost("app.example")).isTrue();
        assertThat(o.listsHost("evil.example")).isFalse();
    }

    @Test
    void parse_star_allowsAny() {
        assertThat(AllowedOrigins.parse("*").allowsAny()).isTrue();
        assertThat(AllowedOrigins.parse("https://a.example,*").allowsAny()).isTrue();
    }

    @Test
    void parse_empty_isTheDefaults() {
        assertThat(AllowedOrigins.parse(" , ")).isEqualTo(AllowedOrigins.defaults());
    }

    @Test
    void of_notAnOrigin_isRefusedWithTheValue() {
        for (String bad : List.of("app.example", "https://app.example/path", "https://u@app.example", "null")) {
            assertThatThrownBy(() -> AllowedOrigins.of(List.of(bad)))
                    .isInstanceOf(IllegalArgumentException.class)
                    .hasMessage("an allowed origin must be scheme://host[:port] but was '" + bad + "'");
        }
    }
}
