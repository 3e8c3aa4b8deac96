package dev.tandem.sync.server.internal.cli;

import dev.tandem.sync.server.AllowedOrigins;
import dev.tandem.sync.server.ConnectionSettings;
import dev.tandem.sync.server.TandemServer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import org.jspecify.annotations.Nullable;
import picocli.CommandLine.Option;

/**
 * The server's network and HTTP options: where it listens, what it serves beside the rooms, and the per-connection
 * and per-request sizes. Defaults are {@link TandemServer}'s and {@link ConnectionSettings}'s constants.
 */
public final class ServerFlags {

    @Option(
            names = "--host",
            paramLabel = "HOST",
            description = "Interface to listen on (TANDEM_HOST). Default: ${DEFAULT-VALUE}.")
    String host = TandemServer.DEFAULT_HOST;

    @Option(
            names = "--port",
            paramLabel = "PORT",
            description = "TCP port, 0 for any free port (TANDEM_PORT). Default: ${DEFAULT-VALUE}.")
    int port = TandemServer.DEFAULT_PORT;

    @Option(
            names = "--max-message-bytes",
            paramLabel = "BYTES",
            converter = Units.BytesConverter.class,
            description = "Largest WebSocket message accepted, at least 1MiB (TANDEM_MAX_MESSAGE_BYTES)."
                    + " Default: ${DEFAULT-VALUE}.")
    long maxMessageBytes = ConnectionSettings.DEFAULT_MAX_MESSAGE_BYTES;

    @Option(
            names = "--max-queued-bytes",
            paramLabel = "BYTES",
            converter = Units.BytesConverter.class,
            description = "Outgoing frames (counted in characters, bytes for ASCII) that may wait for a slow client"
                    + " before it is disconnected"
                    + " (TANDEM_MAX_QUEUED_BYTES). Default: ${DEFAULT-VALUE}.")
    long maxQueuedChars = ConnectionSettings.DEFAULT_MAX_QUEUED_CHARS;

    @Option(
            names = "--max-body-bytes",
            paramLabel = "BYTES",
            converter = Units.BytesConverter.class,
            description = "Largest HTTP request body, e.g. a snapshot PUT (TANDEM_MAX_BODY_BYTES)."
                    + " Default: ${DEFAULT-VALUE}.")
    long maxBodyBytes = TandemServer.DEFAULT_MAX_BODY_BYTES;

    @Option(
            names = "--shutdown-timeout",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "On SIGTERM, how long to wait for rooms to be flushed to the store"
                    + " (TANDEM_SHUTDOWN_TIMEOUT). Default: ${DEFAULT-VALUE}.")
    Duration shutdownTimeout = TandemServer.DEFAULT_FLUSH_TIMEOUT;

    @Option(
            names = "--web",
            paramLabel = "DIR",
            description = "Serve a built web page from DIR at /, /r/{roomId} and /ro/{roomId}, e.g."
                    + " examples/tldraw-web/dist (TANDEM_WEB). Default: none.")
    @Nullable
    Path web;

    @Option(
            names = "--max-upload-bytes",
            paramLabel = "BYTES",
            converter = Units.BytesConverter.class,
            description = "Largest asset upload (POST /uploads/{name}), kept in --data/uploads"
                    + " (TANDEM_MAX_UPLOAD_BYTES). Default: ${DEFAULT-VALUE}.")
    long maxUploadBytes = TandemServer.DEFAULT_MAX_UPLOAD_BYTES;

    @Option(
            names = "--unfurl",
            paramLabel = "off|public|any",
            description = "GET /unfurl?url=… fetches bookmark metadata: off, public (public addresses only) or any"
                    + " (also loopback, private and link-local addresses) (TANDEM_UNFURL). Default: ${DEFAULT-VALUE}.")
    String unfurl = "public";

    @Option(
            names = "--event-log",
            paramLabel = "true|false",
            arity = "0..1",
            description = "Write every room event as one JSON line to standard output (TANDEM_EVENT_LOG)."
                    + " Default: ${DEFAULT-VALUE}.")
    boolean eventLog;

    @Option(
            names = "--allowed-origins",
            paramLabel = "ORIGINS",
            description = "Web pages (scheme://host[:port], comma-separated) whose scripts may open WebSockets and"
                    + " send POST, PUT and DELETE requests, besides clients that send no Origin (not browsers),"
                    + " pages of this server, and loopback pages when reached on loopback; their hosts are also"
                    + " accepted in the Host header on loopback. * allows every origin and host"
                    + " (TANDEM_ALLOWED_ORIGINS). Default: none.")
    @Nullable
    String allowedOrigins;

    /** Returns the interface to listen on. */
    public String host() {
        return host;
    }

    /** Returns the port to listen on. */
    public int port() {
        return port;
    }

    /** Returns the per-connection settings. */
    public ConnectionSettings connectionSettings() {
        return ConnectionSettings.defaults()
                .withMaxMessageBytes(maxMessageBytes)
                .withMaxQueuedChars(maxQueuedChars);
    }

    /** Returns the allowed origins; throws {@link IllegalArgumentException} naming the option for a bad one. */
    public AllowedOrigins allowedOrigins() {
        if (allowedOrigins == null || allowedOrigins.isBlank()) {
            return AllowedOrigins.defaults();
        }
        try {
            return AllowedOrigins.parse(allowedOrigins);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("--allowed-origins: " + e.getMessage(), e);
        }
    }

    /** Returns {@code off}, {@code public} or {@code any}; throws {@link IllegalArgumentException} for others. */
    public String unfurlMode() {
        String mode = unfurl.toLowerCase(Locale.ROOT);
        if (!List.of("off", "public", "any").contains(mode)) {
            throw new IllegalArgumentException("--unfurl must be off, public or any but was '" + unfurl + "'");
        }
        return mode;
    }

    /** Checks what needs no I/O beyond a look at {@code --web}; throws {@link IllegalArgumentException}. */
    public void check() {
        unfurlMode();
        if (web != null && !Files.isRegularFile(web.resolve("index.html"))) {
            throw new IllegalArgumentException("--web " + web + " has no index.html (run npm run build there)");
        }
        allowedOrigins();
        connectionSettings();
    }

    /** Sets these options on {@code b}; uploads go to {@code dataDir/uploads}. */
    public void configure(TandemServer.Builder b, Path dataDir) {
        b.host(host)
                .port(port)
                .connectionSettings(connectionSettings())
                .maxBodyBytes(maxBodyBytes)
                .allowedOrigins(allowedOrigins())
                .flushTimeout(shutdownTimeout)
                .uploadDir(dataDir.resolve("uploads"))
                .maxUploadBytes(maxUploadBytes)
                .unfurl(!unfurlMode().equals("off"), unfurlMode().equals("any"))
                .eventLog(eventLog);
        if (web != null) {
            b.webRoot(web);
        }
    }
}
