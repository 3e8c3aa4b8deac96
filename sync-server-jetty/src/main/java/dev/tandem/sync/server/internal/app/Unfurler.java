package dev.tandem.sync.server.internal.app;

import java.io.ByteArrayOutputStream;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.net.URISyntaxException;
import java.net.UnknownHostException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Objects;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.function.Predicate;
import java.util.regex.Pattern;
import org.eclipse.jetty.client.HttpClient;
import org.eclipse.jetty.client.Request;
import org.eclipse.jetty.client.Response;
import org.eclipse.jetty.client.Result;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.http.HttpFields;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.util.Promise;
import org.eclipse.jetty.util.thread.QueuedThreadPool;
import org.eclipse.jetty.util.thread.ScheduledExecutorScheduler;
import org.jspecify.annotations.Nullable;

/**
 * Fetches a web page and extracts bookmark metadata (title, description, image, favicon) from its {@code
 * <title>}, {@code <meta>} (Open Graph, Twitter, plain) and {@code <link rel=icon>} tags.
 *
 * <p>Guards against server-side request forgery: only {@code http} and {@code https} URLs; every address the
 * host resolves to must be public (no loopback, private, link-local, carrier-grade NAT, unique-local,
 * multicast or unspecified addresses, nor an IPv6 form of one: IPv4-mapped, IPv4-compatible, NAT64, 6to4,
 * Teredo) unless private addresses are allowed; the host is looked up once per connection and the
 * connection goes to the addresses checked (no second lookup to rebind); redirects are followed by hand, at
 * most {@link #MAX_REDIRECTS}, each hop checked again.
 *
 * <p>Bounded: one deadline covers the whole unfurl (every hop's connection, headers and body, and the scan of
 * the page); at most {@code maxBytes} of the body are read; the page is scanned in linear time; at most
 * {@code maxConcurrent} unfurls run at once, the others are refused at once. Thread-safe; its HTTP client
 * (daemon threads) starts on the first unfurl.
 */
public final class Unfurler {
    /** The most redirects followed. */
    public static final int MAX_REDIRECTS = 5;

    private static final Pattern WHITESPACE = Pattern.compile("\\s+");

    /** The most unfurls that run at once by default; more are refused with 503 {@code TOO_MANY_UNFURLS}. */
    public static final int DEFAULT_MAX_CONCURRENT = 16;

    private static final String USER_AGENT = "TandemUnfurl/0.1 (+bookmark metadata)";

    private final Predicate<InetAddress> allowed;
    private final Resolver resolver;
    private final Duration connectTimeout;
    private final Duration timeout;
    private final int maxBytes;
    private final int maxConcurrent;
    private final Semaphore slots;
    /** Started on the first unfurl, so a server that never unfurls starts no threads for it. */
    private @Nullable HttpClient http;

    /** Looks up a host's addresses; the one lookup whose answer is both checked and connected to. */
    @FunctionalInterface
    interface Resolver {
        InetAddress[] resolve(String host) throws UnknownHostException;
    }

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

    /** Carries a refused address out of the HTTP client's resolver. */
    private static final class AddressRefused extends RuntimeException {
        private static final long serialVersionUID = 1L;
        final transient Refused refused;

        AddressRefused(Refused refused) {
            super(refused.getMessage(), null, false, false);
            this.refused = refused;
        }
    }

    /**
     * @param allowPrivate whether loopback, private and link-local addresses may be fetched (tests, intranets)
     * @param connectTimeout the connect time limit per hop
     * @param timeout the one deadline for the whole unfurl: every hop's connection, headers and body, and the
     *     scan of the page
     * @param maxBytes the most body bytes read per page
     * @param maxConcurrent the most unfurls at once; more are refused with 503 {@code TOO_MANY_UNFURLS}
     */
    public Unfurler(boolean allowPrivate, Duration connectTimeout, Duration timeout, int maxBytes, int maxConcurrent) {
        this(
                allowPrivate ? a -> true : Unfurler::isPublic,
                InetAddress::getAllByName,
                connectTimeout,
                timeout,
                maxBytes,
                maxConcurrent);
    }

    /** Fetches only hosts all of whose addresses {@code allowed} accepts (tests). */
    Unfurler(Predicate<InetAddress> allowed, Duration connectTimeout, Duration timeout, int maxBytes) {
        this(allowed, InetAddress::getAllByName, connectTimeout, timeout, maxBytes, DEFAULT_MAX_CONCURRENT);
    }

