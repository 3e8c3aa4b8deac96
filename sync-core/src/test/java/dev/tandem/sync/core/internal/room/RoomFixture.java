package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SocketHandler;
import dev.tandem.sync.core.testing.ManualScheduler;
import dev.tandem.sync.core.testing.RecordingSocket;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.atomic.AtomicInteger;

/** A room on a manual clock and a direct executor, with raw-frame helpers for protocol tests. */
final class RoomFixture {
    static final String SCHEMA =
            "{\"schemaVersion\":2,\"sequences\":{\"com.example.shape\":2,\"com.example.store\":1}}";

    final ManualScheduler clock = new ManualScheduler();
    final Room room;

    RoomFixture(RoomOptions.Builder options) {
        AtomicInteger ids = new AtomicInteger();
        room = Room.create(
                "room-1",
                options.scheduler(clock)
                        .executor(Runnable::run)
                        .idGenerator(() -> "p" + ids.incrementAndGet())
                        .build());
    }

    RoomFixture() {
        this(RoomOptions.builder().schema(schema()).batchInterval(Duration.ZERO));
    }

    static RoomSchema schema() {
        return RoomSchema.builder()
                .sequence("com.example.shape", 2)
                .sequence("com.example.store", 1)
                .documentType("document")
                .documentType("page")
                .documentType("shape", r -> {
                    if (!(r.get("x") instanceof Number)) {
                        throw new IllegalArgumentException("x must be a number");
                    }
                })
                .presenceType("instance_presence")
                .build();
    }

    /** A connection made directly on the room. */
    final class Conn {
        final RecordingSocket socket = new RecordingSocket();
        final SocketHandler handler;

        Conn(String sessionId, boolean readOnly) {
            this(new SessionOptions(sessionId, readOnly, Map.of()));
        }

        Conn(SessionOptions options) {
            handler = room.connect(socket, options);
        }

        void send(String json) {
            handler.onText(json);
        }

        void connect(long lastServerClock) {
            connect(lastServerClock, 8, SCHEMA);
        }

        void connect(long lastServerClock, int protocolVersion, String schema) {
            send("{\"type\":\"connect\",\"connectRequestId\":\"cr\",\"lastServerClock\":" + lastServerClock
                    + ",\"protocolVersion\":" + protocolVersion + ",\"schema\":" + schema + "}");
        }

        /** Connects and takes the connect reply. */
        Map<String, Object> join(long lastServerClock) {
            connect(lastServerClock);
            return next();
        }

        void push(long clientClock, String diff) {
            send("{\"type\":\"push\",\"clientClock\":" + clientClock + ",\"diff\":" + diff + "}");
        }

        void pushPresence(long clientClock, String presenceOp) {
            send("{\"type\":\"push\",\"clientClock\":" + clientClock + ",\"presence\":" + presenceOp + "}");
        }

        /** Takes the next frame, parsed. */
        @SuppressWarnings("unchecked")
        Map<String, Object> next() {
            return (Map<String, Object>) Json.parse(socket.take());
        }

        /** Takes the next frame and asserts it equals the expected JSON (as values, in any key order). */
        void expect(String json) {
            assertThat(next()).isEqualTo(Json.parse(json));
        }

        void expectNothing() {
            socket.assertNoFrames();
        }

        /** Drops the frames not yet taken: the test says it does not examine them. */
        void discardRemaining() {
            socket.discardRemaining();
        }

        void expectClosed(String reason) {
            assertThat(socket.isOpen()).as("socket open").isFalse();
            assertThat(socket.closeCode()).isEqualTo(4099);
            assertThat(socket.closeReason()).isEqualTo(reason);
        }

        void expectNormalClose() {
            assertThat(socket.isOpen()).as("socket open").isFalse();
            assertThat(socket.closeCode()).isEqualTo(1000);
        }
    }

    Conn open(String sessionId) {
        return new Conn(sessionId, false);
    }

    /** Opens a connection acting for the given principal. */
    Conn open(String sessionId, Principal principal) {
        return new Conn(SessionOptions.of(sessionId).withPrincipal(principal));
    }

    Conn openReadOnly(String sessionId) {
        return new Conn(sessionId, true);
    }

    /** Opens a connection and completes its handshake at clock -1. */
    Conn joined(String sessionId) {
        Conn c = open(sessionId);
        c.join(-1);
        return c;
    }

    void advance(Duration d) {
        clock.advance(d);
    }
}
