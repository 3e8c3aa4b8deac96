package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.RecordValidator;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.core.SyncLimits;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.json.JsonCodec;
import java.util.Map;
import org.jspecify.annotations.Nullable;

/**
 * The checks every record passes on its way into a room — a WebSocket push, an offline event, a snapshot PUT, a
 * restore, a host's update — and the size limits of records and the document. Each failure is a {@link
 * SyncException} with the close reason tldraw gives it. Confined to the room's lane.
 */
final class RecordChecks {
    private final SchemaState schema;
    private final SyncLimits limits;

    RecordChecks(SchemaState schema, SyncLimits limits) {
        this.schema = schema;
        this.limits = limits;
    }

    /**
     * The one check every document record passes on its way in, after {@link #checkRecordType} (and, for an
     * older client, its migration up): the schema's validator (INVALID_RECORD), its id against its key
     * (UNKNOWN_ERROR, as tldraw's storage asserts it), and maxRecordChars (INVALID_RECORD); then the write.
     * Presence records pass the presence validator and the same size limit in {@link #checkPresence}.
     */
    void admit(DocumentState.Txn txn, String id, FrozenMap record) {
        validate(record, validatorFor(record));
        checkId(id, record);
        checkRecordDepth(id, record);
        checkRecordSize(id, txn.set(id, record));
    }

    /** Checks a session's presence record against the presence validator and the record limits. */
    void checkPresence(String id, FrozenMap record, long size) {
        validate(record, schema.schema.presenceValidator());
        checkRecordDepth(id, record);
        checkRecordSize(id, size);
    }

    /**
     * Checks, before anything else, that a put's record has a document type (whatever the schema, a non-empty
     * string); INVALID_RECORD otherwise, as in tldraw.
     */
    void checkRecordType(String id, FrozenMap record) {
        if (!(record.get("typeName") instanceof String type) || type.isEmpty()) {
            throw new SyncException(CloseReason.INVALID_RECORD, "record " + id + " has no typeName");
        }
        if (type.equals(schema.presenceType)) {
            throw new SyncException(CloseReason.INVALID_RECORD, "record " + id + " has the presence type " + type);
        }
        if (!schema.schema.isPinned() && !schema.schema.documentTypes().containsKey(type)) {
            throw new SyncException(CloseReason.INVALID_RECORD, "unknown record type " + type);
        }
    }

    /** Refuses a transaction that would grow the document past maxDocumentChars. */
    void checkDocumentSize(DocumentState.Txn txn, DocumentState doc) {
        if (txn.isEmpty()) {
            return;
        }
        long after = txn.totalSizeAfter();
        if (after > limits.maxDocumentChars() && after > doc.totalSize) {
            throw new SyncException(
                    CloseReason.INVALID_RECORD,
                    "document of " + after + " characters would exceed maxDocumentChars " + limits.maxDocumentChars());
        }
    }

    /** Returns the value a patch produced as a record; INVALID_RECORD if it is no longer a JSON object. */
    static FrozenMap asFrozen(@Nullable Object value) {
        if (value instanceof FrozenMap m) {
            return m;
        }
        throw new SyncException(CloseReason.INVALID_RECORD, "a record must stay a JSON object");
    }

    /** Refuses a record deeper than a Tandem client could parse once a message carries it. */
    private static void checkRecordDepth(String id, FrozenMap record) {
        if (JsonCodec.deeperThan(record, JsonCodec.MAX_RECORD_DEPTH)) {
            throw new SyncException(
                    CloseReason.INVALID_RECORD,
                    "record " + id + " is nested deeper than " + JsonCodec.MAX_RECORD_DEPTH + " levels");
        }
    }

    private void checkRecordSize(String id, long size) {
        if (size > limits.maxRecordChars()) {
            throw new SyncException(
                    CloseReason.INVALID_RECORD,
                    "record " + id + " of " + size + " characters exceeds maxRecordChars " + limits.maxRecordChars());
        }
    }

    /**
     * Checks, after validation and just before storing, that a record's id is its key. tldraw's storage asserts
     * this, so a mismatch is UNKNOWN_ERROR there, not INVALID_RECORD.
     */
    private static void checkId(String id, FrozenMap record) {
        if (!id.equals(record.get("id"))) {
            throw new SyncException(
                    CloseReason.UNKNOWN_ERROR, "record id " + record.get("id") + " does not match its key " + id);
        }
    }

    private @Nullable RecordValidator validatorFor(FrozenMap record) {
        return schema.schema.isPinned() ? null : schema.schema.documentTypes().get((String) record.get("typeName"));
    }

    @SuppressWarnings("unchecked")
    private static void validate(FrozenMap record, @Nullable RecordValidator validator) {
        if (validator == null) {
            return;
        }
        try {
            validator.validate((Map<String, Object>) (Map<String, ?>) record);
        } catch (RuntimeException e) {
            throw new SyncException(
                    CloseReason.INVALID_RECORD, "invalid record " + record.get("id") + ": " + e.getMessage(), e);
        }
    }
}
