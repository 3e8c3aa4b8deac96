package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.Durability;
import dev.tandem.sync.core.RoomEvents;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.testing.ControlledStore;
import dev.tandem.sync.core.testing.ExhaustedSockets;
import dev.tandem.sync.core.testing.LogCapture;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A listener that throws is logged and changes nothing the room does: one test per guarded callback (or per
 * room path that fires a group of them), each proving the room goes on and the exception is logged.
 */
@ExtendWith(ExhaustedSockets.class)
class RoomGuardedEventsTest {
    private static final String SHAPE = "{\"id\":\"shape:1\",\"typeName\":\"shape\",\"x\":1}";
    private static final String PUT_SHAPE = "{\"shape:1\":[\"put\"," + SHAPE + "]}";
    private static final String COMMIT_0 =
            "{\"type\":\"data\",\"data\":[{\"type\":\"push_result\",\"clientClock\":0,\"serverClock\":1,"
                    + "\"action\":\"commit\"}]}";

    /** Throws from every event it receives, counting them. */
    private static final class Throwing implements RoomEvents {
        final AtomicInteger calls = new AtomicInteger();

        private void fail() {
            calls.incrementAndGet();
            throw new IllegalStateException("listener bug");
        }

        @Override
        public void sessionOpened(String roomId, String sessionId) {
            fail();
        }

        @Override
        public void sessionConnected(String roomId, String sessionId, boolean readOnly) {
            fail();
        }

        @Override
        public void sessionRejected(String roomId, String sessionId, CloseReason reason) {
            fail();
        }

        @Override
        public void sessionRemoved(String roomId, String sessionId, int sessionsRemaining) {
            fail();
        }

        @Override
        public void pushHandled(String roomId, String sessionId, String action) {
            fail();
        }

        @Override
        public void changesCommitted(String roomId, long documentClock, int recordsChanged) {
            fail();
        }

        @Override
        public void changesPersisted(String roomId, long documentClock, Duration latency) {
            fail();
        }

        @Override
        public void commitFailed(String roomId, Throwable error) {
            fail();
        }

        @Override
        public void roomLoaded(String roomId, long documentClock, int records, Duration loadTime) {
            fail();
        }

        @Override
        public void roomUnloaded(String roomId) {
            fail();
        }

        @Override
        public void slowConsumerDropped(String roomId, String sessionId) {
            fail();
        }

        @Override
        public void roomEmpty(String roomId) {
            fail();
        }
    }

    @RegisterExtension
    final LogCapture log = LogCapture.of(GuardedRoomEvents.class);

    private final Throwing listener = new Throwing();

    private RoomFixture room() {
        return new RoomFixture(RoomOptions.builder()
                .schema(RoomFixture.schema())
                .batchInterval(Duration.ZERO)
                .events(listener));
    }

    private RoomFixture storedRoom(ControlledStore store) {
        return new RoomFixture(RoomOptions.builder()
                .schema(RoomFixture.schema())
                .batchInterval(Duration.ZERO)
                .store(store)
                .durability(Durability.SYNC)
                .events(listener));
    }

    /** Opens a session and asserts that its handshake is accepted. */
    private static RoomFixture.Conn assertJoins(RoomFixture f) {
        RoomFixture.Conn a = f.open("a");
        assertThat(a.join(-1)).containsEntry("type", "connect");
        assertThat(a.socket.isOpen()).isTrue();
        return a;
    }

    /** Joins a session and has it push one shape, acknowledged. */
    private static RoomFixture.Conn authorOfOnePush(RoomFixture f) {
        RoomFixture.Conn a = f.joined("a");
        a.push(0, PUT_SHAPE);
        a.expect(COMMIT_0);
        return a;
    }

    /** Asserts that the guard logged the listener's exception from {@code event}, with the exception. */
    private void assertLogged(String event) {
        assertThat(log.lines()).as("log lines of the guard").anySatisfy(line -> {
            assertThat(line.getFormattedMessage()).contains("threw in " + event);
            assertThat(line.getThrowableProxy()).isNotNull();
            assertThat(line.getThrowableProxy().getMessage()).isEqualTo("listener bug");
        });
    }

