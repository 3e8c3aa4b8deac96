package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.CloseReason;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.testing.ExhaustedSockets;
import dev.tandem.sync.core.testing.Gen;
import dev.tandem.sync.core.testing.JsonGen;
import dev.tandem.sync.core.testing.Property;
import dev.tandem.sync.core.testing.Rand;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Random, garbled and hostile frames never escape the room: the sending session is closed with a 4099
 * reason from the protocol (or keeps working when its input happened to be valid), nothing throws into the
 * transport, and the other sessions in the room keep working and lose nothing.
 */
@ExtendWith(ExhaustedSockets.class)
class RoomBadInputPropertyTest {
    private static final List<String> VALID = List.of(
            "{\"type\":\"ping\"}",
            "{\"type\":\"push\",\"clientClock\":0,\"diff\":{\"page:1\":[\"put\",{\"id\":\"page:1\",\"typeName\":\"page\"}]}}",
            "{\"type\":\"push\",\"clientClock\":1,\"diff\":{\"page:1\":[\"patch\",{\"name\":[\"append\",\"x\",0]}]}}",
            "{\"type\":\"push\",\"clientClock\":2,\"presence\":[\"put\",{\"id\":\"i\",\"typeName\":\"instance_presence\"}]}",
            "{\"type\":\"connect\",\"connectRequestId\":\"c\",\"lastServerClock\":0,\"protocolVersion\":8,\"schema\":"
                    + RoomFixture.SCHEMA + "}");
    private static final String[] FRAGMENTS = {
        "{",
        "}",
        "[",
        "]",
        "\"",
        ":",
        ",",
        "null",
        "true",
        "-1",
        "1e999",
        "\"type\"",
        "\"push\"",
        "\"connect\"",
        "\"diff\"",
        "\"put\"",
        "\"patch\"",
        "\"append\"",
        "\"remove\"",
        "\\u0000",
        "\uD800",
        "0_",
        "1_",
        "5_",
        "_",
        "{\"type\":",
        "9999999999999999999999",
        "\"clientClock\":",
        "[\"put\"]",
        "\"id\":",
        "\"typeName\":\"shape\""
    };

    private static final Gen<List<String>> FRAMES = new Gen<>() {
        @Override
        public List<String> next(Rand rand) {
            int n = 1 + rand.nextInt(6);
            List<String> frames = new ArrayList<>();
            for (int i = 0; i < n; i++) {
                frames.add(frame(rand));
            }
            return frames;
        }

        @Override
        public Stream<List<String>> shrink(List<String> frames) {
            return IntStream.range(0, frames.size())
                    .filter(i -> frames.size() > 1)
                    .mapToObj(i -> {
                        List<String> fewer = new ArrayList<>(frames);
                        fewer.remove(i);
                        return fewer;
                    });
        }
    };

    private static String frame(Rand rand) {
        int kind = rand.nextInt(6);
        String valid = rand.pick(VALID);
        return switch (kind) {
            case 0 -> valid.substring(0, rand.nextInt(valid.length())); // truncated
            case 1 -> { // one character replaced
                char[] c = valid.toCharArray();
                c[rand.nextInt(c.length)] = (char) rand.nextInt(0x7f);
                yield new String(c);
            }
            case 2 ->
                IntStream.range(0, 1 + rand.nextInt(8))
                        .mapToObj(i -> FRAGMENTS[rand.nextInt(FRAGMENTS.length)])
                        .collect(Collectors.joining());
            case 3 -> valid.replace("\"put\"", "\"" + JsonGen.string(rand) + "\"");
            case 4 -> rand.nextInt(3) + "_" + valid.substring(rand.nextInt(valid.length()));
            default ->
                "{\"type\":\"push\",\"clientClock\":0,\"diff\":{\"a\":"
                        + dev.tandem.sync.core.Json.stringify(JsonGen.value(rand, 3)) + "}}";
        };
    }

