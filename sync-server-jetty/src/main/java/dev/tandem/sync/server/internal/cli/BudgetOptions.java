package dev.tandem.sync.server.internal.cli;

import dev.tandem.sync.server.NodeBudget;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The command-line options of the node's resource budget ({@link NodeBudget}), as a picocli mixin. Options left
 * out keep {@link NodeBudget}'s defaults; the byte budgets then follow the heap ({@code -Xmx}).
 */
public final class BudgetOptions {
    @Option(
            names = "--budget-connections",
            paramLabel = "COUNT",
            description = "Open WebSocket connections on this node; more are closed with 1013 'too many"
                    + " connections' (TANDEM_BUDGET_CONNECTIONS). Default: 4096.")
    @Nullable
    Integer connections;

    @Option(
            names = "--budget-connections-per-address",
            paramLabel = "COUNT",
            description = "Open WebSocket connections from one client address"
                    + " (TANDEM_BUDGET_CONNECTIONS_PER_ADDRESS). Default: 256.")
    @Nullable
    Integer connectionsPerAddress;

    @Option(
            names = "--budget-loaded-rooms",
            paramLabel = "COUNT",
            description = "Rooms loaded at once; a client of one more gets 1013 'too many rooms' or HTTP 503"
                    + " (TANDEM_BUDGET_LOADED_ROOMS). Default: 2000.")
    @Nullable
    Integer loadedRooms;

    @Option(
            names = "--budget-http-requests",
            paramLabel = "COUNT",
            description = "HTTP requests handled at once on Tandem's routes; more get 503 SERVER_BUSY"
                    + " (TANDEM_BUDGET_HTTP_REQUESTS). Default: 64.")
    @Nullable
    Integer httpRequests;

    @Option(
            names = "--budget-body-bytes",
            paramLabel = "BYTES",
            converter = Units.BytesConverter.class,
            description = "HTTP request body bytes buffered at once, all requests together, each body byte"
                    + " counted three times (bytes, text, parsed); more get 503 SERVER_BUSY"
                    + " (TANDEM_BUDGET_BODY_BYTES). Default: 1/8 of the heap, at least 16MiB.")
    @Nullable
    Long bodyBytes;

    @Option(
            names = "--budget-chunk-bytes",
            paramLabel = "BYTES",
            converter = Units.BytesConverter.class,
            description = "Bytes held for unfinished chunked WebSocket messages, all connections together; a"
                    + " connection past it is closed with 1013 'server busy' (TANDEM_BUDGET_CHUNK_BYTES)."
                    + " Default: 1/8 of the heap, at least 16MiB.")
    @Nullable
    Long chunkBytes;

    @Option(
            names = "--budget-queued-bytes",
            paramLabel = "BYTES",
            converter = Units.BytesConverter.class,
            description = "Outgoing WebSocket frames not yet written, all connections together; a connection"
                    + " past it is closed with 1013 'server busy' (TANDEM_BUDGET_QUEUED_BYTES)."
                    + " Default: 1/8 of the heap, at least 16MiB.")
    @Nullable
    Long queuedBytes;

    @Option(
            names = "--http-requests-per-second",
            paramLabel = "COUNT",
            description = "HTTP requests per second per client address on Tandem's routes (burst four times"
                    + " that); more get 429 RATE_LIMITED (TANDEM_HTTP_REQUESTS_PER_SECOND). Default: 50.")
    @Nullable
    Integer httpRequestsPerSecond;

    @Option(
            names = "--upload-quota-bytes",
            paramLabel = "BYTES",
            converter = Units.BytesConverter.class,
            description = "Bytes all stored uploads may take; more get 507 UPLOAD_QUOTA_EXCEEDED"
                    + " (TANDEM_UPLOAD_QUOTA_BYTES). Default: 10GiB.")
    @Nullable
    Long uploadQuotaBytes;

    @Option(
            names = "--upload-quota-per-client-bytes",
            paramLabel = "BYTES",
            converter = Units.BytesConverter.class,
            description = "Bytes one user (an anonymous client: one address) may upload; more get 413"
                    + " UPLOAD_QUOTA_EXCEEDED (TANDEM_UPLOAD_QUOTA_PER_CLIENT_BYTES). Default: 1GiB.")
    @Nullable
    Long uploadQuotaPerClientBytes;

    @Option(
            names = "--inbound-bytes-per-second",
            paramLabel = "BYTES",
            converter = Units.BytesConverter.class,
            description = "WebSocket bytes per second one client address may send (burst four times that); past it"
                    + " the server reads its connections no faster (TANDEM_INBOUND_BYTES_PER_SECOND)."
                    + " Default: 512KiB.")
    @Nullable
    Long inboundBytesPerSecond;

    @Option(
            names = "--permessage-deflate",
            paramLabel = "BOOL",
            arity = "1",
            description = "Negotiate WebSocket compression (TANDEM_PERMESSAGE_DEFLATE). Default: false.")
    boolean permessageDeflate;

    /** Returns the budget; throws {@link IllegalArgumentException} naming the option of a bad value. */
    public NodeBudget budget() {
        NodeBudget.Builder b = NodeBudget.builder();
        Integer c = connections;
        if (c != null) {
            option("--budget-connections", () -> b.maxConnections(c));
        }
        Integer perAddress = connectionsPerAddress;
        if (perAddress != null) {
            option("--budget-connections-per-address", () -> b.maxConnectionsPerAddress(perAddress));
        }
        Integer rooms = loadedRooms;
        if (rooms != null) {
            option("--budget-loaded-rooms", () -> b.maxLoadedRooms(rooms));
        }
        Integer requests = httpRequests;
        if (requests != null) {
            option("--budget-http-requests", () -> b.maxConcurrentRequests(requests));
        }
        Long body = bodyBytes;
        if (body != null) {
            option("--budget-body-bytes", () -> b.maxRequestBodyBytes(body));
        }
        Long chunks = chunkBytes;
        if (chunks != null) {
            option("--budget-chunk-bytes", () -> b.maxChunkBytes(chunks));
        }
        Long queued = queuedBytes;
        if (queued != null) {
            option("--budget-queued-bytes", () -> b.maxQueuedBytes(queued));
        }
        Integer rate = httpRequestsPerSecond;
        if (rate != null) {
            option(
                    "--http-requests-per-second",
                    () -> b.httpRequestRate(rate, (int) Math.min(Integer.MAX_VALUE, 4L * rate)));
        }
        Long total = uploadQuotaBytes;
        if (total != null) {
            option("--upload-quota-bytes", () -> b.maxUploadStoreBytes(total));
        }
        Long perClient = uploadQuotaPerClientBytes;
        if (perClient != null) {
            option("--upload-quota-per-client-bytes", () -> b.maxUploadBytesPerClient(perClient));
        }
        Long inbound = inboundBytesPerSecond;
        if (inbound != null) {
            long burst = inbound > Long.MAX_VALUE / 4 ? Long.MAX_VALUE : 4 * inbound;
            option("--inbound-bytes-per-second", () -> b.inboundRate(inbound, burst));
        }
        b.permessageDeflate(permessageDeflate);
        NodeBudget[] built = new NodeBudget[1];
        option("--budget-connections-per-address", () -> built[0] = b.build());
        return built[0];
    }

    private static void option(String name, Runnable set) {
        try {
            set.run();
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name + ": " + e.getMessage(), e);
        }
    }
}
