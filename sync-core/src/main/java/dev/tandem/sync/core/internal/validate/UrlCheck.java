package dev.tandem.sync.core.internal.validate;

import dev.tandem.sync.core.ValidationException;
import dev.tandem.sync.core.Validator;
import java.util.Locale;
import java.util.Set;
import org.jspecify.annotations.Nullable;

/**
 * tldraw's URL validators ({@code T.linkUrl}, {@code T.srcUrl}, {@code T.httpUrl}): a string that is empty,
 * or that the WHATWG URL parser accepts (alone, or against {@code http://example.com} when it starts with
 * {@code /} or {@code ./}) with one of the allowed protocols. Immutable, thread-safe.
 *
 * <p>The parser here decides only what the verdict needs: the scheme, and for special schemes such as
 * {@code http:} whether the host and port parse. Internationalized host names are accepted as they stand.
 */
public final class UrlCheck implements Validator {
    public static final UrlCheck LINK = new UrlCheck(Set.of("http", "https", "mailto"));
    public static final UrlCheck SRC = new UrlCheck(Set.of("http", "https", "data", "asset"));
    public static final UrlCheck HTTP = new UrlCheck(Set.of("http", "https"));

    private static final Set<String> SPECIAL = Set.of("http", "https", "ws", "wss", "ftp", "file");

    private final Set<String> protocols;

    private UrlCheck(Set<String> protocols) {
        this.protocols = protocols;
    }

    @Override
    public void validate(@Nullable Object value) {
        if (!(value instanceof String s)) {
            throw new ValidationException("Expected string, got " + JsText.typeOf(value));
        }
        if (s.isEmpty() || isPlainHttp(s)) {
            return;
        }
        String scheme = scheme(s);
        if (scheme == null) {
            if ((s.startsWith("/") || s.startsWith("./")) && relativeParses(s)) {
                scheme = "http";
            } else {
                throw invalid(s, "");
            }
        }
        if (!protocols.contains(scheme)) {
            throw invalid(s, " (invalid protocol)");
        }
    }

    @Override
    public void validateMissing() {
        throw new ValidationException("Expected string, got undefined");
    }

    private static ValidationException invalid(String s, String suffix) {
        return new ValidationException("Expected a valid url, got " + JsText.stringify(s) + suffix);
    }

