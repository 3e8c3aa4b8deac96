package dev.tandem.sync.server.internal.http;

import java.io.FilterInputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;
import org.jspecify.annotations.Nullable;

/**
 * Reads a request body without holding a thread while it waits, within a size limit, an overall deadline and a
 * minimum data rate: from {@link #GRACE} on, the body must have averaged at least {@code minBytesPerSecond} since
 * reading began. A body that misses either fails with {@code 408 BODY_TIMEOUT}; the caller answers it with
 * {@code Connection: close} ({@link #closesConnection}). A body over its limit fails with {@code 413 BODY_TOO_LARGE}
 * once what is left of it was read and dropped ({@link BodyDrain}, for bodies of at most {@link BodyDrain#MAX_BYTES}),
 * so that the client reads the answer and not a reset; a larger one fails at once. Immutable and thread-safe.
 */
public final class BodyReader {
    /** How long a body may take before the minimum data rate applies. */
    public static final Duration GRACE = Duration.ofSeconds(5);

    private static final long CHECK_MILLIS = 250;

    private final Duration timeout;
    private final long minBytesPerSecond;

    public BodyReader(Duration timeout, long minBytesPerSecond) {
        this.timeout = Objects.requireNonNull(timeout, "timeout");
        this.minBytesPerSecond = minBytesPerSecond;
    }

    /** Returns whether an error about a body means the rest of it was not read: the connection must close. */
    public static boolean closesConnection(ApiError error) {
        return error.status == 408 || error.status == 413;
    }

    /**
     * Reads the whole body of {@code request}. Completes exceptionally with {@code 413 BODY_TOO_LARGE} for a body
     * over {@code maxBytes} (after draining a small one), {@code 408 BODY_TIMEOUT} for a slow one, {@code 400
     * BAD_REQUEST} if it fails.
     */
    public CompletableFuture<byte[]> read(Request request, long maxBytes) {
        if (request.getLength() > maxBytes) {
            return tooLarge(request, 0, maxBytes);
        }
        Read read = new Read(request, maxBytes, request.getComponents().getScheduler());
        read.check();
        read.run();
        return read.done;
    }

    /** Fails with {@code 413 BODY_TOO_LARGE} once the rest of the body was drained or given up. */
    private static <T> CompletableFuture<T> tooLarge(Request request, long alreadyRead, long maxBytes) {
        ApiError error = ApiError.bodyTooLarge(maxBytes);
        CompletableFuture<T> refused = new CompletableFuture<>();
        BodyDrain.drain(request, alreadyRead).whenComplete((drained, never) -> refused.completeExceptionally(error));
        return refused;
    }

    /**
     * Reads the whole body of {@code request}, blocking for at most the deadline (and, for a body over its limit,
     * {@link BodyDrain#MAX_TIME}).
     */
    public byte[] readBlocking(Request request, long maxBytes) {
        try {
            return read(request, maxBytes).get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new ApiError(503, "SHUTTING_DOWN", "the server is shutting down");
        } catch (ExecutionException | CompletionException e) {
            if (e.getCause() instanceof ApiError api) {
                throw api;
            }
            throw new ApiError(400, "BAD_REQUEST", "cannot read the request body: " + e.getCause());
        }
    }

    /**
     * Returns the body of {@code request} as a blocking stream (for a body streamed elsewhere, such as an upload)
     * under the same deadline and minimum rate: a slow body fails the request, the stream's next read throws,
     * and {@link GuardedStream#tripped()} tells why.
     */
    public GuardedStream stream(Request request) {
        GuardedStream stream = new GuardedStream(request);
        stream.check();
        return stream;
    }

    /** Returns why a body that has {@code received} bytes after {@code elapsedNanos} is too slow, or null. */
    private @Nullable String problem(long received, long elapsedNanos) {
        if (elapsedNanos >= timeout.toNanos()) {
            return "the request body did not arrive within " + timeout;
        }
        if (elapsedNanos >= GRACE.toNanos() && received * 1_000_000_000.0 / elapsedNanos < minBytesPerSecond) {
            return "the request body arrives slower than " + minBytesPerSecond + " bytes per second";
        }
        return null;
    }

    /** A request body as a blocking stream, watched by the deadline and rate. Read by one thread. */
    public final class GuardedStream extends FilterInputStream {
        private final Request request;
        private final Scheduler scheduler;
        private final long start = System.nanoTime();
        private volatile long received;
        private volatile boolean finished;
        private volatile @Nullable ApiError tripped;

