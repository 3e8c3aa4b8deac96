package dev.tandem.sync.server.internal.http;

/**
 * A refused HTTP request on one of the server's JSON APIs: thrown where the refusal is found, turned into
 * {@link JsonError} with its status and code where the response is written. No stack trace (it is not a bug).
 */
public final class ApiError extends RuntimeException {
    private static final long serialVersionUID = 1L;

    public final int status;
    public final String code;

    public ApiError(int status, String code, String message) {
        super(message, null, false, false);
        this.status = status;
        this.code = code;
    }

    /** {@code 413 BODY_TOO_LARGE} for a body over {@code maxBytes}. */
    public static ApiError bodyTooLarge(long maxBytes) {
        return new ApiError(
                413, "BODY_TOO_LARGE", "the request body is larger than the limit of " + maxBytes + " bytes");
    }
}
