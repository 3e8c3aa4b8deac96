package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;

import ch.qos.logback.classic.spi.ILoggingEvent;
import dev.tandem.sync.core.testing.ExhaustedSockets;
import dev.tandem.sync.core.testing.LogCapture;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;
import org.junit.jupiter.api.extension.RegisterExtension;

/** What a room logs about a client's bad input: once per push, with client strings escaped and bounded. */
@ExtendWith(ExhaustedSockets.class)
class RoomLogTest {
    @RegisterExtension
    final LogCapture log = LogCapture.of(SyncRoom.class);

    @Test
    void reject_ofARecordWithAForgedId_logsItEscaped() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        String id = "shape:x\\nERROR [main] Main - FORGED";
        log.lines().clear();

        a.push(0, "{\"" + id + "\":[\"put\",{\"id\":\"" + id + "\",\"typeName\":\"shape\",\"x\":\"left\"}]}");

        a.expectClosed("INVALID_RECORD");
        assertThat(log.lines()).isNotEmpty();
        assertThat(log.lines())
                .extracting(ILoggingEvent::getFormattedMessage)
                .allSatisfy(line -> assertThat(line).doesNotContain("\n"));
    }

    @Test
    void push_manyPutsChangingTypeName_logsOneEscapedBoundedLine() {
        RoomFixture f = new RoomFixture();
        RoomFixture.Conn a = f.joined("a");
        String forged = "shape:x\\n2026-12-04T00:00:00.000Z ERROR [main] Main - FORGED LOG LINE" + "y".repeat(5000);
        StringBuilder create = new StringBuilder("{");
        StringBuilder retype = new StringBuilder("{");
        for (int i = 0; i < 2000; i++) {
            String id = i == 0 ? forged : "shape:" + i;
            String sep = i == 0 ? "" : ",";
            create.append(sep)
                    .append('"')
                    .append(id)
                    .append("\":[\"put\",{\"id\":\"")
                    .append(id)
                    .append("\",\"typeName\":\"shape\",\"x\":1}]");
            retype.append(sep)
                    .append('"')
                    .append(id)
                    .append("\":[\"put\",{\"id\":\"")
                    .append(id)
                    .append("\",\"typeName\":\"page\"}]");
        }
        a.push(0, create.append('}').toString());
        a.next();
        log.lines().clear();

        a.push(1, retype.append('}').toString());
        a.next();

        List<String> messages =
                log.lines().stream().map(ILoggingEvent::getFormattedMessage).toList();
        assertThat(messages).hasSize(1);
        String line = messages.get(0);
        assertThat(line).doesNotContain("\n", "\r").contains("2000").contains("shape:x\\n2026-12-04");
        assertThat(line.length()).isLessThan(400);
    }
}