        private GuardedStream(Request request) {
            super(Content.Source.asInputStream(request));
            this.request = request;
            this.scheduler = request.getComponents().getScheduler();
        }

        /** Returns the refusal of a body that was too slow, or null. */
        public @Nullable ApiError tripped() {
            return tripped;
        }

        @Override
        public int read() throws IOException {
            byte[] one = new byte[1];
            int n = read(one, 0, 1);
            return n < 0 ? -1 : one[0] & 0xff;
        }

        @Override
        public int read(byte[] b, int off, int len) throws IOException {
            int n;
            try {
                n = super.read(b, off, len);
            } catch (IOException e) {
                ApiError slow = tripped;
                throw slow == null ? e : new IOException(slow.getMessage(), slow);
            }
            if (n < 0) {
                finished = true;
            } else {
                received += n;
            }
            return n;
        }

        @Override
        public void close() throws IOException {
            finished = true;
            super.close();
        }

        void check() {
            if (finished) {
                return;
            }
            String problem = problem(received, System.nanoTime() - start);
            if (problem != null) {
                ApiError slow = new ApiError(408, "BODY_TIMEOUT", problem);
                tripped = slow;
                request.fail(slow);
                return;
            }
            scheduler.schedule(this::check, CHECK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }

    /** One body being read; the read loop and the deadline check race, and the first to finish wins. */
    private final class Read implements Runnable {
        final CompletableFuture<byte[]> done = new CompletableFuture<>();
        private final Request request;
        private final long maxBytes;
        private final Scheduler scheduler;
        private final long start = System.nanoTime();
        /** The body when its length was declared, filled in place; else null and the parts are kept. */
        private final byte @Nullable [] exact;

        private final List<byte[]> parts = new ArrayList<>();
        private volatile long received;
        /** Set once the body went over its limit: the drain has its own deadline. */
        private volatile boolean overLimit;

        Read(Request request, long maxBytes, Scheduler scheduler) {
            this.request = request;
            this.maxBytes = maxBytes;
            this.scheduler = scheduler;
            long length = request.getLength();
            this.exact = length >= 0 && length <= maxBytes ? new byte[(int) length] : null;
        }

        @Override
        public void run() {
            while (!done.isDone()) {
                Content.Chunk chunk = request.read();
                if (chunk == null) {
                    request.demand(this);
                    return;
                }
                if (Content.Chunk.isFailure(chunk)) {
                    Throwable failure = chunk.getFailure();
                    done.completeExceptionally(
                            failure instanceof ApiError
                                    ? failure
                                    : new ApiError(400, "BAD_REQUEST", "cannot read the request body: " + failure));
                    return;
                }
                ByteBuffer buffer = chunk.getByteBuffer();
                int n = buffer.remaining();
                byte[] into = exact;
                if (received + n > (into != null ? into.length : maxBytes)) {
                    boolean last = chunk.isLast();
                    chunk.release();
                    overLimit = true;
                    parts.clear();
                    if (last) {
                        done.completeExceptionally(ApiError.bodyTooLarge(maxBytes));
                    } else {
                        BodyReader.<byte[]>tooLarge(request, received + n, maxBytes)
                                .whenComplete((never, error) -> done.completeExceptionally(error));
                    }
                    return;
                }
                // the body is held once at its final size: in place when declared, else as parts joined at the end
                if (into != null) {
                    buffer.get(into, (int) received, n);
                } else {
                    byte[] part = new byte[n];
                    buffer.get(part);
                    parts.add(part);
                }
                received += n;
                boolean last = chunk.isLast();
                chunk.release();
                if (last) {
                    done.complete(into != null ? into : joined());
                    return;
                }
            }
        }

        private byte[] joined() {
            byte[] all = new byte[(int) received];
            int at = 0;
            for (byte[] part : parts) {
                System.arraycopy(part, 0, all, at, part.length);
                at += part.length;
            }
            parts.clear();
            return all;
        }

        void check() {
            if (done.isDone() || overLimit) {
                return;
            }
            String problem = problem(received, System.nanoTime() - start);
            if (problem != null) {
                ApiError slow = new ApiError(408, "BODY_TIMEOUT", problem);
                if (done.completeExceptionally(slow)) {
                    request.fail(slow);
                }
                return;
            }
            scheduler.schedule(this::check, CHECK_MILLIS, TimeUnit.MILLISECONDS);
        }
    }
}
