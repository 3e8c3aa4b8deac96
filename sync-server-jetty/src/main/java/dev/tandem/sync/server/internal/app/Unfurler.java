package dev.tandem.sync.server.internal.app;

import java.io.IOException;
import java.io.InputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.jspecify.annotations.Nullable;

/**
 * Fetches a web page and extracts bookmark metadata (title, description, image, favicon) from its {@code
 * <title>}, {@code <meta>} (Open Graph, Twitter, plain) and {@code <link rel=icon>} tags.
 *
 * <p>Guards against server-side request forgery: only {@code http} and {@code https} URLs; every address the
 * host resolves to must be public (no loopback, private, link-local, carrier-grade NAT, unique-local,
 * multicast or unspecified addresses) unless private addresses are allowed; redirects are followed by hand,
 * at most {@link #MAX_REDIRECTS}, each hop checked again; the connection and the whole response have time
 * limits, and at most {@code maxBytes} of the body are read. Thread-safe.
 */
public final class Unfurler {
    /** The most redirects followed. */
    public static final int MAX_REDIRECTS = 5;

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    private final Predicate<InetAddress> allowed;
    private final Duration readTimeout;
    private final int maxBytes;
    private final HttpClient http;

    /** Why a URL was not unfurled; {@code code} is the JSON error code. */
    public static final class Refused extends Exception {
        private static final long serialVersionUID = 1L;
        final int status;
        final String code;

        Refused(int status, String code, String message) {
            super(message, null, false, false);
            this.status = status;
            this.code = code;
        }
    }

    /**
     * @param allowPrivate whether loopback, private and link-local addresses may be fetched (tests, intranets)
     * @param connectTimeout the connect time limit per hop
     * @param readTimeout the time limit for each hop's whole response
     * @param maxBytes the most body bytes read per page
     */
    public Unfurler(boolean allowPrivate, Duration connectTimeout, Duration readTimeout, int maxBytes) {
        this(allowPrivate ? a -> true : Unfurler::isPublic, connectTimeout, readTimeout, maxBytes);
    }

