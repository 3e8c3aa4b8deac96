package dev.tandem.sync.server.internal.web;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class WebPagesTest {
    @TempDir
    Path dir;

    @Test
    void file_servesOnlyRegularFilesInsideTheRoot() throws Exception {
        Files.writeString(dir.resolve("index.html"), "<html>");
        Files.createDirectories(dir.resolve("assets"));
        Files.writeString(dir.resolve("assets/app.js"), "x");
        Files.writeString(dir.resolve(".secret"), "x");
        Files.writeString(dir.getParent().resolve("outside.txt"), "x");
        WebPages pages = new WebPages(dir);
        assertThat(pages.file("/assets/app.js")).isNotNull();
        assertThat(pages.file("/assets")).isNull();
        assertThat(pages.file("/.secret")).isNull();
        assertThat(pages.file("/../outside.txt")).isNull();
        assertThat(pages.file("/assets/../../outside.txt")).isNull();
        assertThat(pages.file("//etc/passwd")).isNull();
        assertThat(pages.file("/missing.js")).isNull();
        assertThat(WebPages.contentType("app.JS")).isEqualTo("text/javascript;charset=utf-8");
    }

    @Test
    void create_withoutIndexHtml_isRefused() {
        assertThatThrownBy(() -> new WebPages(dir))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessageContaining("has no index.html");
    }
}
