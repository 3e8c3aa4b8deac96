package dev.tandem.sync.server.internal.http;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RouteTest {

    @Test
    void match_onTheThreeRoutes_returnsRoomAndMode() {
        assertThat(Route.match("/connect/abc")).isEqualTo(new Route("abc", false));
        assertThat(Route.match("/r/abc")).isEqualTo(new Route("abc", false));
        assertThat(Route.match("/ro/abc")).isEqualTo(new Route("abc", true));
    }

    @Test
    void match_onOtherPaths_returnsNull() {
        assertThat(Route.match("/")).isNull();
        assertThat(Route.match("/connect")).isNull();
        assertThat(Route.match("/rooms/abc")).isNull();
        assertThat(Route.match("/roo/abc")).isNull();
    }

    @Test
    void roomIdProblem_onGoodIds_isNull() {
        assertThat(new Route("my-room_1.2~x:y", false).roomIdProblem()).isNull();
        assertThat(new Route("a".repeat(128), false).roomIdProblem()).isNull();
    }

    @Test
    void roomIdProblem_onBadIds_namesTheProblem() {
        assertThat(new Route("", false).roomIdProblem()).isEqualTo("roomId must not be empty");
        assertThat(new Route("a".repeat(129), false).roomIdProblem())
                .isEqualTo("roomId must be at most 128 characters but was 129");
        assertThat(new Route("a/b", false).roomIdProblem())
                .isEqualTo("roomId may contain only letters, digits and . _ ~ : -");
        assertThat(new Route("..", false).roomIdProblem())
                .isEqualTo("roomId may contain only letters, digits and . _ ~ : -");
        assertThat(new Route("é", false).roomIdProblem())
                .isEqualTo("roomId may contain only letters, digits and . _ ~ : -");
    }

    @Test
    void sessionIdProblem_onBadIds_namesTheProblem() {
        assertThat(Route.sessionIdProblem("tab-1")).isNull();
        assertThat(Route.sessionIdProblem("a b")).isEqualTo("sessionId may contain only letters, digits and . _ ~ : -");
    }
}
