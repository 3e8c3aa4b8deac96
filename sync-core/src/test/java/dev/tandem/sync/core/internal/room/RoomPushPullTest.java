package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.Access;
import dev.tandem.sync.core.Durability;
import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.PullPage;
import dev.tandem.sync.core.PushEvent;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.ValueOp;
import dev.tandem.sync.core.testing.ControlledStore;
import dev.tandem.sync.core.testing.ExhaustedSockets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** HTTP push events and pull pages, through the same room as live sessions. */
@ExtendWith(ExhaustedSockets.class)
class RoomPushPullTest {
    private static PushEvent create(String eventId, String recordId, String name) {
        return new PushEvent(
                eventId,
                "room-1",
                recordId,
                "page",
                PushEvent.Operation.CREATE,
                Map.of("id", recordId, "typeName", "page", "name", name),
                null,
                0);
    }

    private static PushEvent append(String eventId, String recordId, String text, int offset) {
        return new PushEvent(
                eventId,
                "room-1",
                recordId,
                "page",
                PushEvent.Operation.UPDATE,
                null,
                ObjectDiff.of(Map.of("name", new ValueOp.Append(text, offset))),
                0);
    }

    private static PushEvent delete(String eventId, String recordId) {
        return new PushEvent(eventId, "room-1", recordId, "page", PushEvent.Operation.DELETE, null, null, 0);
    }

    @Test
    void applyEvents_areBroadcastToLiveSessions_eachWithItsOwnClock() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn live = f.joined("live");

        List<EventResult> results = f.room.applyEvents(
                        List.of(create("e1", "page:1", "a"), append("e2", "page:1", "b", 1)),
                        Principal.ANONYMOUS,
                        Access.READ_WRITE)
                .join();

