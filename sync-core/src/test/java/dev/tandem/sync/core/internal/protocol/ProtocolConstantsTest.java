package dev.tandem.sync.core.internal.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.CloseReason;
import org.junit.jupiter.api.Test;

/** Protocol constants, rules PV1–PV2 of tldraw's sync-core spec (PV3 belongs to the client SDK). */
class ProtocolConstantsTest {

    @Test
    void protocolVersion_PV1_isEight() {
        assertThat(ProtocolCodec.PROTOCOL_VERSION).isEqualTo(8);
    }

    @Test
    void closeCode_PV2_is4099WithTldraw55ReasonStrings() {
        assertThat(CloseReason.CLOSE_CODE).isEqualTo(4099);
        assertThat(CloseReason.values())
                .extracting(CloseReason::wireName)
                .containsExactlyInAnyOrder(
                        "NOT_FOUND",
                        "FORBIDDEN",
                        "NOT_AUTHENTICATED",
                        "UNKNOWN_ERROR",
                        "CLIENT_TOO_OLD",
                        "SERVER_TOO_OLD",
                        "INVALID_RECORD",
                        "RATE_LIMITED",
                        "ROOM_FULL",
                        "MESSAGE_TOO_LARGE");
    }

    @Test
    void protocolException_PV2_closesWithUnknownError() {
        assertThat(new ProtocolException("x").reason()).isEqualTo(CloseReason.UNKNOWN_ERROR);
    }
}