    Unfurler(
            Predicate<InetAddress> allowed,
            Resolver resolver,
            Duration connectTimeout,
            Duration timeout,
            int maxBytes,
            int maxConcurrent) {
        this.allowed = Objects.requireNonNull(allowed, "allowed");
        this.resolver = Objects.requireNonNull(resolver, "resolver");
        this.connectTimeout = Objects.requireNonNull(connectTimeout, "connectTimeout");
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        if (maxBytes <= 0) {
            throw new IllegalArgumentException("maxBytes must be > 0 but was " + maxBytes);
        }
        if (maxConcurrent <= 0) {
            throw new IllegalArgumentException("maxConcurrent must be > 0 but was " + maxConcurrent);
        }
        this.maxBytes = maxBytes;
        this.maxConcurrent = maxConcurrent;
        this.slots = new Semaphore(maxConcurrent);
    }

    /**
     * Returns the page's metadata: {@code title}, {@code description}, {@code image}, {@code favicon}, {@code url}.
     * Throws {@link Refused} with 503 {@code TOO_MANY_UNFURLS} when {@code maxConcurrent} unfurls are running,
     * and with 504 {@code UNFURL_TIMEOUT} when the whole unfurl did not finish within its deadline.
     */
    public Map<String, String> unfurl(String url) throws Refused, InterruptedException {
        URI uri = parse(url);
        if (!slots.tryAcquire()) {
            throw new Refused(
                    503,
                    "TOO_MANY_UNFURLS",
                    "at most " + maxConcurrent + " links are unfurled at once; try again later");
        }
        try {
            return fetch(uri, System.nanoTime() + timeout.toNanos());
        } finally {
            slots.release();
        }
    }

    private Map<String, String> fetch(URI start, long deadline) throws Refused, InterruptedException {
        HttpClient client = client();
        URI uri = start;
        for (int hop = 0; ; hop++) {
            long left = deadline - System.nanoTime();
            if (left <= 0) {
                throw timedOut(uri);
            }
            Page page = new Page(maxBytes);
            Request request = client.newRequest(uri)
                    .timeout(left, TimeUnit.NANOSECONDS)
                    .headers(h -> h.put(HttpHeader.ACCEPT, "text/html,application/xhtml+xml;q=0.9,*/*;q=0.1"));
            request.send(page);
            Fetched response;
            try {
                response = page.get(left, TimeUnit.NANOSECONDS);
            } catch (TimeoutException e) {
                request.abort(e);
                throw timedOut(uri);
            } catch (ExecutionException e) {
                throw failed(uri, e.getCause());
            } catch (InterruptedException e) {
                request.abort(e);
                throw e;
            }
            int status = response.status;
            String location = response.headers.get(HttpHeader.LOCATION);
            if (status >= 300 && status < 400 && location != null) {
                if (hop >= MAX_REDIRECTS) {
                    throw new Refused(502, "TOO_MANY_REDIRECTS", "more than " + MAX_REDIRECTS + " redirects");
                }
                try {
                    uri = uri.resolve(location);
                } catch (IllegalArgumentException e) {
                    throw new Refused(502, "UNFURL_FAILED", "bad redirect location: " + e.getMessage());
                }
                requireHttp(uri);
                continue;
            }
            if (status != 200) {
                throw new Refused(502, "UNFURL_FAILED", uri + " answered " + status);
            }
            Map<String, String> out = new LinkedHashMap<>();
            out.put("url", uri.toString());
            if (!response.html()) {
                out.put("title", "");
                out.put("description", "");
                out.put("image", "");
                out.put("favicon", "");
                return out;
            }
            try {
                out.putAll(metadata(new String(response.body, StandardCharsets.UTF_8), uri, deadline));
            } catch (ScanTimeout e) {
                throw timedOut(uri);
            }
            return out;
        }
    }

    private Refused timedOut(URI uri) {
        return new Refused(504, "UNFURL_TIMEOUT", "unfurling " + uri + " took longer than " + timeout);
    }

    private static Refused failed(URI uri, Throwable cause) {
        for (Throwable t = cause; t != null; t = t.getCause()) {
            if (t instanceof AddressRefused a) {
                return a.refused;
            }
            if (t instanceof TimeoutException) {
                return new Refused(504, "UNFURL_TIMEOUT", "unfurling " + uri + " timed out");
            }
        }
        return new Refused(502, "UNFURL_FAILED", "cannot fetch " + uri + ": " + cause);
    }

