package dev.tandem.sync.redis.internal;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.Principal;
import dev.tandem.sync.core.PullPage;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.VersionInfo;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The JSON forms of relayed room calls survive the trip through text unchanged. */
class RoomCallsTest {

    private static Object trip(Object json) {
        return Json.parse(Json.stringify(json));
    }

    @Test
    void page_throughJson_isUnchanged() {
        PullPage page = new PullPage(
                List.of(
                        new PullPage.Change("note:a", "note", false, Map.of("id", "note:a", "n", 3L), 7),
                        new PullPage.Change("note:b", null, true, null, 8)),
                new PullPage.Position(8, "note:b", 2),
                true,
                false);

        PullPage back = RoomCalls.page(trip(RoomCalls.pageJson(page)));

        assertThat(back.position()).isEqualTo(page.position());
        assertThat(back.hasMore()).isTrue();
        assertThat(back.resync()).isFalse();
        assertThat(back.changes()).hasSize(2);
        assertThat(back.changes().get(0).recordId()).isEqualTo("note:a");
        assertThat(back.changes().get(0).record()).containsEntry("n", 3L);
        assertThat(back.changes().get(0).clock()).isEqualTo(7);
        assertThat(back.changes().get(1).deleted()).isTrue();
        assertThat(back.changes().get(1).record()).isNull();
    }

    @Test
    void version_throughJson_isUnchanged() {
        VersionInfo v = new VersionInfo("v1", 12, Instant.ofEpochMilli(1_700_000_000_123L));

        assertThat(RoomCalls.version(trip(RoomCalls.versionJson(v)))).isEqualTo(v);
    }

    @Test
    void session_throughJson_keepsItsPrincipal() {
        Room.SessionInfo s = new Room.SessionInfo(
                "s1", "connected", true, Map.of("k", "v"), new Principal("alice", Map.of("role", "admin")));

        Room.SessionInfo back = RoomCalls.session(trip(RoomCalls.sessionJson(s)));

        assertThat(back).isEqualTo(s);
        assertThat(RoomCalls.session(trip(RoomCalls.sessionJson(
                                new Room.SessionInfo("s2", "connected", false, Map.of(), Principal.ANONYMOUS))))
                        .principal())
                .isSameAs(Principal.ANONYMOUS);
    }

    @Test
    void isRetryable_onlyForAMovedRoom() {
        assertThat(RoomCalls.isRetryable(new java.util.concurrent.CompletionException(new RoomCalls.Moved())))
                .isTrue();
        assertThat(RoomCalls.isRetryable(new IllegalStateException("owner unreachable")))
                .isFalse();
    }
}
