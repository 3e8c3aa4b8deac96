package dev.tandem.sync.server.internal.events;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.CloseReason;
import java.time.Clock;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class JsonLinesRoomEventsTest {
    private final List<String> lines = new ArrayList<>();
    private final JsonLinesRoomEvents events =
            new JsonLinesRoomEvents(lines::add, Clock.fixed(Instant.parse("2025-01-02T03:04:05Z"), ZoneOffset.UTC));

    @Test
    void sessionEvents_areOneJsonLineEach_withNameRoomSessionAndReason() {
        events.sessionConnected("room-1", "s1", true);
        events.sessionRejected("room-1", "s2", CloseReason.RATE_LIMITED);
        events.sessionRemoved("room-1", "s1", 0);
        assertThat(lines)
                .containsExactly(
                        "{\"ts\":\"2025-01-02T03:04:05Z\",\"event\":\"session_joined\",\"room\":\"room-1\","
                                + "\"session\":\"s1\",\"readOnly\":true}",
                        "{\"ts\":\"2025-01-02T03:04:05Z\",\"event\":\"session_rejected\",\"room\":\"room-1\","
                                + "\"session\":\"s2\",\"reason\":\"RATE_LIMITED\"}",
                        "{\"ts\":\"2025-01-02T03:04:05Z\",\"event\":\"session_left\",\"room\":\"room-1\","
                                + "\"session\":\"s1\",\"sessionsRemaining\":0}");
    }

    @Test
    void roomEvents_carryTheirNumbers_andNoLineHasANewline() {
        events.changesCommitted("r\n2", 7, 3);
        events.commitFailed("r", new IllegalStateException("secret payload"));
        assertThat(lines.get(0))
                .isEqualTo("{\"ts\":\"2025-01-02T03:04:05Z\",\"event\":\"changes_committed\","
                        + "\"room\":\"r\\n2\",\"clock\":7,\"records\":3}");
        assertThat(lines.get(1))
                .contains("\"reason\":\"IllegalStateException\"")
                .doesNotContain("secret");
    }
}
