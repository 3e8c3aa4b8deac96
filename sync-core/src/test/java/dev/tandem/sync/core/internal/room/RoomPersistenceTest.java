package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.Durability;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomCommit;
import dev.tandem.sync.core.RoomManager;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.testing.ControlledStore;
import dev.tandem.sync.core.testing.ManualScheduler;
import dev.tandem.sync.core.testing.RecordingSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import org.junit.jupiter.api.Test;

/** Rooms over a store: durable acknowledgement, retries, coalescing, loading, unloading and versions. */
class RoomPersistenceTest {
    private final ControlledStore store = new ControlledStore();

    private RoomFixture fixture(Durability durability) {
        return new RoomFixture(RoomOptions.builder()
                .schema(RoomFixture.schema())
                .batchInterval(Duration.ZERO)
                .store(store)
                .durability(durability));
    }

    private static String put(String id) {
        return "{\"" + id + "\":[\"put\",{\"id\":\"" + id + "\",\"typeName\":\"page\"}]}";
    }

    @Test
    void syncDurability_pushResultAndBroadcastWaitForTheStore() {
        RoomFixture f = fixture(Durability.SYNC);
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");

        a.push(0, put("page:1"));

        a.expectNothing();
        b.expectNothing();
        assertThat(store.waitingCommits()).isEqualTo(1);
        // liveness does not wait for the store
        a.send("{\"type\":\"ping\"}");
        a.expect("{\"type\":\"pong\"}");

        store.completeNext();

        assertThat(a.next()).containsEntry("type", "data");
        assertThat(b.next().toString()).contains("page:1");
        assertThat(store.applied()).hasSize(1);
    }

    @Test
    void syncDurability_laterPushesCoalesceIntoOneCommitAndKeepOrder() {
        RoomFixture f = fixture(Durability.SYNC);
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");

        a.push(0, put("page:1"));
        a.push(1, put("page:2"));
        a.push(2, "{\"page:1\":[\"remove\"]}");
        assertThat(store.waitingCommits()).isEqualTo(1);

        store.completeNext();
        assertThat(a.socket.drain()).hasSize(1);
        assertThat(store.waitingCommits()).isEqualTo(1);
        RoomCommit coalesced = store.peekWaiting();
        assertThat(coalesced.documentClock()).isEqualTo(3);
        assertThat(coalesced.puts()).containsOnlyKeys("page:2");
        assertThat(coalesced.tombstones()).containsOnlyKeys("page:1");

        store.completeNext();
        assertThat(a.socket.drain()).hasSize(2);
        assertThat(b.socket.drain()).hasSize(3);
    }

    @Test
    void storeOutage_failedCommitIsRetriedWithBackoff_nothingLostNothingDoubled() {
        RoomFixture f = fixture(Durability.SYNC);
        RoomFixture.Conn a = f.joined("a");
        a.push(0, put("page:1"));
        store.failNext();
        a.push(1, put("page:2"));
        assertThat(store.waitingCommits()).isZero(); // waiting for the backoff
        a.expectNothing();

        f.advance(Duration.ofMillis(60));
        assertThat(store.waitingCommits()).isEqualTo(1);
        RoomCommit retried = store.peekWaiting();
        assertThat(retried.puts()).containsOnlyKeys("page:1", "page:2");
        store.failNext();
        f.advance(Duration.ofMillis(120));
        store.completeNext();

        assertThat(a.socket.drain()).hasSize(2);
        RoomSnapshot stored = store.load("room-1").join();
        assertThat(stored.documentClock()).isEqualTo(2);
        assertThat(stored.documents()).hasSize(2);
        assertThat(store.applied()).hasSize(1);
    }

    @Test
    void asyncDurability_acknowledgesAtOnceAndFlushesOnInterval() {
        RoomFixture f = fixture(Durability.ASYNC);
        store.autoComplete();
        RoomFixture.Conn a = f.joined("a");
        a.push(0, put("page:1"));
        a.push(1, put("page:2"));
        assertThat(a.socket.drain()).hasSize(2);
        assertThat(store.applied()).isEmpty();

        f.advance(Duration.ofSeconds(1));

        assertThat(store.applied()).hasSize(1);
        assertThat(store.applied().get(0).puts()).containsOnlyKeys("page:1", "page:2");
    }

