package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.RoomEvents;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.testing.ExhaustedSockets;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** A listener that throws is logged and changes nothing the room does. */
@ExtendWith(ExhaustedSockets.class)
class RoomGuardedEventsTest {
    private static final String SHAPE = "{\"id\":\"shape:1\",\"typeName\":\"shape\",\"x\":1}";

    /** Throws from every event it receives, counting them. */
    private static final class Throwing implements RoomEvents {
        final AtomicInteger calls = new AtomicInteger();

        private void fail() {
            calls.incrementAndGet();
            throw new IllegalStateException("listener bug");
        }

        @Override
        public void roomLoaded(String roomId, long documentClock, int records, Duration loadTime) {
            fail();
        }

        @Override
        public void sessionConnected(String roomId, String sessionId, boolean readOnly) {
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
    }

    @Test
    void throwingListener_onLoadConnectAndPush_changesNothing() {
        Throwing listener = new Throwing();
        RoomFixture f = new RoomFixture(RoomOptions.builder()
                .schema(RoomFixture.schema())
                .batchInterval(Duration.ZERO)
                .events(listener));
        RoomFixture.Conn a = f.open("a");
        assertThat(a.join(-1)).containsEntry("type", "connect");
        RoomFixture.Conn b = f.joined("b");

        a.push(0, "{\"shape:1\":[\"put\"," + SHAPE + "]}");
        a.expect("{\"type\":\"data\",\"data\":[{\"type\":\"push_result\",\"clientClock\":0,\"serverClock\":1,"
                + "\"action\":\"commit\"}]}");
        assertThat(a.socket.isOpen()).isTrue();
        assertThat(b.next()).containsEntry("type", "data");
        assertThat(f.room.record("shape:1").join()).isNotNull();
        assertThat(listener.calls.get()).as("events the listener received").isGreaterThanOrEqualTo(4);
    }

    @Test
    void events_areGuardedOnce() {
        Throwing listener = new Throwing();
        RoomEvents guarded = RoomOptions.builder().events(listener).build().events();
        assertThat(guarded).isNotSameAs(listener).isInstanceOf(GuardedRoomEvents.class);
        assertThat(GuardedRoomEvents.of(guarded)).isSameAs(guarded);
        assertThat(GuardedRoomEvents.of(RoomEvents.NONE)).isSameAs(RoomEvents.NONE);
    }
}