    /** Fetches only hosts all of whose addresses {@code allowed} accepts (tests). */
    Unfurler(Predicate<InetAddress> allowed, Duration connectTimeout, Duration readTimeout, int maxBytes) {
        this.allowed = Objects.requireNonNull(allowed, "allowed");
        this.readTimeout = Objects.requireNonNull(readTimeout, "readTimeout");
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be > 0 but was " + maxBytes);
        }
        this.maxBytes = maxBytes;
        this.http = HttpClient.newBuilder()
                .connectTimeout(connectTimeout)
                .followRedirects(HttpClient.Redirect.NEVER)
                .build();
    }

    /** Returns the page's metadata: {@code title}, {@code description}, {@code image}, {@code favicon}, {@code url}. */
    public Map<String, String> unfurl(String url) throws Refused, InterruptedException {
        URI uri = parse(url);
        for (int hop = 0; ; hop++) {
            check(uri);
            HttpRequest request = HttpRequest.newBuilder(uri)
                    .timeout(readTimeout)
                    .header("Accept", "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1")
                    .header("User-Agent", "TandemUnfurl/0.1 (+bookmark metadata)")
                    .GET()
                    .build();
            HttpResponse<InputStream> response;
            try {
                response = http.send(request, HttpResponse.BodyHandlers.ofInputStream());
            } catch (IOException e) {
                throw new Refused(502, "UNFURL_FAILED", "cannot fetch " + uri + ": " + e);
            }
            int status = response.statusCode();
            if (status >= 300
                    && status < 400
                    && response.headers().firstValue("location").isPresent()) {
                close(response.body());
                if (hop >= MAX_REDIRECTS) {
                    throw new Refused(502, "TOO_MANY_REDIRECTS", "more than " + MAX_REDIRECTS + " redirects");
                }
                try {
                    uri = uri.resolve(response.headers().firstValue("location").get());
                } catch (IllegalArgumentException e) {
                    throw new Refused(502, "UNFURL_FAILED", "bad redirect location: " + e.getMessage());
                }
                requireHttp(uri);
                continue;
            }
            if (status != 200) {
                close(response.body());
                throw new Refused(502, "UNFURL_FAILED", uri + " answered " + status);
            }
            String type = response.headers().firstValue("content-type").orElse("");
            Map<String, String> out = new LinkedHashMap<>();
            out.put("url", uri.toString());
            if (!type.toLowerCase(Locale.ROOT).contains("html")) {
                close(response.body());
                out.put("title", "");
                out.put("description", "");
                out.put("image", "");
                out.put("favicon", "");
                return out;
            }
            String html;
            try (InputStream in = response.body()) {
                html = new String(in.readNBytes(maxBytes), StandardCharsets.UTF_8);
            } catch (IOException e) {
                throw new Refused(502, "UNFURL_FAILED", "cannot read " + uri + ": " + e);
            }
            out.putAll(metadata(html, uri));
            return out;
        }
    }

    /** Extracts the metadata from HTML; relative URLs resolve against {@code base}. */
    static Map<String, String> metadata(String html, URI base) {
        return metadata(html, base, System.nanoTime() + TimeUnit.DAYS.toNanos(1));
    }

    /**
     * Extracts the metadata in one pass over the page: every character is looked at a bounded number of times
     * (no backtracking), so the cost is linear in the page's size. Throws {@link ScanTimeout} once past {@code
     * deadlineNanos} ({@link System#nanoTime()}).
     */
    static Map<String, String> metadata(String html, URI base, long deadlineNanos) {
        Map<String, String> meta = new LinkedHashMap<>();
        String icon = null;
        String pageTitle = null;
        boolean titleUnclosed = false;
        int n = html.length();
        int steps = 0;
        for (int i = 0; ; ) {
            int lt = html.indexOf('<', i);
            if (lt < 0) {
                break;
            }
            if ((++steps & 0x3ff) == 0 && System.nanoTime() - deadlineNanos > 0) {
                throw new ScanTimeout();
            }
            int nameEnd = lt + 1;
            while (nameEnd < n && nameEnd - lt <= 6 && isWordChar(html.charAt(nameEnd))) {
                nameEnd++;
            }
            String tag = html.substring(lt + 1, nameEnd).toLowerCase(Locale.ROOT);
            if (!(tag.equals("meta") || tag.equals("link") || tag.equals("title"))
                    || (nameEnd < n && isWordChar(html.charAt(nameEnd)))) {
                i = lt + 1;
                continue;
            }
            int gt = html.indexOf('>', nameEnd);
            if (gt < 0) {
                break; // no complete tag follows
            }
            i = gt + 1;
            if (tag.equals("title")) {
                if (pageTitle == null && !titleUnclosed) {
                    int close = indexOfIgnoreCase(html, "</title", gt + 1);
                    if (close < 0) {
                        titleUnclosed = true; // and so is every later one: never search again
                    } else {
                        pageTitle = html.substring(gt + 1, close);
                        i = close;
                    }
                }
                continue;
            }
            Map<String, String> attrs = attributes(html, nameEnd, gt);
            if (tag.equals("meta")) {
                String key = attrs.getOrDefault("property", attrs.getOrDefault("name", ""))
                        .toLowerCase(Locale.ROOT);
                String content = attrs.get("content");
                if (!key.isEmpty() && content != null) {
                    meta.putIfAbsent(key, decode(content).trim());
                }
            } else if (attrs.get("href") != null) {
                String rel = attrs.getOrDefault("rel", "").toLowerCase(Locale.ROOT);
                if (rel.contains("icon") && (icon == null || rel.contains("apple-touch"))) {
                    icon = decode(attrs.get("href")).trim();
                }
            }
        }
        String title = pageTitle == null
                ? ""
                : WHITESPACE.matcher(decode(pageTitle)).replaceAll(" ").trim();
        Map<String, String> out = new LinkedHashMap<>();
        out.put("title", first(meta.get("og:title"), meta.get("twitter:title"), title));
        out.put(
                "description",
                first(meta.get("og:description"), meta.get("twitter:description"), meta.get("description")));
        out.put("image", absolute(base, first(meta.get("og:image"), meta.get("twitter:image"), "")));
        out.put("favicon", absolute(base, icon == null ? "/favicon.ico" : icon));
        return out;
    }

    /** The page's scan went past the deadline. */
    static final class ScanTimeout extends RuntimeException {
        private static final long serialVersionUID = 1L;

        ScanTimeout() {
            super("scan deadline passed", null, false, false);
        }
    }

    private static boolean isWordChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
    }

    private static boolean isAttributeNameChar(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == ':' || c == '_' || c == '-';
    }

    private static int indexOfIgnoreCase(String s, String what, int from) {
        for (int k = s.indexOf('<', from); k >= 0; k = s.indexOf('<', k + 1)) {
            if (s.regionMatches(true, k, what, 0, what.length())) {
                return k;
            }
        }
        return -1;
    }

    /** The attributes of the tag text {@code s[from, to)}; the first of a name wins. */
    private static Map<String, String> attributes(String s, int from, int to) {
        Map<String, String> attrs = new LinkedHashMap<>();
        int k = from;
        while (k < to) {
            if (!isAttributeNameChar(s.charAt(k))) {
                k++;
                continue;
            }
            int nameStart = k;
            while (k < to && isAttributeNameChar(s.charAt(k))) {
                k++;
            }
            String name = s.substring(nameStart, k).toLowerCase(Locale.ROOT);
            int j = k;
            while (j < to && Character.isWhitespace(s.charAt(j))) {
                j++;
            }
            if (j == to || s.charAt(j) != '=') {
                k = j;
                continue; // an attribute without a value
            }
            j++;
            while (j < to && Character.isWhitespace(s.charAt(j))) {
                j++;
            }
            int valueStart;
            int valueEnd;
            if (j < to && (s.charAt(j) == '"' || s.charAt(j) == '\'')) {
                char quote = s.charAt(j);
                valueStart = j + 1;
                valueEnd = valueStart;
                while (valueEnd < to && s.charAt(valueEnd) != quote) {
                    valueEnd++;
                }
                k = Math.min(to, valueEnd + 1);
            } else {
                valueStart = j;
                valueEnd = j;
                while (valueEnd < to && !Character.isWhitespace(s.charAt(valueEnd))) {
                    valueEnd++;
                }
                k = valueEnd;
            }
            if (valueEnd > valueStart || (valueStart > j)) {
                attrs.putIfAbsent(name, s.substring(valueStart, valueEnd));
            }
        }
        return attrs;
    }

    private static String first(@Nullable String... values) {
        for (String v : values) {
            if (v != null && !v.isEmpty()) {
                return v;
            }
        }
        return "";
    }

    private static String absolute(URI base, String href) {
        if (href.isEmpty()) {
            return "";
        }
        try {
            URI resolved = base.resolve(href);
            String scheme = resolved.getScheme();
            return scheme != null && (scheme.equals("http") || scheme.equals("https")) ? resolved.toString() : "";
        } catch (IllegalArgumentException e) {
            return "";
        }
    }

    private static String decode(String s) {
        return s.replace("&quot;", "\"")
                .replace("&#39;", "'")
                .replace("&#x27;", "'")
                .replace("&apos;", "'")
                .replace("&lt;", "<")
                .replace("&gt;", ">")
                .replace("&nbsp;", " ")
                .replace("&amp;", "&");
    }

    private static URI parse(String url) throws Refused {
        URI uri;
        try {
            uri = new URI(url);
        } catch (URISyntaxException e) {
            throw new Refused(400, "INVALID_URL", "not a URL: " + e.getMessage());
        }
        requireHttp(uri);
        return uri;
    }

    private static void requireHttp(URI uri) throws Refused {
        String scheme = uri.getScheme() == null ? "" : uri.getScheme().toLowerCase(Locale.ROOT);
        if (!(scheme.equals("http") || scheme.equals("https")) || uri.getHost() == null) {
            throw new Refused(400, "INVALID_URL", "only absolute http and https URLs can be unfurled");
        }
        if (uri.getUserInfo() != null) {
            throw new Refused(400, "INVALID_URL", "URLs with credentials cannot be unfurled");
        }
    }

    /** Refuses a URL whose host resolves to any non-public address, unless private addresses are allowed. */
    private void check(URI uri) throws Refused {
        InetAddress[] addresses;
        try {
            addresses = InetAddress.getAllByName(uri.getHost());
        } catch (UnknownHostException e) {
            throw new Refused(502, "UNFURL_FAILED", "unknown host " + uri.getHost());
        }
        for (InetAddress a : addresses) {
            if (!allowed.test(a)) {
                throw new Refused(
                        403,
                        "ADDRESS_NOT_ALLOWED",
                        uri.getHost() + " resolves to " + a.getHostAddress() + ", which is not a public address");
            }
        }
    }

    /** Returns whether an address is a public unicast address. */
    static boolean isPublic(InetAddress a) {
        if (a.isAnyLocalAddress()
                || a.isLoopbackAddress()
                || a.isLinkLocalAddress()
                || a.isSiteLocalAddress()
                || a.isMulticastAddress()) {
            return false;
        }
        byte[] b = a.getAddress();
        if (a instanceof Inet4Address) {
            int b0 = b[0] & 0xff;
            int b1 = b[1] & 0xff;
            return b0 != 0 // this network
                    && !(b0 == 100 && b1 >= 64 && b1 < 128) // carrier-grade NAT
                    && !(b0 == 192 && b1 == 0 && (b[2] & 0xff) == 0) // IETF protocol assignments
                    && !(b0 == 198 && (b1 == 18 || b1 == 19)) // benchmarking
                    && b0 < 240; // reserved and broadcast
        }
        if (a instanceof Inet6Address) {
            int b0 = b[0] & 0xff;
            if ((b0 & 0xfe) == 0xfc) {
                return false; // unique local fc00::/7
            }
            // forms that carry an IPv4 address, which a gateway or the host may reach: public only if it is
            if (startsWith(b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff) // mapped ::ffff:0:0/96
                    || startsWith(b, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0) // IPv4-compatible ::/96
                    || startsWith(b, 0, 0x64, 0xff, 0x9b, 0, 0, 0, 0, 0, 0, 0, 0)) { // NAT64 64:ff9b::/96
                return isPublicV4(b[12], b[13], b[14], b[15]);
            }
            if (startsWith(b, 0, 0x64, 0xff, 0x9b, 0, 1)) {
                return false; // local-use NAT64 64:ff9b:1::/48 (RFC 8215): translated to anything
            }
            if (startsWith(b, 0x20, 0x02)) { // 6to4 2002::/16
                return isPublicV4(b[2], b[3], b[4], b[5]);
            }
            if (startsWith(b, 0x20, 0x01, 0, 0)) { // Teredo 2001::/32: the server, and the client inverted
                return isPublicV4(b[4], b[5], b[6], b[7])
                        && isPublicV4((byte) ~b[12], (byte) ~b[13], (byte) ~b[14], (byte) ~b[15]);
            }
        }
        return true;
    }

    private static boolean startsWith(byte[] address, int... prefix) {
        for (int i = 0; i < prefix.length; i++) {
            if ((address[i] & 0xff) != prefix[i]) {
                return false;
            }
        }
        return true;
    }

    private static boolean isPublicV4(byte b0, byte b1, byte b2, byte b3) {
        try {
            return isPublic(InetAddress.getByAddress(new byte[] {b0, b1, b2, b3}));
        } catch (UnknownHostException e) {
            return false;
        }
    }

    private static void close(InputStream in) {
        try {
            in.close();
        } catch (IOException ignored) {
            // nothing to do: the connection is discarded
        }
    }
}
