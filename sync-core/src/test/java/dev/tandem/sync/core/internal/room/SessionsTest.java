package dev.tandem.sync.core.internal.room;

import dev.tandem.sync.core.testing.ExhaustedSockets;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The count {@link Sessions} keeps of connected protocol-7 clients, which cannot take string appends: while any
 * is connected, every patch spells appends out as puts.
 */
@ExtendWith(ExhaustedSockets.class)
class SessionsTest {
    private static final String PAGE =
            "{\"page:1\":[\"put\",{\"id\":\"page:1\",\"typeName\":\"page\",\"name\":\"ab\"}]}";
    private static final String APPEND = "{\"page:1\":[\"patch\",{\"name\":[\"append\",\"c\",2]}]}";
    private static final String AS_PUT =
            "{\"type\":\"data\",\"data\":[{\"type\":\"patch\",\"diff\":{\"page:1\":[\"patch\",{\"name\":[\"put\","
                    + "\"abc\"]}]},\"serverClock\":2}]}";
    private static final String AS_APPEND =
            "{\"type\":\"data\",\"data\":[{\"type\":\"patch\",\"diff\":{\"page:1\":[\"patch\",{\"name\":[\"append\","
                    + "\"c\",2]}]},\"serverClock\":2}]}";

    /** A room where {@code writer} made page:1 and {@code watcher} saw it. */
    private static RoomFixture.Conn[] withPage(RoomFixture f) {
        RoomFixture.Conn writer = f.joined("writer");
        RoomFixture.Conn watcher = f.joined("watcher");
        writer.push(0, PAGE);
        writer.next();
        watcher.next();
        return new RoomFixture.Conn[] {writer, watcher};
    }

    private static RoomFixture.Conn joinedV7(RoomFixture f, String sessionId) {
        RoomFixture.Conn c = f.open(sessionId);
        c.connect(-1, 7, RoomFixture.SCHEMA);
        c.next();
        return c;
    }

    @Test
    void patch_withoutLegacyClients_keepsItsAppend() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn[] c = withPage(f);

        c[0].push(1, APPEND);

        c[0].next();
        c[1].expect(AS_APPEND);
    }

    @Test
    void patch_whileAProtocol7ClientIsConnected_spellsAppendsOutAsPuts() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn[] c = withPage(f);
        RoomFixture.Conn legacy = joinedV7(f, "legacy");

        c[0].push(1, APPEND);

        c[0].next();
        c[1].expect(AS_PUT);
        legacy.expect(AS_PUT);
    }

    @Test
    void patch_afterTheProtocol7ClientLeft_appendsAgain() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn[] c = withPage(f);
        RoomFixture.Conn legacy = joinedV7(f, "legacy");
        f.room.closeSession("legacy", null).join();
        legacy.expectNormalClose();

        c[0].push(1, APPEND);

        c[0].next();
        c[1].expect(AS_APPEND);
    }

    @Test
    void rejectedReconnectOfAModernSession_asProtocol7_leavesTheLegacyCountRight() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn[] c = withPage(f);
        RoomFixture.Conn legacy = joinedV7(f, "legacy");
        // the watcher, connected as protocol 8, connects again as protocol 7 with a schema newer than the room's
        c[1].connect(-1, 7, "{\"schemaVersion\":2,\"sequences\":{\"com.example.shape\":3,\"com.example.store\":1}}");
        c[1].expectClosed("SERVER_TOO_OLD");

        c[0].push(1, APPEND);

        c[0].next();
        legacy.expect(AS_PUT);
    }
}
