package dev.tandem.sync.server;

/**
 * The resources one server node lends to all its clients together, on top of the per-client limits of {@link
 * ServerLimits} and {@link ConnectionSettings}: past any of them a client is refused cleanly and every client
 * within them keeps being served. Built with {@link #builder()}, which checks each value at once; immutable and
 * thread-safe.
 *
 * <table>
 *   <caption>Node budget and defaults</caption>
 *   <tr><th>budget</th><th>default</th><th>past it</th></tr>
 *   <tr><td>open WebSocket connections, in total</td><td>4096</td><td>close 1013 {@code too many connections}</td></tr>
 *   <tr><td>open WebSocket connections per client address</td><td>256</td>
 *       <td>close 1013 {@code too many connections}</td></tr>
 *   <tr><td>loaded rooms</td><td>2000</td><td>close 1013 {@code too many rooms}; HTTP 503 {@code TOO_MANY_ROOMS}</td></tr>
 *   <tr><td>concurrent HTTP requests on Tandem's routes</td><td>64</td><td>HTTP 503 {@code SERVER_BUSY}</td></tr>
 *   <tr><td>HTTP request body bytes in flight (buffered bodies, not uploads)</td><td>{@link #memoryShare} of the heap</td>
 *       <td>HTTP 503 {@code SERVER_BUSY}</td></tr>
 *   <tr><td>bytes held for unfinished chunked messages (2 per character), all connections</td>
 *       <td>{@link #memoryShare} of the heap</td><td>close 1013 {@code server busy}</td></tr>
 *   <tr><td>outgoing frames not yet written (characters), all connections, connect frames included</td>
 *       <td>{@link #memoryShare} of the heap</td><td>close 1013 {@code server busy}</td></tr>
 *   <tr><td>HTTP requests per second per client address (burst)</td><td>50 (200)</td>
 *       <td>HTTP 429 {@code RATE_LIMITED} with {@code Retry-After}</td></tr>
 *   <tr><td>bytes of stored uploads, in total</td><td>10 GiB</td><td>HTTP 507 {@code UPLOAD_QUOTA_EXCEEDED}</td></tr>
 *   <tr><td>bytes of uploads per principal (anonymous clients: per address), since start</td><td>1 GiB</td>
 *       <td>HTTP 413 {@code UPLOAD_QUOTA_EXCEEDED}</td></tr>
 *   <tr><td>permessage-deflate</td><td>off</td><td>the extension is not negotiated</td></tr>
 * </table>
 *
 * <p>The byte budgets are strict, with one exception that keeps live sessions flowing when slow clients fill the
 * outgoing budget: a frame of at most {@value #SMALL_FRAME_BYTES} characters to a connection with nothing queued
 * is always sent. So the outgoing bytes stay below {@code maxQueuedBytes} plus that much per connection. A room
 * whose connect frame is larger than {@code maxQueuedBytes} cannot be joined: size the budget above the largest
 * document (and {@code maxRequestBodyBytes} above the largest request body).
 *
 * <pre>{@code
 * TandemServer.builder().budget(NodeBudget.builder().maxConnections(1000).build());
 * }</pre>
 *
 * @param maxConnections open WebSocket connections the node holds
 * @param maxConnectionsPerAddress open WebSocket connections from one client address
 * @param maxLoadedRooms rooms loaded at once (rooms the server creates; a cluster node is not capped)
 * @param maxConcurrentRequests HTTP requests on Tandem's routes being handled at once
 * @param maxRequestBodyBytes bytes of buffered HTTP request bodies in flight, declared or read so far
 * @param maxChunkBytes bytes held for unfinished chunked WebSocket messages, over all connections
 * @param maxQueuedBytes outgoing WebSocket bytes (characters) not yet written, over all connections
 * @param httpRequestsPerSecond HTTP requests per second one client address may make on Tandem's routes
 * @param httpRequestBurst HTTP requests one client address may make at once
 * @param maxUploadStoreBytes bytes all stored uploads may take
 * @param maxUploadBytesPerClient bytes one principal (an anonymous client: one address) may upload
 * @param permessageDeflate whether WebSocket compression is negotiated
 * @param inboundBytesPerSecond WebSocket bytes per second one client address may send; past its burst, the
 *     server reads that address's connections no faster (TCP back-pressure slows the sender, nothing is refused)
 * @param inboundByteBurst WebSocket bytes one client address may send at once before it is paced
 */
