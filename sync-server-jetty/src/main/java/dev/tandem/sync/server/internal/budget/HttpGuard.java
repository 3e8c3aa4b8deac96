package dev.tandem.sync.server.internal.budget;

import dev.tandem.sync.server.internal.http.ApiError;
import dev.tandem.sync.server.internal.http.BodyDrain;
import dev.tandem.sync.server.internal.http.JsonError;
import dev.tandem.sync.server.internal.limits.KeyedBuckets;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.eclipse.jetty.http.HttpHeader;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Handler;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.server.Response;
import org.eclipse.jetty.util.Callback;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Stands in front of Tandem's HTTP routes ({@code /sync/…}, {@code /rooms/…}, {@code /uploads/…}, {@code
 * /snapshots}, {@code /unfurl}; not {@code /healthz} or {@code /metrics}, nor an application's own paths) and
 * admits a request only within the node's budget: its address's request rate ({@code 429 RATE_LIMITED} with
 * {@code Retry-After}), the requests handled at once and the body bytes in flight ({@code 503 SERVER_BUSY} with
 * {@code Retry-After}). A body of known length takes its length from the byte budget before the handler runs; a
 * chunked one takes each chunk as it is read and fails the read with {@code 503 SERVER_BUSY} when the budget is
 * spent. Uploads stream to disk and take no body bytes. Everything is given back when the response completes. A
 * refused request's body is drained first if small ({@link BodyDrain}), and its connection closes.
 *
 * <p>Thread-safe.
 */
public final class HttpGuard extends Handler.Wrapper {
    private static final Logger LOG = LoggerFactory.getLogger(HttpGuard.class);

    private final ByteBudget bodies;

    /**
     * What one body byte holds while a request is handled: the bytes, then the text decoded from them, then the
     * JSON parsed from that; so each byte counts three times against the body budget.
     */
    public static final int HELD_PER_BODY_BYTE = 3;

    private final int maxConcurrent;
    private final KeyedBuckets rates;
    private final AtomicInteger inFlight = new AtomicInteger();

    public HttpGuard(Handler routes, ByteBudget bodies, int maxConcurrent, KeyedBuckets rates) {
        super(routes);
        this.bodies = bodies;
        this.maxConcurrent = maxConcurrent;
        this.rates = rates;
    }

    /** Returns whether {@code path} is one of the routes this guard budgets. */
    static boolean guarded(String path) {
        return path.startsWith("/sync/")
                || path.startsWith("/rooms/")
                || path.startsWith("/uploads/")
                || path.equals("/snapshots")
                || path.equals("/unfurl");
    }

    /** Returns the requests being handled now. */
    public int inFlight() {
        return inFlight.get();
    }

    @Override
    public boolean handle(Request request, Response response, Callback callback) throws Exception {
        String path = Request.getPathInContext(request);
        if (!guarded(path)) {
            return super.handle(request, response, callback);
        }
        String address = Request.getRemoteAddr(request);
        long length = request.getLength();
        if (!rates.tryTake(address, 1)) {
            LOG.debug("refused an HTTP request on {}: over its address's rate", path);
            refuse(
                    request,
                    response,
                    callback,
                    429,
                    "RATE_LIMITED",
                    "too many requests from this address; retry later",
                    length);
            return true;
        }
        if (inFlight.incrementAndGet() > maxConcurrent) {
            inFlight.decrementAndGet();
            LOG.debug("refused an HTTP request on {}: {} requests in flight", path, maxConcurrent);
            refuse(
                    request,
                    response,
                    callback,
                    503,
                    "SERVER_BUSY",
                    "the server is handling its limit of " + maxConcurrent + " requests; retry later",
                    length);
            return true;
        }
        boolean counted = !path.startsWith("/uploads/") && length != 0;
        AtomicLong held = new AtomicLong();
        if (counted && length > 0) {
            if (!bodies.tryAcquire(HELD_PER_BODY_BYTE * length)) {
                inFlight.decrementAndGet();
                LOG.debug("refused an HTTP request on {}: request body budget spent", path);
                refuse(request, response, callback, 503, "SERVER_BUSY", bodyBusy(), length);
                return true;
            }
            held.set(HELD_PER_BODY_BYTE * length);
        }
        AtomicBoolean done = new AtomicBoolean();
        Runnable release = () -> {
            if (done.compareAndSet(false, true)) {
                inFlight.decrementAndGet();
                bodies.release(held.getAndSet(0));
            }
        };
        Request guarded = counted && length < 0 ? new CountedBody(request, held) : request;
        Callback completing = new Callback.Nested(callback) {
            @Override
            public void succeeded() {
                release.run();
                super.succeeded();
            }

            @Override
            public void failed(Throwable x) {
                release.run();
                super.failed(x);
            }
        };
        boolean handled;
        try {
            handled = super.handle(guarded, response, completing);
        } catch (Throwable t) {
            release.run();
            throw t;
        }
        if (!handled) {
            release.run();
        }
        return handled;
    }

    private String bodyBusy() {
        return "the server holds its limit of " + bodies.max() + " request body bytes; retry later";
    }

    private static void refuse(
            Request request,
            Response response,
            Callback callback,
            int status,
            String code,
            String message,
            long length) {
        response.getHeaders().put(HttpHeader.RETRY_AFTER, "1");
        if (length == 0) {
            JsonError.write(response, callback, status, code, message);
            return;
        }
        // the body is not handled: the connection cannot carry another request, and a small body is drained first
        // so that the client, still sending it, reads this answer and not a reset
        response.getHeaders().put(HttpHeader.CONNECTION, "close");
        BodyDrain.drain(request, 0)
                .whenComplete((drained, never) -> JsonError.write(response, callback, status, code, message));
    }

    /** A chunked body that takes each chunk it reads from the byte budget. */
    private final class CountedBody extends Request.Wrapper {
        private final AtomicLong held;

        CountedBody(Request request, AtomicLong held) {
            super(request);
            this.held = held;
        }

        @Override
        public Content.Chunk read() {
            Content.Chunk chunk = super.read();
            if (chunk == null || Content.Chunk.isFailure(chunk)) {
                return chunk;
            }
            int n = chunk.remaining();
            if (n > 0) {
                if (!bodies.tryAcquire((long) HELD_PER_BODY_BYTE * n)) {
                    chunk.release();
                    return Content.Chunk.from(new ApiError(503, "SERVER_BUSY", bodyBusy()), true);
                }
                held.addAndGet((long) HELD_PER_BODY_BYTE * n);
            }
            return chunk;
        }
    }
}
