package dev.tandem.examples;

import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SessionSocket;
import dev.tandem.sync.core.SocketHandler;
import java.io.PrintStream;
import java.util.Map;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * sync-core embedded in a plain Java program, with its own transport: an in-memory pipe instead of a
 * WebSocket. Two "clients" speak the tldraw sync protocol's JSON frames over the pipe; one puts a record, the
 * other receives it as a patch. Any transport works the same way: implement {@link SessionSocket} (the room's
 * way out) and feed incoming frames to the {@link SocketHandler} that {@link Room#connect} returns (the way in).
 *
 * <pre>
 * ./mvnw -q -pl examples exec:java -Dexec.mainClass=dev.tandem.examples.EmbeddedCore
 * </pre>
 */
public final class EmbeddedCore {
    private static final String SCHEMA = "{\"schemaVersion\":2,\"sequences\":{\"com.example.note\":1}}";

    /** The server's side of that schema: one document type, {@code note}, whose {@code text} is a string. */
    static final RoomSchema NOTES = RoomSchema.builder()
            .sequence("com.example.note", 1)
            .documentType("note", note -> {
                if (!(note.get("text") instanceof String)) {
                    throw new IllegalArgumentException("text must be a string");
                }
            })
            .build();

    private EmbeddedCore() {}

    /** One end of the pipe: frames the room sends are queued here for the client to read. */
    static final class PipeSocket implements SessionSocket {
        final BlockingQueue<String> received = new LinkedBlockingQueue<>(1000);
        private volatile boolean open = true;

        @Override
        public boolean send(String text) {
            // never block the room: a full queue refuses the frame and the room drops the session
            return open && received.offer(text);
        }

        @Override
        public void close(int code, String reason) {
            open = false;
        }

        @Override
        public void close() {
            open = false;
        }

        @Override
        public boolean isOpen() {
            return open;
        }

        String next() throws InterruptedException {
            String frame = received.poll(5, TimeUnit.SECONDS);
            if (frame == null) {
                throw new IllegalStateException("no frame within 5 s");
            }
            return frame;
        }
    }

    /** A client on the pipe: its socket (server → client) and the room's handler (client → server). */
    record Client(PipeSocket socket, SocketHandler handler) {
        static Client join(Room room, String sessionId) throws InterruptedException {
            PipeSocket socket = new PipeSocket();
            SocketHandler handler = room.connect(socket, SessionOptions.of(sessionId));
            handler.onText("{\"type\":\"connect\",\"connectRequestId\":\"" + sessionId + "\","
                    + "\"lastServerClock\":-1,\"protocolVersion\":8,\"schema\":" + SCHEMA + "}");
            socket.next(); // the connect reply with the whole document
            return new Client(socket, handler);
        }
    }

    /** Runs the demo and returns the patch the second client received. */
    static String run(PrintStream out) throws InterruptedException {
        try (Room room =
                Room.create("embedded", RoomOptions.builder().schema(NOTES).build())) {
            Client alice = Client.join(room, "alice");
            Client bob = Client.join(room, "bob");
            out.println("alice and bob joined room " + room.id());

            alice.handler()
                    .onText("{\"type\":\"push\",\"clientClock\":1,\"diff\":{\"note:1\":[\"put\","
                            + "{\"id\":\"note:1\",\"typeName\":\"note\",\"text\":\"hello from alice\"}]}}");
            out.println("alice got:  " + alice.socket().next());
            String patch = bob.socket().next();
            out.println("bob got:    " + patch);

            Map<String, Object> note = room.record("note:1").join();
            out.println("the room holds " + note + " at clock " + room.documentClock());
            alice.handler().onClose();
            bob.handler().onClose();
            return patch;
        }
    }

    public static void main(String[] args) throws InterruptedException {
        run(System.out);
    }
}