public record NodeBudget(
        int maxConnections,
        int maxConnectionsPerAddress,
        int maxLoadedRooms,
        int maxConcurrentRequests,
        long maxRequestBodyBytes,
        long maxChunkBytes,
        long maxQueuedBytes,
        int httpRequestsPerSecond,
        int httpRequestBurst,
        long maxUploadStoreBytes,
        long maxUploadBytesPerClient,
        boolean permessageDeflate,
        long inboundBytesPerSecond,
        long inboundByteBurst) {

    /** The largest outgoing frame a connection with nothing queued sends even when the budget is spent. */
    public static final int SMALL_FRAME_BYTES = 16 * 1024;

    /** The share of the heap ({@code Runtime.maxMemory()}) each byte budget takes by default: one eighth. */
    public static final double MEMORY_SHARE = 0.125;

    /** The WebSocket bytes per second one client address may send by default: 512 KiB. */
    public static final long DEFAULT_INBOUND_BYTES_PER_SECOND = 1L << 19;

    /** The WebSocket bytes one client address may send at once by default: 2 MiB. */
    public static final long DEFAULT_INBOUND_BYTE_BURST = 2L << 20;

    /** The smallest default of a byte budget, whatever the heap: 16 MiB. */
    public static final long MIN_DEFAULT_BYTES = 16L << 20;

    public NodeBudget {
        positive("maxConnections", maxConnections);
        positive("maxConnectionsPerAddress", maxConnectionsPerAddress);
        positive("maxLoadedRooms", maxLoadedRooms);
        positive("maxConcurrentRequests", maxConcurrentRequests);
        positive("maxRequestBodyBytes", maxRequestBodyBytes);
        positive("maxChunkBytes", maxChunkBytes);
        positive("maxQueuedBytes", maxQueuedBytes);
        positive("httpRequestsPerSecond", httpRequestsPerSecond);
        positive("httpRequestBurst", httpRequestBurst);
        positive("maxUploadStoreBytes", maxUploadStoreBytes);
        positive("maxUploadBytesPerClient", maxUploadBytesPerClient);
        positive("inboundBytesPerSecond", inboundBytesPerSecond);
        positive("inboundByteBurst", inboundByteBurst);
        if (maxConnectionsPerAddress > maxConnections) {
            throw new IllegalArgumentException("maxConnectionsPerAddress must be <= maxConnections (" + maxConnections
                    + ") but was " + maxConnectionsPerAddress);
        }
    }

    /** Returns the default budget, its byte budgets sized from this JVM's heap. */
    public static NodeBudget defaults() {
        return builder().build();
    }

    /**
     * Returns the default of a byte budget for a heap of {@code maxMemory} bytes: {@link #MEMORY_SHARE} of it, at
     * least {@link #MIN_DEFAULT_BYTES} (32 MiB for a 256 MiB heap).
     */
    public static long memoryShare(long maxMemory) {
        return Math.max(MIN_DEFAULT_BYTES, (long) (maxMemory * MEMORY_SHARE));
    }

    /** Returns a builder with the defaults. */
    public static Builder builder() {
        return new Builder();
    }

    /** Returns a builder starting from this budget. */
    public Builder toBuilder() {
        Builder b = new Builder();
        b.maxConnections = maxConnections;
        b.maxConnectionsPerAddress = maxConnectionsPerAddress;
        b.maxLoadedRooms = maxLoadedRooms;
        b.maxConcurrentRequests = maxConcurrentRequests;
        b.maxRequestBodyBytes = maxRequestBodyBytes;
        b.maxChunkBytes = maxChunkBytes;
        b.maxQueuedBytes = maxQueuedBytes;
        b.httpRequestsPerSecond = httpRequestsPerSecond;
        b.httpRequestBurst = httpRequestBurst;
        b.maxUploadStoreBytes = maxUploadStoreBytes;
        b.maxUploadBytesPerClient = maxUploadBytesPerClient;
        b.permessageDeflate = permessageDeflate;
        b.inboundBytesPerSecond = inboundBytesPerSecond;
        b.inboundByteBurst = inboundByteBurst;
        return b;
    }

    private static void positive(String name, long value) {
        if (value <= 0) {
            throw new IllegalArgumentException(name + " must be > 0 but was " + value);
        }
    }

    /** Builds a {@link NodeBudget}; each setter checks its value at once. Not thread-safe. */
    public static final class Builder {
        private int maxConnections = 4096;
        private int maxConnectionsPerAddress = 256;
        private int maxLoadedRooms = 2000;
        private int maxConcurrentRequests = 64;
        private long maxRequestBodyBytes = memoryShare(Runtime.getRuntime().maxMemory());
        private long maxChunkBytes = memoryShare(Runtime.getRuntime().maxMemory());
        private long maxQueuedBytes = memoryShare(Runtime.getRuntime().maxMemory());
        private int httpRequestsPerSecond = 50;
        private int httpRequestBurst = 200;
        private long maxUploadStoreBytes = 10L << 30;
        private long maxUploadBytesPerClient = 1L << 30;
        private boolean permessageDeflate;
        private long inboundBytesPerSecond = DEFAULT_INBOUND_BYTES_PER_SECOND;
        private long inboundByteBurst = DEFAULT_INBOUND_BYTE_BURST;

        private Builder() {}

        /** Open WebSocket connections in total; > 0, default 4096. */
        public Builder maxConnections(int value) {
            positive("maxConnections", value);
            maxConnections = value;
            return this;
        }

        /** Open WebSocket connections per client address; > 0, default 256. */
        public Builder maxConnectionsPerAddress(int value) {
            positive("maxConnectionsPerAddress", value);
            maxConnectionsPerAddress = value;
            return this;
        }

        /** Rooms loaded at once; > 0, default 2000. */
        public Builder maxLoadedRooms(int value) {
            positive("maxLoadedRooms", value);
            maxLoadedRooms = value;
            return this;
        }

        /** HTTP requests handled at once on Tandem's routes; > 0, default 64. */
        public Builder maxConcurrentRequests(int value) {
            positive("maxConcurrentRequests", value);
            maxConcurrentRequests = value;
            return this;
        }

        /** Bytes of buffered HTTP request bodies in flight; > 0, default {@link #memoryShare} of the heap. */
        public Builder maxRequestBodyBytes(long value) {
            positive("maxRequestBodyBytes", value);
            maxRequestBodyBytes = value;
            return this;
        }

        /** Bytes held for unfinished chunked messages; > 0, default {@link #memoryShare} of the heap. */
        public Builder maxChunkBytes(long value) {
            positive("maxChunkBytes", value);
            maxChunkBytes = value;
            return this;
        }

        /** Outgoing bytes not yet written, all connections; > 0, default {@link #memoryShare} of the heap. */
        public Builder maxQueuedBytes(long value) {
            positive("maxQueuedBytes", value);
            maxQueuedBytes = value;
            return this;
        }

        /** HTTP requests per second per client address and the burst; > 0, default 50 and 200. */
        public Builder httpRequestRate(int perSecond, int burst) {
            positive("httpRequestsPerSecond", perSecond);
            positive("httpRequestBurst", burst);
            httpRequestsPerSecond = perSecond;
            httpRequestBurst = burst;
            return this;
        }

        /** Bytes all stored uploads may take; > 0, default 10 GiB. */
        public Builder maxUploadStoreBytes(long value) {
            positive("maxUploadStoreBytes", value);
            maxUploadStoreBytes = value;
            return this;
        }

        /** Bytes one principal (an anonymous client: one address) may upload; > 0, default 1 GiB. */
        public Builder maxUploadBytesPerClient(long value) {
            positive("maxUploadBytesPerClient", value);
            maxUploadBytesPerClient = value;
            return this;
        }

        /** Whether WebSocket permessage-deflate is negotiated; default false. */
        public Builder permessageDeflate(boolean value) {
            permessageDeflate = value;
            return this;
        }

        /**
         * WebSocket bytes one client address may send: {@code burst} at once, then {@code perSecond}; both > 0,
         * default 512 KiB/s with a burst of 2 MiB. Past it the server reads the address's connections no faster.
         */
        public Builder inboundRate(long perSecond, long burst) {
            positive("inboundBytesPerSecond", perSecond);
            positive("inboundByteBurst", burst);
            inboundBytesPerSecond = perSecond;
            inboundByteBurst = burst;
            return this;
        }

        /**
         * Returns the budget.
         *
         * @throws IllegalArgumentException if maxConnectionsPerAddress is above maxConnections
         */
        public NodeBudget build() {
            return new NodeBudget(
                    maxConnections,
                    maxConnectionsPerAddress,
                    maxLoadedRooms,
                    maxConcurrentRequests,
                    maxRequestBodyBytes,
                    maxChunkBytes,
                    maxQueuedBytes,
                    httpRequestsPerSecond,
                    httpRequestBurst,
                    maxUploadStoreBytes,
                    maxUploadBytesPerClient,
                    permessageDeflate,
                    inboundBytesPerSecond,
                    inboundByteBurst);
        }
    }
}