    @Test
    void throwingRoomLoaded_roomStillLoadsAndAcceptsConnections() {
        ControlledStore store = new ControlledStore().autoComplete();
        RoomFixture f = storedRoom(store);

        assertJoins(f);

        assertLogged("roomLoaded");
    }

    @Test
    void throwingSessionOpenedAndConnected_sessionIsNotRejected() {
        RoomFixture f = room();

        assertJoins(f);

        assertThat(f.room.sessionCount()).isEqualTo(1);
        assertLogged("sessionOpened");
        assertLogged("sessionConnected");
    }

    @Test
    void throwingPushHandledAndChangesCommitted_pushIsStillAcknowledgedAndBroadcast() {
        RoomFixture f = room();
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");

        a.push(0, PUT_SHAPE);

        a.expect(COMMIT_0);
        assertThat(b.next()).containsEntry("type", "data");
        assertThat(a.socket.isOpen()).isTrue();
        assertThat(f.room.record("shape:1").join()).isNotNull();
        assertLogged("pushHandled");
        assertLogged("changesCommitted");
    }

    @Test
    void throwingChangesPersisted_durablePushIsStillAcknowledged() {
        ControlledStore store = new ControlledStore().autoComplete();
        RoomFixture f = storedRoom(store);

        authorOfOnePush(f);

        assertThat(store.applied()).hasSize(1);
        assertLogged("changesPersisted");
    }

    @Test
    void throwingCommitFailed_commitIsStillRetriedAndAcknowledged() {
        ControlledStore store = new ControlledStore();
        RoomFixture f = storedRoom(store);
        RoomFixture.Conn a = f.joined("a");
        a.push(0, PUT_SHAPE);

        store.failNext();
        f.advance(Duration.ofSeconds(1)); // the retry's backoff
        store.completeNext();

        a.expect(COMMIT_0);
        assertLogged("commitFailed");
    }

    @Test
    void throwingSessionRejected_sessionIsStillClosedWithItsReason_andOthersServed() {
        RoomFixture f = room();
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");

        a.push(0, "{\"shape:1\":[\"put\",{\"id\":\"shape:1\",\"typeName\":\"shape\",\"x\":\"left\"}]}");

        a.expectClosed("INVALID_RECORD");
        b.push(0, PUT_SHAPE);
        b.expect(COMMIT_0);
        assertLogged("sessionRejected");
    }

    @Test
    void throwingSessionRemovedAndRoomEmpty_removalIsStillBroadcast() {
        RoomFixture f = room();
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");
        a.pushPresence(0, "[\"put\",{\"id\":\"x\",\"typeName\":\"instance_presence\",\"cursor\":1}]");
        a.next();
        assertThat(b.next()).containsEntry("type", "data");

        f.room.closeSession("a", null).join();
        assertThat(b.next().toString()).contains("remove");
        f.room.closeSession("b", null).join();

        assertThat(f.room.sessionCount()).isZero();
        assertLogged("sessionRemoved");
        assertLogged("roomEmpty");
    }

    @Test
    void throwingSlowConsumerDropped_slowSessionIsStillDropped_andOthersServed() {
        RoomFixture f = room();
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn slow = f.joined("slow");
        slow.socket.capacity(0);

        a.push(0, PUT_SHAPE);

        a.expect(COMMIT_0);
        assertThat(slow.socket.isOpen()).isFalse();
        assertThat(f.room.sessionCount()).isEqualTo(1);
        assertLogged("slowConsumerDropped");
    }

    @Test
    void throwingRoomUnloaded_roomStillUnloads() {
        ControlledStore store = new ControlledStore().autoComplete();
        RoomFixture f = storedRoom(store);
        RoomFixture.Conn a = authorOfOnePush(f);

        a.handler.onClose();
        f.advance(Duration.ofMinutes(1)); // removal grace, then the unload delay

        assertThat(f.room.isClosed()).isTrue();
        assertLogged("roomUnloaded");
    }

    @Test
    void events_areGuardedOnce() {
        RoomEvents guarded = RoomOptions.builder().events(listener).build().events();
        assertThat(guarded).isNotSameAs(listener).isInstanceOf(GuardedRoomEvents.class);
        assertThat(GuardedRoomEvents.of(guarded)).isSameAs(guarded);
        assertThat(GuardedRoomEvents.of(RoomEvents.NONE)).isSameAs(RoomEvents.NONE);
    }
}