    @Test
    void randomFrames_neverEscapeTheRoom() {
        Property.check("bad input stays in its session", 3000, FRAMES, frames -> {
            RoomFixture f = new RoomFixture(
                    RoomOptions.builder().schema(RoomSchema.pinned()).batchInterval(Duration.ZERO));
            RoomFixture.Conn good = f.joined("good");
            RoomFixture.Conn watcher = f.joined("watcher");
            RoomFixture.Conn bad = f.open("bad");
            bad.join(-1);
            good.push(0, "{\"shape:keep\":[\"put\",{\"id\":\"shape:keep\",\"typeName\":\"shape\",\"x\":1}]}");
            good.next();
            watcher.next();

            for (String frame : frames) {
                bad.send(frame); // must not throw
            }
            if (!bad.socket.isOpen() && bad.socket.closeCode() == 4099) {
                assertThat(Arrays.stream(CloseReason.values()).map(CloseReason::wireName))
                        .contains(bad.socket.closeReason());
            }

            // the others keep working and lost nothing
            bad.socket.drain();
            watcher.socket.drain();
            good.push(1, "{\"shape:keep\":[\"patch\",{\"x\":[\"put\",2]}]}");
            assertThat(good.next()).containsEntry("type", "data");
            assertThat(f.room.record("shape:keep").join()).containsEntry("x", 2L);
            Map<String, Object> seen = watcher.next();
            assertThat(seen.toString()).contains("shape:keep");
            assertThat(good.socket.isOpen()).isTrue();
            assertThat(watcher.socket.isOpen()).isTrue();
            // the bad session's presence may come and go around these frames: the property is checked above
            good.discardRemaining();
            watcher.discardRemaining();
            bad.discardRemaining();
        });
    }

    @Test
    void malformedJson_closesWithUnknownError_othersUntouched() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");
        a.send("{not json");
        a.expectClosed("UNKNOWN_ERROR");
        b.expectNothing();
        b.send("{\"type\":\"ping\"}");
        b.expect("{\"type\":\"pong\"}");
    }

    @Test
    void chunksOutOfOrder_closeWithUnknownError() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.send("2_{\"type\":");
        a.send("0_\"ping\"}");
        a.expectClosed("UNKNOWN_ERROR");
    }

    @Test
    void chunkedMessage_isReassembled() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.send("2_{\"type\":");
        a.send("1_\"pi");
        a.send("0_ng\"}");
        a.expect("{\"type\":\"pong\"}");
    }

    @Test
    void messageOverTheSizeLimit_closesWithMessageTooLarge() {
        RoomFixture f = new RoomFixture(RoomOptions.builder()
                .schema(RoomFixture.schema())
                .batchInterval(Duration.ZERO)
                .maxMessageChars(300));
        RoomFixture.Conn a = f.joined("a");
        a.send(
                "{\"type\":\"push\",\"clientClock\":0,\"diff\":{\"page:1\":[\"put\",{\"id\":\"page:1\",\"typeName\":\"page\","
                        + "\"name\":\"" + "x".repeat(400) + "\"}]}}");
        a.expectClosed("MESSAGE_TOO_LARGE");
        assertThat(f.room.documentClock()).isZero();
    }

    @Test
    void chunkedMessageOverTheSizeLimit_closesWithMessageTooLarge_asSoonAsItIsOver() {
        RoomFixture f = new RoomFixture(RoomOptions.builder()
                .schema(RoomFixture.schema())
                .batchInterval(Duration.ZERO)
                .maxMessageChars(300));
        RoomFixture.Conn a = f.joined("a");
        RoomFixture.Conn b = f.joined("b");
        a.send("9_" + "x".repeat(200));
        assertThat(a.socket.isOpen()).isTrue();
        a.send("8_" + "x".repeat(101));
        a.expectClosed("MESSAGE_TOO_LARGE");
        b.send("{\"type\":\"ping\"}");
        b.expect("{\"type\":\"pong\"}");
    }

    @Test
    void firstChunkAnnouncingOver100000Chunks_closesWithMessageTooLarge() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        a.send("99999_{");
        assertThat(a.socket.isOpen()).isTrue();

        RoomFixture.Conn b = f.joined("b");
        b.send("100000_{");
        b.expectClosed("MESSAGE_TOO_LARGE");
    }
}