    private synchronized HttpClient client() throws Refused {
        if (http == null) {
            QueuedThreadPool threads = new QueuedThreadPool();
            threads.setName("tandem-unfurl");
            threads.setDaemon(true);
            HttpClient c = new HttpClient();
            c.setExecutor(threads);
            c.setScheduler(new ScheduledExecutorScheduler("tandem-unfurl-timer", true));
            c.setFollowRedirects(false);
            c.setConnectTimeout(connectTimeout.toMillis());
            c.setUserAgentField(new HttpField(HttpHeader.USER_AGENT, USER_AGENT));
            c.setSocketAddressResolver(this::resolve);
            try {
                c.start();
            } catch (Exception e) {
                throw new Refused(502, "UNFURL_FAILED", "cannot start the HTTP client: " + e);
            }
            http = c;
        }
        return http;
    }

    /** Stops the HTTP client and its threads, if an unfurl started them; a later unfurl starts them again. */
    public synchronized void close() {
        HttpClient c = http;
        http = null;
        if (c != null) {
            try {
                c.stop();
            } catch (Exception e) {
                // nothing more to do: its threads are daemons
            }
        }
    }

    /** The HTTP client's only resolver: looks the host up once, and connects only to addresses it checked. */
    private void resolve(String host, int port, Map<String, Object> context, Promise<List<InetSocketAddress>> promise) {
        List<InetSocketAddress> out = new ArrayList<>();
        try {
            for (InetAddress a : checked(host)) {
                out.add(new InetSocketAddress(a, port));
            }
        } catch (Refused e) {
            promise.failed(new AddressRefused(e));
            return;
        }
        promise.succeeded(out);
    }

    /** Returns the host's addresses if every one is allowed; refuses the host otherwise. */
    private InetAddress[] checked(String host) throws Refused {
        InetAddress[] addresses;
        try {
            addresses = resolver.resolve(host);
        } catch (UnknownHostException e) {
            throw new Refused(502, "UNFURL_FAILED", "unknown host " + host);
        }
        if (addresses.length == 0) {
            throw new Refused(502, "UNFURL_FAILED", "unknown host " + host);
        }
        for (InetAddress a : addresses) {
            if (!allowed.test(a)) {
                throw new Refused(
                        403,
                        "ADDRESS_NOT_ALLOWED",
                        host + " resolves to " + a.getHostAddress() + ", which is not a public address");
            }
        }
        return addresses;
    }

    /** A response's status, headers and at most {@code maxBytes} of its body (of an HTML 200 only). */
    private record Fetched(int status, HttpFields headers, byte[] body) {
        boolean html() {
            String type = headers.get(HttpHeader.CONTENT_TYPE);
            return type != null && type.toLowerCase(Locale.ROOT).contains("html");
        }
    }

    /** Collects one response; stops reading at {@code maxBytes}, or after the headers of anything but HTML 200. */
    private static final class Page extends CompletableFuture<Fetched> implements Response.Listener {
        private final int maxBytes;
        private final ByteArrayOutputStream body = new ByteArrayOutputStream();
        private volatile boolean enough;
        private volatile int status;
        private volatile HttpFields headers = HttpFields.EMPTY;

        Page(int maxBytes) {
            this.maxBytes = maxBytes;
        }

        @Override
        public void onHeaders(Response response) {
            status = response.getStatus();
            headers = response.getHeaders().asImmutable();
            if (status != 200 || !new Fetched(status, headers, new byte[0]).html()) {
                stop(response);
            }
        }

        @Override
        public void onContent(Response response, ByteBuffer content) {
            if (enough) {
                return;
            }
            int take = Math.min(content.remaining(), maxBytes - body.size());
            byte[] bytes = new byte[take];
            content.get(bytes);
            body.write(bytes, 0, take);
            if (body.size() >= maxBytes) {
                stop(response);
            }
        }

        private void stop(Response response) {
            enough = true;
            response.abort(new CancellationException("read enough"));
        }

        @Override
        public void onComplete(Result result) {
            if (enough || !result.isFailed()) {
                complete(new Fetched(status, headers, body.toByteArray()));
            } else {
                completeExceptionally(result.getFailure());
            }
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
}
