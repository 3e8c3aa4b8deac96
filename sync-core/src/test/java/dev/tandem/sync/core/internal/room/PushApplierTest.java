package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SyncException;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.protocol.ClientMessage;
import dev.tandem.sync.core.internal.protocol.ProtocolCodec;
import dev.tandem.sync.core.internal.protocol.ServerMessage.PushAction;
import dev.tandem.sync.core.testing.RecordingSocket;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The push applier alone: what a push changes in a transaction, and its verdict, without a room around it. */
class PushApplierTest {
    private static final String SHAPE = "{\"id\":\"shape:1\",\"typeName\":\"shape\",\"x\":1}";

    private final SchemaState schema = new SchemaState(RoomFixture.schema());
    private final RoomOptions options = RoomOptions.builder().build();
    private final PushApplier applier =
            new PushApplier("r", schema, new RecordChecks(schema, options.limits()), options.limits(), () -> "p1");
    private final DocumentState doc = new DocumentState();
    private final Map<String, FrozenMap> presence = new LinkedHashMap<>();

    private RoomSession session(boolean readOnly) {
        RecordingSocket socket = new RecordingSocket();
        Connection c = new Connection(new SyncRoom("r", options), socket, SessionOptions.of("a"), options);
        RoomSession s = new RoomSession("a", c, readOnly, Map.of());
        s.state = RoomSession.State.CONNECTED;
        return s;
    }

    private static ClientMessage.Push push(String fields) {
        return (ClientMessage.Push) ProtocolCodec.decodeClient("{\"type\":\"push\",\"clientClock\":0," + fields + "}");
    }

    @Test
    void applyPush_put_isWrittenToTheTransactionOnly_andCommitsAsSent() {
        RoomSession s = session(false);
        ClientMessage.Push push = push("\"diff\":{\"shape:1\":[\"put\"," + SHAPE + "]}");
        DocumentState.Txn txn = doc.new Txn();

        Change change = applier.applyPush(doc, txn, s, push, presence, false);

        assertThat(change.docOps()).containsOnlyKeys("shape:1");
        assertThat(change.presence()).isNull();
        assertThat(doc.get("shape:1")).as("the document before the commit").isNull();
        assertThat(txn.get("shape:1")).containsEntry("x", 1L);
        txn.commit();
        assertThat(PushApplier.verdict(push, change, s, doc)).isEqualTo(PushAction.Commit.INSTANCE);
    }

    @Test
    void applyPush_ofAnEqualRecord_changesNothing_andIsDiscarded() {
        RoomSession s = session(false);
        DocumentState.Txn first = doc.new Txn();
        first.set("shape:1", Frozen.freezeMap(Map.of("id", "shape:1", "typeName", "shape", "x", 1L)));
        first.commit();
        ClientMessage.Push push = push("\"diff\":{\"shape:1\":[\"put\"," + SHAPE + "]}");

        Change change = applier.applyPush(doc, doc.new Txn(), s, push, presence, false);

        assertThat(change.isEmpty()).isTrue();
        assertThat(PushApplier.verdict(push, change, s, doc)).isEqualTo(PushAction.Discard.INSTANCE);
    }

    @Test
    void applyPush_fromAReadOnlySession_appliesPresenceButNoDocumentOp() {
        RoomSession s = session(true);
        ClientMessage.Push push = push("\"diff\":{\"shape:1\":[\"put\"," + SHAPE + "]},"
                + "\"presence\":[\"put\",{\"id\":\"x\",\"typeName\":\"y\",\"cursor\":1}]");

        Change change = applier.applyPush(doc, doc.new Txn(), s, push, presence, false);

        assertThat(change.docOps()).isEmpty();
        assertThat(change.presence()).isNotNull();
        assertThat(change.presence().id()).isEqualTo("instance_presence:p1");
        assertThat(change.presence().after())
                .containsEntry("id", "instance_presence:p1")
                .containsEntry("typeName", "instance_presence");
        assertThat(change.presence().op()).isInstanceOf(RecordOp.Put.class);
    }

    @Test
    void applyPush_ofAnInvalidRecord_throwsInvalidRecord() {
        RoomSession s = session(false);
        ClientMessage.Push push =
                push("\"diff\":{\"shape:1\":[\"put\",{\"id\":\"shape:1\",\"typeName\":\"shape\",\"x\":\"left\"}]}");

        assertThatThrownBy(() -> applier.applyPush(doc, doc.new Txn(), s, push, presence, false))
                .isInstanceOfSatisfying(
                        SyncException.class, e -> assertThat(e.reason()).isEqualTo(CloseReason.INVALID_RECORD))
                .hasMessage("invalid record shape:1: x must be a number");
    }

    @Test
    void hostChange_dropsWritesThatChangeNothing() {
        DocumentState.Txn first = doc.new Txn();
        FrozenMap page = Frozen.freezeMap(Map.of("id", "page:1", "typeName", "page"));
        first.set("page:1", page);
        first.commit();
        DocumentState.Txn txn = doc.new Txn();
        txn.set("page:1", page);
        txn.set("page:2", Frozen.freezeMap(Map.of("id", "page:2", "typeName", "page")));

        Change change = PushApplier.hostChange(doc, txn);

        assertThat(change.docOps()).containsOnlyKeys("page:2");
        assertThat(txn.writes).containsOnlyKeys("page:2");
    }
}
