package dev.tandem.sync.server;

import java.net.URI;
import java.net.URISyntaxException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.Set;

/**
 * The web pages whose scripts may use the server: a browser names the page's origin in the {@code Origin} header of
 * a WebSocket upgrade and of a cross-site {@code POST}, {@code PUT} or {@code DELETE}, and the server refuses an
 * origin it does not allow with {@code 403 ORIGIN_NOT_ALLOWED} (before upgrading). Immutable and thread-safe.
 *
 * <p>Always allowed: requests without an {@code Origin} (clients that are not browsers, such as Node's {@code ws}
 * or the Java client), and pages of the server itself (the {@code Origin}'s host, and its port if the {@code Host}
 * header names one, equal the {@code Host}'s). On a connection to a loopback address, pages of any loopback origin
 * ({@code localhost}, {@code *.localhost}, {@code 127.0.0.0/8}, {@code [::1]}, any port: a development server such
 * as Vite's) are allowed too; and the {@code Host} header must be one of these loopback names or the host of a
 * listed origin ({@code 403 HOST_NOT_ALLOWED}), so that a site whose name is rebound to 127.0.0.1 (DNS rebinding)
 * reaches nothing.
 *
 * <pre>{@code
 * TandemServer.builder().allowedOrigins(AllowedOrigins.of(List.of("https://app.example.com")));
 * }</pre>
 *
 * @param allowsAny whether every origin and every {@code Host} is allowed (the {@code *} of {@code --allowed-origins})
 * @param origins further allowed origins, each {@code scheme://host[:port]} in lower case without a default port
 */
public record AllowedOrigins(boolean allowsAny, Set<String> origins) {

    private static final AllowedOrigins DEFAULTS = new AllowedOrigins(false, Set.of());

    public AllowedOrigins {
        List<String> normalized = new ArrayList<>();
        for (String origin : Objects.requireNonNull(origins, "origins")) {
            normalized.add(normalize(origin));
        }
        origins = Set.copyOf(new LinkedHashSet<>(normalized));
    }

    /** Requests without {@code Origin}, pages of the server itself, and loopback pages on loopback. */
    public static AllowedOrigins defaults() {
        return DEFAULTS;
    }

    /** Every origin and every {@code Host}: no browser checks at all. */
    public static AllowedOrigins any() {
        return new AllowedOrigins(true, Set.of());
    }

    /** The defaults and {@code origins}, each {@code scheme://host[:port]}. */
    public static AllowedOrigins of(Collection<String> origins) {
        return new AllowedOrigins(false, new LinkedHashSet<>(origins));
    }

    /**
     * Parses the value of {@code --allowed-origins}: {@code *}, or origins separated by commas.
     *
     * @throws IllegalArgumentException naming the value that is not an origin
     */
    public static AllowedOrigins parse(String list) {
        Objects.requireNonNull(list, "list");
        List<String> origins = new ArrayList<>();
        for (String part : list.split(",")) {
            String origin = part.strip();
            if (origin.equals("*")) {
                return any();
            }
            if (!origin.isEmpty()) {
                origins.add(origin);
            }
        }
        return of(origins);
    }

    /** Returns whether {@code origin} (normalized) is listed. */
    public boolean lists(String origin) {
        return origins.contains(origin);
    }

    /** Returns whether {@code host} (lower case, IPv6 in brackets) is the host of a listed origin. */
    public boolean listsHost(String host) {
        for (String origin : origins) {
            if (hostOf(origin).equals(host)) {
                return true;
            }
        }
        return false;
    }

    /**
     * Returns {@code origin} as {@code scheme://host[:port]} in lower case, without its scheme's default port.
     *
     * @throws IllegalArgumentException if it is not such an origin
     */
    public static String normalize(String origin) {
        Objects.requireNonNull(origin, "origin");
        String problem = "an allowed origin must be scheme://host[:port] but was '" + origin + "'";
        URI uri;
        try {
            uri = new URI(origin.strip());
        } catch (URISyntaxException e) {
            throw new IllegalArgumentException(problem, e);
        }
        String scheme = uri.getScheme();
        String host = uri.getHost();
        if (scheme == null
                || host == null
                || uri.getRawUserInfo() != null
                || uri.getRawQuery() != null
                || uri.getRawFragment() != null
                || !(uri.getRawPath() == null
                        || uri.getRawPath().isEmpty()
                        || uri.getRawPath().equals("/"))) {
            throw new IllegalArgumentException(problem);
        }
        scheme = scheme.toLowerCase(Locale.ROOT);
        int port = uri.getPort();
        boolean defaultPort = port == -1
                || (port == 80 && (scheme.equals("http") || scheme.equals("ws")))
                || (port == 443 && (scheme.equals("https") || scheme.equals("wss")));
        return scheme + "://" + host.toLowerCase(Locale.ROOT) + (defaultPort ? "" : ":" + port);
    }

    /** Returns the host of a normalized origin. */
    static String hostOf(String origin) {
        String authority = origin.substring(origin.indexOf("://") + 3);
        if (authority.startsWith("[")) {
            return authority.substring(0, authority.indexOf(']') + 1);
        }
        int colon = authority.lastIndexOf(':');
        return colon < 0 ? authority : authority.substring(0, colon);
    }
}
