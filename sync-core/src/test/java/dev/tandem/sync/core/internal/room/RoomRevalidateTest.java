package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.Access;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SocketHandler;
import dev.tandem.sync.core.testing.ExhaustedSockets;
import dev.tandem.sync.core.testing.RecordingSocket;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Live revocation: a policy change closes or downgrades open sessions at once. */
@ExtendWith(ExhaustedSockets.class)
class RoomRevalidateTest {

    private record Joined(RecordingSocket socket, SocketHandler handler) {}

    private static Joined join(RoomFixture f, String sessionId, String principal) {
        RecordingSocket socket = new RecordingSocket();
        var handler = f.room.connect(
                socket, new SessionOptions(sessionId, false, Map.of(), new Principal(principal, Map.of())));
        handler.onText("{\"type\":\"connect\",\"connectRequestId\":\"c\",\"lastServerClock\":-1,"
                + "\"protocolVersion\":8,\"schema\":" + RoomFixture.SCHEMA + "}");
        socket.take();
        return new Joined(socket, handler);
    }

    @Test
    void revalidate_forbiddenClosed_downgradedBecomesReadOnly_othersUntouched() {
        RoomFixture f = new RoomFixture();
        Joined owner = join(f, "s1", "owner");
        Joined alice = join(f, "s2", "alice");
        Joined bob = join(f, "s3", "bob");

        f.room.revalidate(info -> switch (info.principal().id()) {
                    case "owner" -> Access.READ_WRITE;
                    case "alice" -> Access.READ_ONLY;
                    default -> Access.FORBIDDEN;
                })
                .join();

        assertThat(bob.socket().isOpen()).isFalse();
        assertThat(bob.socket().closeCode()).isEqualTo(4099);
        assertThat(bob.socket().closeReason()).isEqualTo("FORBIDDEN");
        assertThat(f.room.sessions().join())
                .extracting(Room.SessionInfo::sessionId, Room.SessionInfo::readOnly)
                .containsExactlyInAnyOrder(
                        org.assertj.core.groups.Tuple.tuple("s1", false),
                        org.assertj.core.groups.Tuple.tuple("s2", true));

        alice.handler()
                .onText("{\"type\":\"push\",\"clientClock\":0,\"diff\":{\"page:1\":[\"put\","
                        + "{\"id\":\"page:1\",\"typeName\":\"page\"}]}}");
        assertThat(alice.socket().take()).contains("discard");
        owner.handler()
                .onText("{\"type\":\"push\",\"clientClock\":0,\"diff\":{\"page:2\":[\"put\","
                        + "{\"id\":\"page:2\",\"typeName\":\"page\"}]}}");
        assertThat(owner.socket().take()).contains("commit");
        assertThat(alice.socket().take()).contains("page:2");
    }
}
