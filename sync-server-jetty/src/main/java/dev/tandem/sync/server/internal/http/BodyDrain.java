package dev.tandem.sync.server.internal.http;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.eclipse.jetty.io.Content;
import org.eclipse.jetty.server.Request;
import org.eclipse.jetty.util.thread.Scheduler;

/**
 * Reads and drops the rest of a refused request body, so that a client still sending it reads the answer and not
 * a reset. A server that closes a connection with unread bytes in its receive buffer sends a TCP reset, and a
 * reset that reaches the client before it read the answer loses the answer. Nothing read is kept.
 *
 * <p>Bounded: a body of at most {@link #MAX_BYTES} in all is read to its end, within {@link #MAX_TIME}; a body
 * declared larger is not read at all, and one that turns out larger or slower is given up. Either way the answer
 * then goes out with {@code Connection: close}. Thread-safe: one drain per request, driven by Jetty's demand.
 */
public final class BodyDrain implements Runnable {
    /** The largest refused body read to its end before the answer. */
    public static final long MAX_BYTES = 64 * 1024;
    /** How long a refused body may take to arrive before the answer goes out without it. */
    public static final Duration MAX_TIME = Duration.ofSeconds(2);

    private final Request request;
    private final CompletableFuture<Boolean> done = new CompletableFuture<>();
    /** Body bytes read so far, before and during the drain; touched only by {@link #run}, serially. */
    private long read;

    private BodyDrain(Request request, long alreadyRead) {
        this.request = request;
        this.read = alreadyRead;
    }

    /**
     * Reads what is left of the body of {@code request}, of which the caller has read {@code alreadyRead} bytes.
     * Completes with true once the body was read to its end; with false if it was given up: declared or found
     * larger than {@link #MAX_BYTES}, slower than {@link #MAX_TIME}, or failed. Never completes exceptionally.
     */
    public static CompletableFuture<Boolean> drain(Request request, long alreadyRead) {
        long declared = request.getLength();
        if (declared > MAX_BYTES || alreadyRead > MAX_BYTES) {
            return CompletableFuture.completedFuture(false);
        }
        if (declared >= 0 && alreadyRead >= declared) {
            return CompletableFuture.completedFuture(true);
        }
        BodyDrain drain = new BodyDrain(request, alreadyRead);
        Scheduler.Task giveUp = request.getComponents()
                .getScheduler()
                .schedule(() -> drain.done.complete(false), MAX_TIME.toMillis(), TimeUnit.MILLISECONDS);
        drain.done.whenComplete((drained, never) -> giveUp.cancel());
        drain.run();
        return drain.done;
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
                done.complete(false);
                return;
            }
            read += chunk.remaining();
            boolean last = chunk.isLast();
            chunk.release();
            if (read > MAX_BYTES) {
                done.complete(false);
                return;
            }
            if (last) {
                done.complete(true);
                return;
            }
        }
    }
}
