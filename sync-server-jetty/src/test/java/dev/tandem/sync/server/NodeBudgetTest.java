package dev.tandem.sync.server;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import org.junit.jupiter.api.Test;

class NodeBudgetTest {

    @Test
    void defaults_areTheDocumentedOnes() {
        NodeBudget d = NodeBudget.defaults();

        assertThat(d.maxConnections()).isEqualTo(4096);
        assertThat(d.maxConnectionsPerAddress()).isEqualTo(256);
        assertThat(d.maxLoadedRooms()).isEqualTo(2000);
        assertThat(d.maxConcurrentRequests()).isEqualTo(64);
        assertThat(d.httpRequestsPerSecond()).isEqualTo(50);
        assertThat(d.httpRequestBurst()).isEqualTo(200);
        assertThat(d.maxUploadStoreBytes()).isEqualTo(10L << 30);
        assertThat(d.maxUploadBytesPerClient()).isEqualTo(1L << 30);
        assertThat(d.permessageDeflate()).isFalse();
        long share = NodeBudget.memoryShare(Runtime.getRuntime().maxMemory());
        assertThat(d.maxChunkBytes()).isEqualTo(share);
        assertThat(d.maxQueuedBytes()).isEqualTo(share);
        assertThat(d.maxRequestBodyBytes()).isEqualTo(share);
    }

    @Test
    void memoryShare_isAnEighthOfTheHeap_atLeast16MiB() {
        assertThat(NodeBudget.memoryShare(256L << 20)).isEqualTo(32L << 20);
        assertThat(NodeBudget.memoryShare(64L << 20)).isEqualTo(16L << 20);
        assertThat(NodeBudget.memoryShare(4L << 30)).isEqualTo(512L << 20);
    }

    @Test
    void builder_badValues_nameThem() {
        assertThatThrownBy(() -> NodeBudget.builder().maxConnections(0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxConnections must be > 0 but was 0");
        assertThatThrownBy(() -> NodeBudget.builder().maxQueuedBytes(-1))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxQueuedBytes must be > 0 but was -1");
        assertThatThrownBy(() -> NodeBudget.builder().httpRequestRate(5, 0))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("httpRequestBurst must be > 0 but was 0");
        assertThatThrownBy(() -> NodeBudget.builder()
                        .maxConnections(10)
                        .maxConnectionsPerAddress(11)
                        .build())
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("maxConnectionsPerAddress must be <= maxConnections (10) but was 11");
    }

    @Test
    void toBuilder_keepsEveryValue() {
        NodeBudget b = NodeBudget.builder()
                .maxConnections(7)
                .maxConnectionsPerAddress(3)
                .maxLoadedRooms(5)
                .maxConcurrentRequests(4)
                .maxRequestBodyBytes(11)
                .maxChunkBytes(12)
                .maxQueuedBytes(13)
                .httpRequestRate(2, 9)
                .maxUploadStoreBytes(14)
                .maxUploadBytesPerClient(15)
                .permessageDeflate(true)
                .build();

        assertThat(b.toBuilder().build()).isEqualTo(b);
    }
}
