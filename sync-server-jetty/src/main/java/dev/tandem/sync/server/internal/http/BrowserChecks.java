package dev.tandem.sync.server.internal.http;

import dev.tandem.sync.server.AllowedOrigins;
import java.net.InetSocketAddress;
import java.net.SocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.util.Locale;
import java.util.Objects;
import java.util.regex.Pattern;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;
import org.jspecify.annotations.Nullable;

/**
 * The checks against what a web page may make a browser send: the {@code Host} of a request on loopback (DNS
 * rebinding) and the {@code Origin} of a WebSocket upgrade or a state-changing request (cross-site WebSocket
 * hijacking, cross-site request forgery), by the rules of {@link AllowedOrigins}. Immutable and thread-safe.
 */
public final class BrowserChecks {
    private static final Pattern IPV4_LOOPBACK = Pattern.compile("127\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}");

    private final AllowedOrigins allowed;

    public BrowserChecks(AllowedOrigins allowed) {
        this.allowed = Objects.requireNonNull(allowed, "allowed");
    }

    /**
     * Returns the refusal of {@code request}, or null if it may go on.
     *
     * @param upgrade whether the request asks for a WebSocket upgrade
     */
    public @Nullable ApiError refusal(Request request, boolean upgrade) {
        if (allowed.allowsAny()) {
            return null;
        }
        boolean loopback = arrivedOnLoopback(request);
        String hostHeader = request.getHeaders().get(HttpHeader.HOST);
        String host = hostHeader == null ? null : hostOf(hostHeader.strip());
        if (loopback && host != null && !isLoopbackName(host) && !allowed.listsHost(host)) {
            return new ApiError(
                    403,
                    "HOST_NOT_ALLOWED",
                    "host " + printable(host) + " is not allowed on a loopback server; list its origin in"
                            + " --allowed-origins");
        }
        String method = request.getMethod();
        boolean safe = method.equals("GET") || method.equals("HEAD") || method.equals("OPTIONS");
        if (safe && !upgrade) {
            return null;
        }
        String origin = request.getHeaders().get(HttpHeader.ORIGIN);
        if (origin == null || originAllowed(origin.strip(), hostHeader, loopback)) {
            return null;
        }
        return new ApiError(
                403,
                "ORIGIN_NOT_ALLOWED",
                "origin " + printable(origin) + " is not allowed; list it in --allowed-origins");
    }

    private boolean originAllowed(String origin, @Nullable String hostHeader, boolean loopback) {
        String normalized;
        try {
            normalized = AllowedOrigins.normalize(origin);
        } catch (IllegalArgumentException notAnOrigin) {
            // "null" (a sandboxed or file: page) and anything else that names no site
            return false;
        }
        if (allowed.lists(normalized)) {
            return true;
        }
        URI uri;
        try {
            uri = new URI(normalized);
        } catch (URISyntaxException e) {
            return false;
        }
        String originHost = uri.getHost().toLowerCase(Locale.ROOT);
        if (!originHost.startsWith("[") && originHost.contains(":")) {
            originHost = "[" + originHost + "]";
        }
        if (loopback && isLoopbackName(originHost)) {
            return true;
        }
        if (hostHeader == null) {
            return false;
        }
        // same origin: the page was served by this server under the name the request uses
        String authority = hostHeader.strip().toLowerCase(Locale.ROOT);
        String host = hostOf(authority);
        if (!host.equals(originHost)) {
            return false;
        }
        String port = authority.substring(host.length());
        if (port.isEmpty()) {
            return true;
        }
        int originPort = uri.getPort() != -1 ? uri.getPort() : uri.getScheme().endsWith("s") ? 443 : 80;
        return port.equals(":" + originPort);
    }

    private static boolean arrivedOnLoopback(Request request) {
        SocketAddress local = request.getConnectionMetaData().getLocalSocketAddress();
        return local instanceof InetSocketAddress a
                && a.getAddress() != null
                && a.getAddress().isLoopbackAddress();
    }

    /** Returns the host of a {@code Host} header value, lower case, an IPv6 address in brackets. */
    static String hostOf(String authority) {
        String a = authority.toLowerCase(Locale.ROOT);
        if (a.startsWith("[")) {
            int end = a.indexOf(']');
            return end < 0 ? a : a.substring(0, end + 1);
        }
        int colon = a.lastIndexOf(':');
        return colon < 0 ? a : a.substring(0, colon);
    }

    static boolean isLoopbackName(String host) {
        String h = host.endsWith(".") ? host.substring(0, host.length() - 1) : host;
        return h.equals("localhost")
                || h.endsWith(".localhost")
                || h.equals("[::1]")
                || IPV4_LOOPBACK.matcher(h).matches();
    }

    /** Returns a header value safe to put in a message: printable ASCII, at most 100 characters. */
    private static String printable(String value) {
        StringBuilder out = new StringBuilder();
        for (int i = 0; i < value.length() && out.length() < 100; i++) {
            char c = value.charAt(i);
            out.append(c >= 0x20 && c < 0x7f ? c : '?');
        }
        return out.toString();
    }
}
