package dev.tandem.sync.server.internal.budget;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class UploadQuotaTest {

    @Test
    void take_pastTheClientShare_isRefusedForThatClient() {
        UploadQuota quota = new UploadQuota(1000, 100, 10);

        assertThat(quota.take("alice", 60, true)).isNull();
        assertThat(quota.take("alice", 41, true)).isEqualTo(UploadQuota.Refusal.CLIENT);
        assertThat(quota.take("bob", 41, true)).isNull();
        assertThat(quota.total()).isEqualTo(101);
        assertThat(quota.remaining("alice")).isEqualTo(40);
    }

    @Test
    void take_pastTheTotal_isRefused_butAnObjectAlreadyStoredTakesNothingFromIt() {
        UploadQuota quota = new UploadQuota(100, 1000, 10);
        quota.addStored(90);

        assertThat(quota.take("alice", 20, true)).isEqualTo(UploadQuota.Refusal.TOTAL);
        assertThat(quota.take("alice", 20, false)).isNull();
        assertThat(quota.total()).isEqualTo(90);
        assertThat(quota.remaining("alice")).isEqualTo(10);
    }

    @Test
    void take_pastTheTrackedClients_newClientsShareOneCount() {
        UploadQuota quota = new UploadQuota(10_000, 100, 1);
        assertThat(quota.take("alice", 10, true)).isNull();

        assertThat(quota.take("bob", 60, true)).isNull();
        assertThat(quota.take("carol", 60, true)).isEqualTo(UploadQuota.Refusal.CLIENT);
    }
}
