package dev.tandem.sync.server.internal.http;

import java.util.Locale;
import org.eclipse.jetty.http.HttpStatus;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.server.handler.ErrorHandler;
import org.eclipse.jetty.util.Callback;

/**
 * Jetty's error responses (a malformed URI, an unhandled exception) as {@link JsonError}s instead of HTML pages:
 * the code is the status's reason phrase ({@code BAD_REQUEST}), the message Jetty's reason for a 4xx and a fixed
 * text for a 5xx, so that no exception text or server version reaches the client. Stateless and thread-safe.
 */
public final class JsonErrorHandler implements Request.Handler {

    @Override
    public boolean handle(Request request, Response response, Callback callback) {
        int status = request.getAttribute(ErrorHandler.ERROR_STATUS) instanceof Integer s ? s : 500;
        String reason = HttpStatus.getMessage(status);
        String code = reason.toUpperCase(Locale.ROOT).replaceAll("[^A-Z0-9]+", "_");
        String message;
        if (status >= 500) {
            message = "the server failed to answer this request";
        } else if (request.getAttribute(ErrorHandler.ERROR_MESSAGE) instanceof String m && !m.isBlank()) {
            message = m;
        } else {
            message = reason;
        }
        if (response.isCommitted()) {
            callback.failed(new IllegalStateException("response already committed"));
            return true;
        }
        response.reset();
        JsonError.write(response, callback, status, code, message);
        return true;
    }
}
