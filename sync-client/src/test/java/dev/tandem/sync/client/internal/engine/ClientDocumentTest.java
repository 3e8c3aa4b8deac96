package dev.tandem.sync.client.internal.engine;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.client.ChangeSource;
import dev.tandem.sync.client.StoreChange;
import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.internal.protocol.ClientMessage;
import dev.tandem.sync.core.internal.protocol.ServerMessage;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.Test;

/** The client document alone: hydration, speculative changes, pushes and the rebase, with no connection. */
class ClientDocumentTest {
    private static final String PRESENCE = "instance_presence";

    private final List<RecordsDiff> localChanges = new ArrayList<>();
    private final ClientDocument doc = new ClientDocument(PRESENCE, "s1", () -> Map.of("cursor", 1));

    private static FrozenMap note(String id, String text) {
        return Frozen.freezeMap(Map.of("id", id, "typeName", "note", "text", text));
    }

    private static ServerMessage.Connect connect(long clock, NetworkDiff diff) {
        return new ServerMessage.Connect(
                "req", ServerMessage.HydrationType.WIPE_ALL, 8, Map.of(), diff, clock, false, null);
    }

    private static NetworkDiff put(String id, Map<String, Object> record) {
        return NetworkDiff.of(Map.of(id, new RecordOp.Put(record)));
    }

    private @Nullable FrozenMap record(String id) {
        return doc.read(t -> t.get(id));
    }

    private void setLocally(String id, FrozenMap record) {
        doc.changeLocally(t -> t.set(id, record), localChanges::add);
    }

    @Test
    void changeLocally_whileOffline_goesOutAsOnePushAfterConnect_andCommits() {
        setLocally("note:a", note("note:a", "offline"));
        assertThat(localChanges).hasSize(1);

        StoreChange hydrated = doc.connect(connect(5, NetworkDiff.EMPTY));

        assertThat(hydrated).isNotNull();
        assertThat(doc.connectedToRoom()).isTrue();
        assertThat(doc.lastServerClock()).isEqualTo(5);
        ClientMessage.Push push = doc.nextPush();
        assertThat(push).isNotNull();
        assertThat(push.clientClock()).isZero();
        assertThat(push.diff().ops()).containsOnlyKeys("note:a");
        assertThat(push.presence()).isInstanceOf(RecordOp.Put.class);
        assertThat(doc.hasUnconfirmedChanges()).isTrue();

        assertThat(doc.receive(List.of(new ServerMessage.PushResult(0, 6, ServerMessage.PushAction.Commit.INSTANCE))))
                .isTrue();
        ClientDocument.Rebased rebased = doc.rebase();

        assertThat(rebased.mismatch()).isNull();
        assertThat(doc.lastServerClock()).isEqualTo(6);
        assertThat(doc.hasUnconfirmedChanges()).isFalse();
        assertThat(record("note:a")).isEqualTo(note("note:a", "offline"));
        assertThat(doc.nextPush()).as("nothing left to send").isNull();
    }

    @Test
    void rebase_serverPatchUnderPendingChange_keepsTheLocalChangeOnTop() {
        doc.connect(connect(1, put("note:a", Map.of("id", "note:a", "typeName", "note", "text", "server"))));
        setLocally("note:b", note("note:b", "mine"));
        doc.nextPush();

        doc.receive(List.of(new ServerMessage.Patch(
                put("note:c", Map.of("id", "note:c", "typeName", "note", "text", "theirs")), 2)));
        ClientDocument.Rebased rebased = doc.rebase();

        assertThat(rebased.change().source()).isEqualTo(ChangeSource.REMOTE);
        assertThat(rebased.change().added()).containsOnlyKeys("note:c");
        assertThat(record("note:b")).isEqualTo(note("note:b", "mine"));
        assertThat(doc.hasUnconfirmedChanges()).isTrue();
        assertThat(doc.lastServerClock()).isEqualTo(2);
    }

    @Test
    void rebase_pushResultForAnotherPush_reportsTheMismatch() {
        doc.connect(connect(1, NetworkDiff.EMPTY));

        doc.receive(List.of(new ServerMessage.PushResult(3, 2, ServerMessage.PushAction.Commit.INSTANCE)));

        assertThat(doc.rebase().mismatch())
                .isEqualTo("push_result for clientClock 3 but the oldest pending push is none");
    }

    @Test
    void receive_beforeTheConnectReply_isDropped() {
        assertThat(doc.receive(List.of(new ServerMessage.Patch(NetworkDiff.EMPTY, 1))))
                .isFalse();
        assertThat(doc.rebase().change().isEmpty()).isTrue();
    }

    @Test
    void connect_whileConnected_isRefused_andTheNextOneRehydratesFromTheStart() {
        doc.connect(connect(7, NetworkDiff.EMPTY));

        assertThat(doc.connect(connect(9, NetworkDiff.EMPTY))).isNull();
        assertThat(doc.lastServerClock()).isZero();
    }

    @Test
    void disconnect_dropsPresenceAndPendingPushes_keepsSpeculativeChanges() {
        String other = PRESENCE + ":other";
        doc.connect(connect(1, put(other, Map.of("id", other, "typeName", PRESENCE))));
        setLocally("note:a", note("note:a", "kept"));
        doc.nextPush();

        StoreChange dropped = doc.disconnect();

        assertThat(dropped.removed()).containsOnlyKeys(other);
        assertThat(doc.connectedToRoom()).isFalse();
        assertThat(record("note:a")).isNotNull();
        assertThat(doc.hasUnconfirmedChanges())
                .as("the change is still speculative")
                .isTrue();
    }
}
