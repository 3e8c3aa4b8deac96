package dev.tandem.sync.server.internal.http;

import dev.tandem.sync.core.Json;
import java.util.LinkedHashMap;
import java.util.Map;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;

/** Writes HTTP errors as {@code {"error": CODE, "message": …}}. */
public final class JsonError {
    private JsonError() {}

    /** Returns the JSON body for an error. */
    public static String body(String code, String message) {
        Map<String, Object> body = new LinkedHashMap<>();
        body.put("error", code);
        body.put("message", message);
        return Json.stringify(body);
    }

    /** Sends the error as the whole response and completes the callback. */
    public static void write(Response response, Callback callback, int status, String code, String message) {
        response.setStatus(status);
        response.getHeaders().put(HttpHeader.CONTENT_TYPE, "application/json;charset=utf-8");
        response.getHeaders().put(HttpHeader.CACHE_CONTROL, "no-store");
        Content.Sink.write(response, true, body(code, message), callback);
    }
}
