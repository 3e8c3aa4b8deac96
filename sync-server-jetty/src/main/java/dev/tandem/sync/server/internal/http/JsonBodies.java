package dev.tandem.sync.server.internal.http;

import java.util.Locale;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.server.Request;

/**
 * The content type rule of the JSON routes: a body must be declared {@code application/json}. A browser sends
 * a cross-site {@code text/plain} or form POST without asking first (a "simple" request), but never an
 * {@code application/json} one, so this also stops cross-site request forgery. Stateless and thread-safe.
 */
public final class JsonBodies {
    private JsonBodies() {}

    /** Refuses with {@code 415 UNSUPPORTED_MEDIA_TYPE} a request whose body is not declared JSON. */
    public static void requireJson(Request request) {
        String type = request.getHeaders().get(HttpHeader.CONTENT_TYPE);
        if (!isJson(type)) {
            throw new ApiError(
                    415,
                    "UNSUPPORTED_MEDIA_TYPE",
                    "the body must be sent as Content-Type: application/json but was "
                            + (type == null ? "undeclared" : type));
        }
    }

    static boolean isJson(@org.jspecify.annotations.Nullable String type) {
        if (type == null) {
            return false;
        }
        int semi = type.indexOf(';');
        String media = (semi < 0 ? type : type.substring(0, semi)).trim().toLowerCase(Locale.ROOT);
        return media.equals("application/json");
    }
}