    @Test
    void load_roomStartsFromTheStoredDocument_andReconnectIsIncremental() {
        store.autoComplete();
        RoomFixture first = fixture(Durability.SYNC);
        RoomFixture.Conn a = first.joined("a");
        a.push(0, put("page:1"));
        a.push(1, put("page:2"));
        first.room.close();

        RoomFixture second = fixture(Durability.SYNC);
        assertThat(second.room.documentClock()).isEqualTo(2);
        Map<String, Object> reply = second.open("a").join(2);
        assertThat(reply).containsEntry("hydrationType", "wipe_presence").containsEntry("serverClock", 2L);
    }

    @Test
    void load_failureIsRetried_andConnectionsWaitMeanwhile() {
        store.autoComplete();
        RoomStore seed = store;
        seed.commit(new RoomCommit(
                        "room-1",
                        5,
                        Map.of("page:1", new RoomSnapshot.Document(Map.of("id", "page:1", "typeName", "page"), 5)),
                        Map.of(),
                        0,
                        null))
                .join();
        store.failLoads(2);
        RoomFixture f = fixture(Durability.SYNC);
        RoomFixture.Conn a = f.open("a");
        a.connect(-1);
        a.expectNothing();

        f.advance(Duration.ofMillis(200));

        Map<String, Object> reply = a.next();
        assertThat(reply).containsEntry("serverClock", 5L);
    }

    @Test
    void unload_afterLastSessionLeaves_flushesAndManagerReloads() {
        store.autoComplete();
        ManualScheduler clock = new ManualScheduler();
        RoomOptions options = RoomOptions.builder()
                .schema(RoomFixture.schema())
                .scheduler(clock)
                .executor(Runnable::run)
                .store(store)
                .batchInterval(Duration.ZERO)
                .build();
        RoomManager manager = RoomManager.create(options);
        Room room = manager.room("r");
        RecordingSocket socket = new RecordingSocket();
        var handler = room.connect(socket, dev.tandem.sync.core.SessionOptions.of("s"));
        handler.onText("{\"type\":\"connect\",\"connectRequestId\":\"c\",\"lastServerClock\":-1,\"protocolVersion\":8,"
                + "\"schema\":" + RoomFixture.SCHEMA + "}");
        handler.onText("{\"type\":\"push\",\"clientClock\":0,\"diff\":" + put("page:1") + "}");
        handler.onClose();

        clock.advance(Duration.ofSeconds(5)); // removal grace
        assertThat(room.isClosed()).isFalse();
        clock.advance(Duration.ofSeconds(10)); // unload delay

        assertThat(room.isClosed()).isTrue();
        assertThat(manager.find("r")).isEmpty();
        Room again = manager.room("r");
        assertThat(again).isNotSameAs(room);
        assertThat(again.record("page:1").join()).isNotNull();
        assertThat(store.savedVersions()).hasSize(1);
        manager.close();
    }

    /** Joins room "r" of {@code manager} as session {@code id}, optionally pushes one page, and leaves. */
    private static Room visit(RoomManager manager, String id, boolean write) {
        Room room = manager.room("r");
        var handler = room.connect(new RecordingSocket(), dev.tandem.sync.core.SessionOptions.of(id));
        handler.onText("{\"type\":\"connect\",\"connectRequestId\":\"c\",\"lastServerClock\":-1,\"protocolVersion\":8,"
                + "\"schema\":" + RoomFixture.SCHEMA + "}");
        if (write) {
            handler.onText("{\"type\":\"push\",\"clientClock\":0,\"diff\":" + put("page:" + id) + "}");
        }
        handler.onClose();
        return room;
    }

