package dev.tandem.sync.server.internal.budget;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class ConnectionGateTest {

    @Test
    void tryOpen_pastTheAddressCap_isRefusedForThatAddressOnly() {
        ConnectionGate gate = new ConnectionGate(10, 2);

        assertThat(gate.tryOpen("a")).isNull();
        assertThat(gate.tryOpen("a")).isNull();
        assertThat(gate.tryOpen("a")).isEqualTo(ConnectionGate.Refusal.ADDRESS);
        assertThat(gate.tryOpen("b")).isNull();
        assertThat(gate.open()).isEqualTo(3);
        assertThat(gate.open("a")).isEqualTo(2);
    }

    @Test
    void tryOpen_pastTheTotalCap_isRefused_andCloseFreesASlot() {
        ConnectionGate gate = new ConnectionGate(2, 2);
        assertThat(gate.tryOpen("a")).isNull();
        assertThat(gate.tryOpen("b")).isNull();

        assertThat(gate.tryOpen("c")).isEqualTo(ConnectionGate.Refusal.TOTAL);
        gate.close("a");
        assertThat(gate.tryOpen("c")).isNull();
        assertThat(gate.open()).isEqualTo(2);
        assertThat(gate.open("a")).isZero();
    }

    @Test
    void close_lastConnectionOfAnAddress_forgetsTheAddress() {
        ConnectionGate gate = new ConnectionGate(5, 5);
        gate.tryOpen("a");
        gate.close("a");

        assertThat(gate.open()).isZero();
        assertThat(gate.open("a")).isZero();
    }
}
