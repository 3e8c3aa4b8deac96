package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.core.internal.json.CompactRecord;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.json.FrozenOps;
import dev.tandem.sync.core.internal.protocol.ClientMessage;
import dev.tandem.sync.core.internal.protocol.ProtocolCodec;
import dev.tandem.sync.core.internal.protocol.ServerMessage;
import dev.tandem.sync.core.internal.protocol.ServerMessage.HydrationType;
import dev.tandem.sync.core.internal.schema.ClientMigrations;
import dev.tandem.sync.core.internal.schema.SchemaNegotiation;
import java.util.LinkedHashMap;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The connect handshake: the protocol version (with tldraw's legacy versions 5–7), the schema negotiation (in
 * pinned mode, pinning the room's schema), and the reply with what the client is missing. Changes nothing but
 * the session's protocol flags and, in pinned mode, the room's schema; the room applies the outcome. Confined
 * to the room's lane.
 */
final class Handshake {
    private static final Logger LOG = LoggerFactory.getLogger(SyncRoom.class);
    /** tldraw 5.x sends the object-lane access on every connect; Tandem has no object lane, so all is write. */
    private static final String OBJECT_ACCESS_WRITE = "write";

    /** An accepted connect: the reply to send, and the migrations the session's records need. */
    record Accepted(ServerMessage.Connect reply, @Nullable ClientMigrations migrations) {}

    private final String roomId;
    private final SchemaState schema;

    Handshake(String roomId, SchemaState schema) {
        this.roomId = roomId;
        this.schema = schema;
    }

    /**
     * Negotiates a session's connect against the document and the other sessions' presence. Throws {@link
     * SyncException} with the close reason when the client cannot join.
     */
    Accepted accept(RoomSession s, ClientMessage.Connect connect, DocumentState doc, Map<String, FrozenMap> presence) {
        negotiateVersion(s, connect.protocolVersion());
        if (connect.schema() == null) {
            throw new SyncException(CloseReason.CLIENT_TOO_OLD, "no schema");
        }
        FrozenMap replySchema = schema.serialized;
        @Nullable ClientMigrations migrations = null;
        if (schema.serialized == null) {
            // pinned mode: the first schema a writer sends becomes the room's schema
            Map<String, Integer> pinned = SchemaNegotiation.roomSequences(connect.schema());
            if (pinned == null || !(connect.schema().get("schemaVersion") instanceof Long sv) || sv > 2) {
                throw new SyncException(CloseReason.CLIENT_TOO_OLD, "malformed schema");
            }
            replySchema = Frozen.freezeMap(connect.schema());
            if (!s.readOnly) {
                schema.pin(replySchema, pinned);
                LOG.info("room {} pinned its schema from session {}", roomId, s.sessionId);
            }
            // a read-only session never fixes anything for a room: it is served in its own schema
        }
        if (schema.serialized != null) {
            SchemaNegotiation.Outcome outcome = SchemaNegotiation.negotiate(
                    schema.sequences, schema.schema.migrations(), schema.schema::isRetroactive, connect.schema());
            if (outcome.rejection() != null) {
                throw new SyncException(outcome.rejection(), "schema mismatch");
            }
            migrations = outcome.migrations();
        }

        DocumentState.ChangesSince changes = doc.changesSince(connect.lastServerClock());
        LinkedHashMap<String, RecordOp> diff = new LinkedHashMap<>();
        for (Map.Entry<String, FrozenMap> p : presence.entrySet()) {
            if (!p.getKey().equals(s.presenceId)) {
                diff.put(p.getKey(), new RecordOp.Put(down(migrations, p.getValue())));
            }
        }
        boolean wipeAll = false;
        if (changes != null) {
            wipeAll = changes.wipeAll();
            boolean current = migrations == null || migrations.isEmpty();
            for (CompactRecord r : changes.puts()) {
                // a client of the room's schema gets the stored record, written as JSON straight from its bytes
                diff.put(r.id(), new RecordOp.Put(current ? r : migrations.down(r.tree())));
            }
            for (String id : changes.removes()) {
                diff.put(id, RecordOp.Remove.INSTANCE);
            }
        }
        ServerMessage.Connect reply = new ServerMessage.Connect(
                connect.connectRequestId(),
                wipeAll ? HydrationType.WIPE_ALL : HydrationType.WIPE_PRESENCE,
                ProtocolCodec.PROTOCOL_VERSION,
                replySchema,
                new NetworkDiff(FrozenOps.adopt(diff)), // built here and given up: not copied again
                doc.clock,
                s.readOnly,
                OBJECT_ACCESS_WRITE);
        return new Accepted(reply, migrations);
    }

    /**
     * Maps tldraw's legacy protocol versions onto the session's flags (5 and 6 want the legacy rejection
     * message, 7 no string appends) and refuses any other version but the current one.
     */
    private static void negotiateVersion(RoomSession s, @Nullable Integer version) {
        if (version == null) {
            throw new SyncException(CloseReason.CLIENT_TOO_OLD, "no protocol version");
        }
        int v = version;
        if (v == 5) {
            v = 6;
        }
        if (v == 6) {
            s.requiresLegacyRejection = true;
            v = 7;
        }
        if (v == 7) {
            s.supportsStringAppend = false;
            v = 8;
        }
        if (v < ProtocolCodec.PROTOCOL_VERSION) {
            throw new SyncException(CloseReason.CLIENT_TOO_OLD, "protocol version " + version);
        }
        if (v > ProtocolCodec.PROTOCOL_VERSION) {
            throw new SyncException(CloseReason.SERVER_TOO_OLD, "protocol version " + version);
        }
    }

    private static FrozenMap down(@Nullable ClientMigrations migrations, FrozenMap record) {
        return migrations == null || migrations.isEmpty() ? record : migrations.down(record);
    }
}
