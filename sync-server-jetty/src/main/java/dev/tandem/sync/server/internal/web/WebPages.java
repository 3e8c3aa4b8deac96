package dev.tandem.sync.server.internal.web;

import java.io.IOException;
import java.io.InputStream;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.jspecify.annotations.Nullable;

/**
 * Serves a built single-page app (a {@code vite build} output directory) in front of the sync routes: plain
 * {@code GET}s of {@code /}, {@code /r/{roomId}} and {@code /ro/{roomId}} get the page's {@code index.html}
 * (WebSocket upgrades on the same paths still reach the rooms), and any other {@code GET} of a file that exists
 * under the directory gets that file. Everything else goes to the wrapped handler.
 *
 * <p>Only regular files inside the directory are served: no listings, no dot files, no paths that leave the
 * directory (including through symbolic links). Hashed files under {@code /assets/} are cached for a year;
 * the page itself is never cached. Thread-safe.
 */
public final class WebPages extends Handler.Wrapper {
    private static final Pattern PAGE_ROUTE = Pattern.compile("/(r|ro)/[A-Za-z0-9._~:-]+/?");
    private static final long MAX_FILE_BYTES = 64L * 1024 * 1024;
    private static final Map<String, String> TYPES = Map.ofEntries(
            Map.entry("html", "text/html;charset=utf-8"),
            Map.entry("js", "text/javascript;charset=utf-8"),
            Map.entry("mjs", "text/javascript;charset=utf-8"),
            Map.entry("css", "text/css;charset=utf-8"),
            Map.entry("json", "application/json;charset=utf-8"),
            Map.entry("map", "application/json;charset=utf-8"),
            Map.entry("svg", "image/svg+xml"),
            Map.entry("png", "image/png"),
            Map.entry("jpg", "image/jpeg"),
            Map.entry("jpeg", "image/jpeg"),
            Map.entry("gif", "image/gif"),
            Map.entry("webp", "image/webp"),
            Map.entry("ico", "image/x-icon"),
            Map.entry("woff", "font/woff"),
            Map.entry("woff2", "font/woff2"),
            Map.entry("ttf", "font/ttf"),
            Map.entry("txt", "text/plain;charset=utf-8"),
            Map.entry("wasm", "application/wasm"));

    private final Path root;

    /**
     * @param root the directory holding {@code index.html}
     * @throws IllegalArgumentException if it is not a directory with an {@code index.html}
     */
    public WebPages(Path root) {
        Objects.requireNonNull(root, "root");
        if (!Files.isRegularFile(root.resolve("index.html"))) {
            throw new IllegalArgumentException("web directory " + root + " has no index.html (run npm run build)");
        }
        try {
            this.root = root.toRealPath();
        } catch (IOException e) {
            throw new IllegalArgumentException("cannot read web directory " + root + ": " + e.getMessage(), e);
        }
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String method = request.getMethod();
        boolean head = method.equals("HEAD");
        if ((!method.equals("GET") && !head) || request.getHeaders().contains(HttpHeader.UPGRADE)) {
            return super.handle(request, response, callback);
        }
        String path = Request.getPathInContext(request);
        Path file = path.equals("/") || PAGE_ROUTE.matcher(path).matches() ? root.resolve("index.html") : file(path);
        if (file == null) {
            return super.handle(request, response, callback);
        }
        byte[] body;
        try (InputStream in = Files.newInputStream(file)) {
            body = in.readNBytes((int) MAX_FILE_BYTES);
        }
        String name = file.getFileName().toString();
        response.setStatus(200);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, contentType(name));
        response.getHeaders().put("X-Content-Type-Options", "nosniff");
        response.getHeaders()
                .put(
                        HttpHeader.CACHE_CONTROL,
                        path.startsWith("/assets/") ? "public, max-age=31536000, immutable" : "no-cache");
        response.getHeaders().put(HttpHeader.CONTENT_LENGTH, body.length);
        response.write(true, head ? ByteBuffer.allocate(0) : ByteBuffer.wrap(body), callback);
        return true;
    }

    /** Returns the regular file under the root named by a request path, or null if there is none. */
    @Nullable
    Path file(String path) {
        if (!path.startsWith("/") || path.contains("\\") || path.indexOf('\0') >= 0) {
            return null;
        }
        for (String segment : path.substring(1).split("/", -1)) {
            if (segment.isEmpty() || segment.startsWith(".")) {
                return null;
            }
        }
        Path candidate = root.resolve(path.substring(1)).normalize();
        if (!candidate.startsWith(root) || !Files.isRegularFile(candidate, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        try {
            Path real = candidate.toRealPath();
            return real.startsWith(root) && Files.size(real) <= MAX_FILE_BYTES ? real : null;
        } catch (IOException e) {
            return null;
        }
    }

    static String contentType(String fileName) {
        int dot = fileName.lastIndexOf('.');
        String ext = dot < 0 ? "" : fileName.substring(dot + 1).toLowerCase(Locale.ROOT);
        return TYPES.getOrDefault(ext, "application/octet-stream");
    }
}
