package dev.tandem.sync.server.internal.cli;

import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.SyncLimits;
import dev.tandem.sync.core.TldrawSchema;
import java.nio.file.Path;
import java.time.Duration;
import picocli.CommandLine.Option;

/**
 * What rooms hold and how their sessions live: the schema, the session timers, batching and the per-room limits.
 * Defaults are {@link RoomOptions}' and {@link SyncLimits#DEFAULTS}' values.
 */
public final class RoomFlags {

    @Option(
            names = "--schema",
            paramLabel = "tldraw|pinned|FILE",
            description = "What rooms may contain (TANDEM_SCHEMA). tldraw: tldraw's own schema, validated and"
                    + " migrated as tldraw's server does; pinned: development only, each room adopts its first"
                    + " writer's schema and accepts any record; FILE: an app's schema JSON (docs/schema.md)."
                    + " Default: ${DEFAULT-VALUE}.")
    String schema = "tldraw";

    @Option(
            names = "--idle-timeout",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "Drop sessions silent (no ping or push) this long; 0 never (TANDEM_IDLE_TIMEOUT)."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration idleTimeout = RoomOptions.DEFAULT_IDLE_TIMEOUT;

    @Option(
            names = "--connect-timeout",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "How long a new socket may take to send connect (TANDEM_CONNECT_TIMEOUT)."
                    + " Default: ${DEFAULT-VALUE}.")
    Duration connectTimeout = RoomOptions.DEFAULT_CONNECT_TIMEOUT;

    @Option(
            names = "--removal-grace",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "How long a disconnected session keeps its presence and may resume"
                    + " (TANDEM_REMOVAL_GRACE). Default: ${DEFAULT-VALUE}.")
    Duration removalGrace = RoomOptions.DEFAULT_REMOVAL_GRACE;

    @Option(
            names = "--batch-interval",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "Outgoing messages to a session are batched for this long; 0 sends each at once"
                    + " (TANDEM_BATCH_INTERVAL). Default: ${DEFAULT-VALUE}.")
    Duration batchInterval = RoomOptions.DEFAULT_BATCH_INTERVAL;

    @Option(
            names = "--batch-push-results",
            paramLabel = "true|false",
            arity = "0..1",
            description = "Push results wait in the batch window like patches, as on tldraw's server: fewer frames,"
                    + " later commit confirmations (TANDEM_BATCH_PUSH_RESULTS). Default: ${DEFAULT-VALUE}.")
    boolean batchPushResults;

    @Option(
            names = "--unload-delay",
            paramLabel = "DURATION",
            converter = Units.DurationConverter.class,
            description = "How long an empty room stays loaded before it is flushed and unloaded"
                    + " (TANDEM_UNLOAD_DELAY). Default: ${DEFAULT-VALUE}.")
    Duration unloadDelay = RoomOptions.DEFAULT_UNLOAD_DELAY;

    @Option(
            names = "--max-sessions-per-room",
            paramLabel = "COUNT",
            description = "Sessions a room holds; more get ROOM_FULL (TANDEM_MAX_SESSIONS_PER_ROOM)."
                    + " Default: ${DEFAULT-VALUE}.")
    int maxSessionsPerRoom = SyncLimits.DEFAULTS.maxSessionsPerRoom();

    @Option(
            names = "--session-messages-per-second",
            paramLabel = "COUNT",
            description = "Messages per second per session (burst twice that); more get RATE_LIMITED"
                    + " (TANDEM_SESSION_MESSAGES_PER_SECOND). Default: ${DEFAULT-VALUE}.")
    int sessionMessagesPerSecond = SyncLimits.DEFAULTS.messagesPerSecond();

    @Option(
            names = "--max-record-chars",
            paramLabel = "COUNT",
            description = "Largest record as JSON, in characters; larger get INVALID_RECORD"
                    + " (TANDEM_MAX_RECORD_CHARS). Default: ${DEFAULT-VALUE}.")
    long maxRecordChars = SyncLimits.DEFAULTS.maxRecordChars();

    @Option(
            names = "--max-document-chars",
            paramLabel = "COUNT",
            description = "Largest document (sum of its records as JSON), in characters; a push past it gets"
                    + " INVALID_RECORD (TANDEM_MAX_DOCUMENT_CHARS). Default: ${DEFAULT-VALUE}.")
    long maxDocumentChars = SyncLimits.DEFAULTS.maxDocumentChars();

    /** Returns the name given to {@code --schema}, for the log. */
    public String schemaName() {
        return schema;
    }

    /** Returns the rooms' schema named by {@code --schema}; throws {@link IllegalArgumentException} for a bad one. */
    public RoomSchema roomSchema() {
        switch (schema) {
            case "tldraw":
                return TldrawSchema.defaults();
            case "pinned":
                return RoomSchema.pinned();
            default:
                return SchemaFile.read(Path.of(schema));
        }
    }

    /** Returns the per-room and per-session limits. */
    public SyncLimits syncLimits() {
        return SyncLimits.builder()
                .maxSessionsPerRoom(maxSessionsPerRoom)
                .messagesPerSecond(sessionMessagesPerSecond)
                .messageBurst(Math.multiplyExact(2, sessionMessagesPerSecond))
                .maxRecordChars(maxRecordChars)
                .maxDocumentChars(maxDocumentChars)
                .build();
    }

    /** Sets the schema, the session timers, batching and the limits on {@code b}. */
    public void configure(RoomOptions.Builder b) {
        b.schema(roomSchema())
                .idleTimeout(idleTimeout)
                .connectTimeout(connectTimeout)
                .removalGrace(removalGrace)
                .batchInterval(batchInterval)
                .batchPushResults(batchPushResults)
                .unloadDelay(unloadDelay)
                .limits(syncLimits());
    }
}
