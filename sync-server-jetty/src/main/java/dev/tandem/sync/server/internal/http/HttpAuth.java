package dev.tandem.sync.server.internal.http;

import dev.tandem.sync.core.AuthRequest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.eclipse.jetty.http.HttpField;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.Fields;

/** Builds the {@link AuthRequest} of an HTTP request. Stateless and thread-safe. */
public final class HttpAuth {
    private HttpAuth() {}

    /** Returns what an authenticator needs to know about {@code request} for {@code roomId}. */
    public static AuthRequest authRequest(Request request, String roomId) {
        Map<String, List<String>> headers = new HashMap<>();
        for (HttpField field : request.getHeaders()) {
            headers.computeIfAbsent(field.getLowerCaseName(), k -> new ArrayList<>())
                    .add(field.getValue());
        }
        Map<String, List<String>> query = new HashMap<>();
        for (Fields.Field f : Request.extractQueryParameters(request)) {
            query.put(f.getName(), f.getValues());
        }
        return new AuthRequest(roomId, headers, query, Request.getRemoteAddr(request));
    }
}