        assertThat(results)
                .extracting(EventResult::applied, EventResult::serverClock)
                .containsExactly(
                        org.assertj.core.groups.Tuple.tuple(true, 1L), org.assertj.core.groups.Tuple.tuple(true, 2L));
        assertThat(live.socket.drain()).hasSize(2);
        assertThat(f.room.record("page:1").join()).containsEntry("name", "ab");
    }

    @Test
    void applyEvents_resentIds_returnFirstResultAndChangeNothing() {
        RoomFixture f = new RoomFixture();
        List<PushEvent> batch = List.of(create("e1", "page:1", "a"), append("e2", "page:1", "b", 1));
        List<EventResult> first = f.room.applyEvents(batch, Principal.ANONYMOUS, Access.READ_WRITE)
                .join();
        List<EventResult> again = f.room.applyEvents(batch, Principal.ANONYMOUS, Access.READ_WRITE)
                .join();
        assertThat(again).isEqualTo(first);
        assertThat(f.room.record("page:1").join()).containsEntry("name", "ab");
        assertThat(f.room.documentClock()).isEqualTo(2);
    }

    @Test
    void applyEvents_sameEventIdOfAnotherPrincipal_isAppliedOnItsOwn() {
        Principal bob = new Principal("bob", Map.of());
        Principal alice = new Principal("alice", Map.of());
        RoomFixture f = new RoomFixture();
        List<EventResult> refused = f.room.applyEvents(List.of(create("e1", "page:1", "bob")), bob, Access.FORBIDDEN)
                .join();

        List<EventResult> owners = f.room.applyEvents(
                        List.of(create("e1", "page:1", "alice")), alice, Access.READ_WRITE)
                .join();
        List<EventResult> bobAgain = f.room.applyEvents(List.of(create("e1", "page:1", "bob")), bob, Access.READ_WRITE)
                .join();

        assertThat(refused).containsExactly(new EventResult("e1", false, "FORBIDDEN", 0));
        assertThat(owners).containsExactly(new EventResult("e1", true, null, 1));
        assertThat(bobAgain).isEqualTo(refused);
        assertThat(f.room.record("page:1").join()).containsEntry("name", "alice");
    }

    @Test
    void applyEvents_sameEventIdOfAnotherPrincipalAfterRestart_isNotAnsweredFromTheStore() {
        ControlledStore store = new ControlledStore().autoComplete();
        RoomOptions.Builder options = RoomOptions.builder()
                .schema(RoomFixture.schema())
                .batchInterval(Duration.ZERO)
                .store(store);
        // ids that would collide if the principal were only joined to the event id
        Principal ab = new Principal("a:b", Map.of());
        Principal a = new Principal("a", Map.of());
        List<EventResult> refused = new RoomFixture(options)
                .room
                .applyEvents(List.of(create("c", "page:1", "x")), ab, Access.READ_ONLY)
                .join();

        RoomFixture restarted = new RoomFixture(options);
        List<EventResult> other = restarted
                .room
                .applyEvents(List.of(create("b:c", "page:1", "y")), a, Access.READ_WRITE)
                .join();
        List<EventResult> sameIdOfA = restarted
                .room
                .applyEvents(List.of(append("c", "page:1", "z", 1)), a, Access.READ_WRITE)
                .join();
        List<EventResult> resent = restarted
                .room
                .applyEvents(List.of(create("c", "page:1", "x")), ab, Access.READ_WRITE)
                .join();

        assertThat(refused).containsExactly(new EventResult("c", false, "READ_ONLY", 0));
        assertThat(other).containsExactly(new EventResult("b:c", true, null, 1));
        assertThat(sameIdOfA).containsExactly(new EventResult("c", true, null, 2));
        assertThat(resent).isEqualTo(refused);
        assertThat(restarted.room.record("page:1").join()).containsEntry("name", "yz");
    }

    @Test
    void applyEvents_resentAfterRestart_areAnsweredFromTheStore() {
        ControlledStore store = new ControlledStore().autoComplete();
        RoomOptions.Builder options = RoomOptions.builder()
                .schema(RoomFixture.schema())
                .batchInterval(Duration.ZERO)
                .store(store);
        List<PushEvent> batch = List.of(
                create("e1", "page:1", "a"), append("e2", "page:1", "b", 1), append("missing", "page:9", "x", 0));
        List<EventResult> first = new RoomFixture(options)
                .room
                .applyEvents(batch, Principal.ANONYMOUS, Access.READ_WRITE)
                .join();

        RoomFixture restarted = new RoomFixture(options);
        List<EventResult> again = restarted
                .room
                .applyEvents(batch, Principal.ANONYMOUS, Access.READ_WRITE)
                .join();

        assertThat(again).isEqualTo(first);
        assertThat(restarted.room.record("page:1").join()).containsEntry("name", "ab");
        assertThat(restarted.room.documentClock()).isEqualTo(2);
        assertThat(again.get(2).applied()).isFalse();
    }

    @Test
    void applyEvents_rejectedEventBlocksOnlyLaterEventsOfTheSameRecord() {
        RoomFixture f = new RoomFixture();
        List<EventResult> results = f.room.applyEvents(
                        List.of(
                                new PushEvent(
                                        "bad",
                                        "room-1",
                                        "shape:1",
                                        "shape",
                                        PushEvent.Operation.CREATE,
                                        Map.of("id", "shape:1", "typeName", "shape", "x", "not a number"),
                                        null,
                                        0),
                                new PushEvent(
                                        "later",
                                        "room-1",
                                        "shape:1",
                                        "shape",
                                        PushEvent.Operation.CREATE,
                                        Map.of("id", "shape:1", "typeName", "shape", "x", 1),
                                        null,
                                        0),
                                create("other", "page:1", "fine"),
                                append("missing", "page:9", "x", 0)),
                        Principal.ANONYMOUS,
                        Access.READ_WRITE)
                .join();
        assertThat(results).extracting(EventResult::applied).containsExactly(false, false, true, false);
        assertThat(results.get(0).reason()).startsWith("INVALID_RECORD: invalid record shape:1");
        assertThat(results.get(1).reason()).isEqualTo("an earlier event of record shape:1 was rejected");
        assertThat(results.get(3).reason()).isEqualTo("NOT_FOUND: record page:9 does not exist");
    }

    @Test
    void applyEvents_recordOrPatchChangingTheId_isInvalidRecord() {
        RoomFixture f = new RoomFixture();
        List<EventResult> results = f.room.applyEvents(
                        List.of(
                                new PushEvent(
                                        "other-id",
                                        "room-1",
                                        "page:1",
                                        "page",
                                        PushEvent.Operation.CREATE,
                                        Map.of("id", "page:2", "typeName", "page", "name", "x"),
                                        null,
                                        0),
                                create("ok", "page:3", "fine"),
                                new PushEvent(
                                        "patch-id",
                                        "room-1",
                                        "page:3",
                                        "page",
                                        PushEvent.Operation.UPDATE,
                                        null,
                                        ObjectDiff.of(Map.of("id", new ValueOp.Put("page:4"))),
                                        0)),
                        Principal.ANONYMOUS,
                        Access.READ_WRITE)
                .join();
        assertThat(results).extracting(EventResult::applied).containsExactly(false, true, false);
        assertThat(results.get(0).reason()).isEqualTo("INVALID_RECORD: record id page:2 does not match page:1");
        assertThat(results.get(2).reason()).isEqualTo("INVALID_RECORD: record id page:4 does not match its key page:3");
        assertThat(f.room.record("page:3").join()).containsEntry("id", "page:3");
    }

    @Test
    void applyEvents_readOnlyAccess_rejectsEverything() {
        RoomFixture f = new RoomFixture();
        List<EventResult> results = f.room.applyEvents(
                        List.of(create("e1", "page:1", "a")), Principal.ANONYMOUS, Access.READ_ONLY)
                .join();
        assertThat(results.get(0).applied()).isFalse();
        assertThat(results.get(0).reason()).isEqualTo("READ_ONLY");
        assertThat(f.room.documentClock()).isZero();
    }

    @Test
    void applyEvents_syncDurability_answersOnlyAfterTheStoreCommitted() {
        ControlledStore store = new ControlledStore();
        RoomFixture f = new RoomFixture(RoomOptions.builder()
                .schema(RoomFixture.schema())
                .batchInterval(Duration.ZERO)
                .store(store)
                .durability(Durability.SYNC));
        CompletableFuture<List<EventResult>> results =
                f.room.applyEvents(List.of(create("e1", "page:1", "a")), Principal.ANONYMOUS, Access.READ_WRITE);
        assertThat(results).isNotDone();
        assertThat(store.peekWaiting().events()).containsOnlyKeys("9:anonymous:e1");
        store.completeNext();
        assertThat(results).isDone();
    }

    @Test
    void pull_pagesThroughChangesThenDeletes_andResumesFromPosition() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn live = f.joined("live");
        for (int i = 0; i < 5; i++) {
            live.push(i, "{\"page:" + i + "\":[\"put\",{\"id\":\"page:" + i + "\",\"typeName\":\"page\"}]}");
        }
        PullPage first = f.room.pull(PullPage.Position.START, 3).join();
        assertThat(first.resync()).isTrue();
        assertThat(first.hasMore()).isTrue();
        assertThat(first.changes()).extracting(PullPage.Change::recordId).containsExactly("page:0", "page:1", "page:2");
        PullPage second = f.room.pull(first.position(), 3).join();
        assertThat(second.hasMore()).isFalse();
        assertThat(second.changes()).extracting(PullPage.Change::recordId).containsExactly("page:3", "page:4");

        live.push(5, "{\"page:1\":[\"remove\"]}");
        PullPage third = f.room.pull(second.position(), 10).join();
        assertThat(third.resync()).isFalse();
        assertThat(third.changes()).singleElement().satisfies(c -> {
            assertThat(c.recordId()).isEqualTo("page:1");
            assertThat(c.deleted()).isTrue();
            assertThat(c.typeName()).isEqualTo("page");
        });
        assertThat(f.room.pull(third.position(), 10).join().changes()).isEmpty();
        live.discardRemaining(); // its push results are not what this test examines
    }

    @Test
    void pull_manyRecordsAtOneClock_areNeverSkippedAcrossPages() {
        RoomFixture f = new RoomFixture();
        f.room.update(txn -> {
                    for (int i = 0; i < 25; i++) {
                        txn.put(Map.of("id", "page:" + i, "typeName", "page"));
                    }
                })
                .join();
        Set<String> seen = new HashSet<>();
        PullPage.Position at = PullPage.Position.START;
        List<Integer> sizes = new ArrayList<>();
        while (true) {
            PullPage page = f.room.pull(at, 7).join();
            page.changes().forEach(c -> assertThat(seen.add(c.recordId())).isTrue());
            sizes.add(page.changes().size());
            at = page.position();
            if (!page.hasMore()) {
                break;
            }
        }
        assertThat(seen).hasSize(25);
        assertThat(sizes).containsExactly(7, 7, 7, 4);
    }

    @Test
    void pull_positionOlderThanTombstoneHistory_isResync() {
        RoomFixture f = new RoomFixture(RoomOptions.builder()
                .schema(RoomFixture.schema())
                .batchInterval(Duration.ZERO)
                .initialSnapshot(dev.tandem.sync.core.RoomSnapshot.fromJson(
                        "{\"documentClock\":10,\"tombstoneHistoryStartsAtClock\":8,\"documents\":["
                                + "{\"state\":{\"id\":\"page:1\",\"typeName\":\"page\"},\"lastChangedClock\":3}]}")));
        PullPage page = f.room.pull(new PullPage.Position(5, ""), 10).join();
        assertThat(page.resync()).isTrue();
        assertThat(page.changes()).extracting(PullPage.Change::recordId).containsExactly("page:1");
    }
}