    /**
     * The common case without allocating: {@code http://} or {@code https://}, an allowed protocol, and a
     * lower-case host name of letters, digits, dots and hyphens whose last label starts with a letter (so it
     * is no IPv4 address), with no port. Everything else takes the full parse.
     */
    private boolean isPlainHttp(String s) {
        int hostStart;
        if (s.startsWith("https://")) {
            hostStart = 8;
            if (!protocols.contains("https")) {
                return false;
            }
        } else if (s.startsWith("http://")) {
            hostStart = 7;
            if (!protocols.contains("http")) {
                return false;
            }
        } else {
            return false;
        }
        if (s.charAt(s.length() - 1) <= 0x20) {
            return false;
        }
        int labelStart = hostStart;
        int i = hostStart;
        for (; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '/' || c == '?' || c == '#') {
                break;
            }
            if (i == labelStart && s.startsWith("xn--", i)) {
                return false; // punycode labels must decode: the full parse checks them
            }
            if (c == '.') {
                labelStart = i + 1;
            } else if (!((c >= 'a' && c <= 'z') || isDigit(c) || c == '-')) {
                return false;
            }
        }
        return i > hostStart && labelStart < i && s.charAt(labelStart) >= 'a' && s.charAt(labelStart) <= 'z';
    }

    /** Returns the lower-case scheme of an absolute URL that parses, or null if it does not parse alone. */
    static @Nullable String scheme(String raw) {
        String s = clean(raw);
        int colon = -1;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == ':') {
                colon = i;
                break;
            }
            boolean ok = isAsciiAlpha(c) || (i > 0 && (isDigit(c) || c == '+' || c == '-' || c == '.'));
            if (!ok) {
                return null;
            }
        }
        if (colon <= 0) {
            return null;
        }
        String scheme = s.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = s.substring(colon + 1);
        if (SPECIAL.contains(scheme)) {
            if (scheme.equals("file")) {
                return fileHostParses(rest) ? scheme : null;
            }
            int i = 0;
            while (i < rest.length() && (rest.charAt(i) == '/' || rest.charAt(i) == '\\')) {
                i++;
            }
            return authorityParses(rest.substring(i), true) ? scheme : null;
        }
        if (rest.startsWith("//")) {
            return authorityParses(rest.substring(2), false) ? scheme : null;
        }
        return scheme;
    }

    /** A {@code file:} URL's host, if it has one: no port or user, else a host name like a special URL's. */
    private static boolean fileHostParses(String rest) {
        if (rest.length() < 2 || !isSlash(rest.charAt(0)) || !isSlash(rest.charAt(1))) {
            return true;
        }
        int end = 2;
        while (end < rest.length() && "/\\?#".indexOf(rest.charAt(end)) < 0) {
            end++;
        }
        String host = rest.substring(2, end);
        boolean driveLetter =
                host.length() == 2 && isAsciiAlpha(host.charAt(0)) && (host.charAt(1) == ':' || host.charAt(1) == '|');
        if (host.isEmpty() || driveLetter) {
            return true;
        }
        if (host.indexOf(':') >= 0 || host.indexOf('@') >= 0) {
            return false;
        }
        return authorityParses(host, true);
    }

    /** A path-absolute or dot-relative reference against {@code http://example.com}. */
    private static boolean relativeParses(String raw) {
        String s = clean(raw);
        if (s.length() >= 2 && isSlash(s.charAt(0)) && isSlash(s.charAt(1))) {
            int i = 0;
            while (i < s.length() && isSlash(s.charAt(i))) {
                i++;
            }
            return authorityParses(s.substring(i), true);
        }
        return true;
    }

    private static boolean authorityParses(String rest, boolean special) {
        int end = 0;
        while (end < rest.length()) {
            char c = rest.charAt(end);
            if (c == '/' || c == '?' || c == '#' || (special && c == '\\')) {
                break;
            }
            end++;
        }
        String authority = rest.substring(0, end);
        int at = authority.lastIndexOf('@');
        String hostPort = at >= 0 ? authority.substring(at + 1) : authority;
        if (at >= 0 && hostPort.isEmpty()) {
            return false;
        }
        String host = hostPort;
        int portStart = -1;
        if (hostPort.startsWith("[")) {
            int close = hostPort.indexOf(']');
            if (close < 0) {
                return false;
            }
            host = hostPort.substring(0, close + 1);
            if (close + 1 < hostPort.length()) {
                if (hostPort.charAt(close + 1) != ':') {
                    return false;
                }
                portStart = close + 2;
            }
        } else {
            int colon = hostPort.indexOf(':');
            if (colon >= 0) {
                host = hostPort.substring(0, colon);
                portStart = colon + 1;
            }
        }
        if (portStart >= 0) {
            String port = hostPort.substring(portStart);
            if (port.length() > 0) {
                for (int i = 0; i < port.length(); i++) {
                    if (!isDigit(port.charAt(i))) {
                        return false;
                    }
                }
                if (Long.parseLong(port.length() > 6 ? "999999" : port) > 65535) {
                    return false;
                }
            }
        }
        if (host.isEmpty()) {
            return !special;
        }
        if (host.startsWith("[")) {
            return ipv6Ok(host.substring(1, host.length() - 1));
        }
        if (!special) {
            for (int i = 0; i < host.length(); i++) {
                char c = host.charAt(i);
                if (forbiddenHost(c) && c != '%') {
                    return false;
                }
            }
            return true;
        }
        String decoded = percentDecode(host);
        if (decoded == null || decoded.isEmpty()) {
            return false;
        }
        for (int i = 0; i < decoded.length(); i++) {
            char c = decoded.charAt(i);
            if (forbiddenHost(c) || c == '%' || c <= 0x1F || c == 0x7F) {
                return false;
            }
        }
        String lower = decoded.toLowerCase(Locale.ROOT);
        if (lower.contains("xn--")) {
            for (String label : lower.split("\\.", -1)) {
                if (label.startsWith("xn--") && !Punycode.isValidLabel(label.substring(4))) {
                    return false;
                }
            }
        }
        return ipv4Ok(lower);
    }

    /** Hosts that end in a number must be a whole IPv4 address; others are domains. */
    private static boolean ipv4Ok(String host) {
        String[] parts = host.split("\\.", -1);
        int n = parts.length;
        if (n > 1 && parts[n - 1].isEmpty()) {
            n--;
        }
        String last = parts[n - 1];
        boolean endsInNumber = !last.isEmpty() && (allDigits(last, 0) || (last.startsWith("0x") && allHex(last, 2)));
        if (!endsInNumber) {
            return true;
        }
        if (n > 4) {
            return false;
        }
        for (int i = 0; i < n; i++) {
            double v = ipv4Number(parts[i]);
            if (Double.isNaN(v)) {
                return false;
            }
            if (i < n - 1 && v > 255) {
                return false;
            }
            if (i == n - 1 && v >= Math.pow(256, 5 - n)) {
                return false;
            }
        }
        return true;
    }

    private static double ipv4Number(String part) {
        if (part.isEmpty()) {
            return Double.NaN;
        }
        int radix = 10;
        String digits = part;
        if (part.length() >= 2 && (part.startsWith("0x") || part.startsWith("0X"))) {
            radix = 16;
            digits = part.substring(2);
        } else if (part.length() >= 2 && part.charAt(0) == '0') {
            radix = 8;
            digits = part.substring(1);
        }
        if (digits.isEmpty()) {
            return 0;
        }
        double v = 0;
        for (int i = 0; i < digits.length(); i++) {
            int d = hex(digits.charAt(i));
            if (d < 0 || d >= radix) {
                return Double.NaN;
            }
            v = v * radix + d;
        }
        return v;
    }

    private static boolean ipv6Ok(String inner) {
        if (inner.isEmpty()) {
            return false;
        }
        for (int i = 0; i < inner.length(); i++) {
            char c = inner.charAt(i);
            if (!(hex(c) >= 0 || c == ':' || c == '.')) {
                return false;
            }
        }
        return inner.contains(":");
    }

    private static @Nullable String percentDecode(String s) {
        if (s.indexOf('%') < 0) {
            return s;
        }
        byte[] out = new byte[s.length() * 3];
        int n = 0;
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '%' && i + 2 < s.length() && hex(s.charAt(i + 1)) >= 0 && hex(s.charAt(i + 2)) >= 0) {
                out[n++] = (byte) (hex(s.charAt(i + 1)) * 16 + hex(s.charAt(i + 2)));
                i += 2;
            } else {
                byte[] b = String.valueOf(c).getBytes(java.nio.charset.StandardCharsets.UTF_8);
                for (byte x : b) {
                    out[n++] = x;
                }
            }
        }
        return new String(out, 0, n, java.nio.charset.StandardCharsets.UTF_8);
    }

    /** Removes what the URL parser ignores: outer C0 controls and spaces, inner tabs and newlines. */
    private static String clean(String s) {
        int start = 0;
        int end = s.length();
        while (start < end && s.charAt(start) <= 0x20) {
            start++;
        }
        while (end > start && s.charAt(end - 1) <= 0x20) {
            end--;
        }
        StringBuilder sb = null;
        for (int i = start; i < end; i++) {
            char c = s.charAt(i);
            if (c == '\t' || c == '\n' || c == '\r') {
                if (sb == null) {
                    sb = new StringBuilder(s.substring(start, i));
                }
            } else if (sb != null) {
                sb.append(c);
            }
        }
        return sb != null ? sb.toString() : s.substring(start, end);
    }

    private static boolean forbiddenHost(char c) {
        return c == 0 || c == '\t' || c == '\n' || c == '\r' || c == ' ' || c == '#' || c == '/' || c == ':' || c == '<'
                || c == '>' || c == '?' || c == '@' || c == '[' || c == '\\' || c == ']' || c == '^' || c == '|';
    }

    private static boolean isSlash(char c) {
        return c == '/' || c == '\\';
    }

    private static boolean isAsciiAlpha(char c) {
        return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
    }

    private static boolean isDigit(char c) {
        return c >= '0' && c <= '9';
    }

    private static boolean allDigits(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (!isDigit(s.charAt(i))) {
                return false;
            }
        }
        return true;
    }

    private static boolean allHex(String s, int from) {
        for (int i = from; i < s.length(); i++) {
            if (hex(s.charAt(i)) < 0) {
                return false;
            }
        }
        return true;
    }

    private static int hex(char c) {
        if (c >= '0' && c <= '9') {
            return c - '0';
        }
        if (c >= 'a' && c <= 'f') {
            return c - 'a' + 10;
        }
        if (c >= 'A' && c <= 'F') {
            return c - 'A' + 10;
        }
        return -1;
    }
}