    @Test
    void unload_ofARoomOnlyRead_savesNoVersion() {
        store.autoComplete();
        ManualScheduler clock = new ManualScheduler();
        RoomManager manager = RoomManager.create(RoomOptions.builder()
                .schema(RoomFixture.schema())
                .scheduler(clock)
                .executor(Runnable::run)
                .store(store)
                .batchInterval(Duration.ZERO)
                .build());
        Room written = visit(manager, "writer", true);
        clock.advance(Duration.ofSeconds(15)); // removal grace, then unload delay
        assertThat(written.isClosed()).isTrue();
        assertThat(store.savedVersions()).hasSize(1);

        Room read = visit(manager, "reader", false);
        clock.advance(Duration.ofSeconds(15));

        assertThat(read.isClosed()).isTrue();
        assertThat(store.savedVersions()).as("the reader's visit adds none").hasSize(1);
        Room empty = manager.room("never-written");
        empty.close();
        assertThat(store.savedVersions()).hasSize(1);
        manager.close();
    }

    @Test
    void manager_pastItsLoadedRooms_refusesANewRoomUntilOneUnloads() {
        store.autoComplete();
        ManualScheduler clock = new ManualScheduler();
        RoomOptions options = RoomOptions.builder()
                .schema(RoomFixture.schema())
                .scheduler(clock)
                .executor(Runnable::run)
                .store(store)
                .batchInterval(Duration.ZERO)
                .build();
        RoomManager manager = RoomManager.create(id -> options, 2);
        Room a = manager.room("a");
        manager.room("b");

        assertThat(manager.room("a")).as("a loaded room is still served").isSameAs(a);
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> manager.room("c"))
                .isInstanceOf(dev.tandem.sync.core.TooManyRoomsException.class)
                .hasMessage("the server holds its limit of 2 loaded rooms");
        assertThat(manager.rooms()).hasSize(2);
        a.connect(new RecordingSocket(), dev.tandem.sync.core.SessionOptions.of("s"))
                .onClose();
        clock.advance(Duration.ofSeconds(15));
        assertThat(manager.find("a")).isEmpty();
        assertThat(manager.room("c").id()).isEqualTo("c");
        org.assertj.core.api.Assertions.assertThatThrownBy(() -> RoomManager.create(id -> options, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxRooms must be > 0 but was 0");
        manager.close();
    }

    @Test
    void versions_savedAtMostEveryIntervalAndOnlyWhenClockMoved() {
        store.autoComplete();
        RoomFixture f = fixture(Durability.SYNC);
        RoomFixture.Conn a = f.joined("a");
        a.push(0, put("page:1"));
        f.advance(Duration.ofSeconds(3));
        a.push(1, put("page:2"));
        assertThat(store.savedVersions()).isEmpty();
        f.advance(Duration.ofSeconds(5));
        assertThat(store.savedVersions()).hasSize(1);
        f.advance(Duration.ofSeconds(30));
        assertThat(store.savedVersions()).hasSize(1);
        assertThat(store.listVersions("room-1").join().get(0).documentClock()).isEqualTo(2);
    }

    @Test
    void flush_completesWhenEverythingIsDurable() {
        RoomFixture f = fixture(Durability.ASYNC);
        RoomFixture.Conn a = f.joined("a");
        a.push(0, put("page:1"));
        CompletableFuture<Void> flushed = f.room.flush();
        assertThat(flushed).isNotDone();
        store.completeNext();
        assertThat(flushed).isDone();
    }

    @Test
    void initialSnapshot_ofANewRoom_isPersisted() {
        store.autoComplete();
        RoomSnapshot initial = RoomSnapshot.fromJson(
                "{\"documentClock\":0,\"documents\":[{\"state\":{\"id\":\"document:document\",\"typeName\":\"document\"},"
                        + "\"lastChangedClock\":0}]}");
        new RoomFixture(
                RoomOptions.builder().schema(RoomFixture.schema()).store(store).initialSnapshot(initial));
        assertThat(store.load("room-1").join().documents()).hasSize(1);
    }
}
