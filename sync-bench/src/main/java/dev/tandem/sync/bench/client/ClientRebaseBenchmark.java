package dev.tandem.sync.bench.client;

import dev.tandem.sync.client.ClientTransport;
import dev.tandem.sync.client.SyncClient;
import dev.tandem.sync.client.SyncStatus;
import java.net.URI;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The Java client's cost of taking in other clients' changes: one incoming {@code data} frame decoded, the
 * speculative changes reverted, the server's patches applied, the unconfirmed local edits re-applied (the
 * rebase), and the store change computed. Reported per incoming patch; at 1,000 patches per second the CPU
 * share of one core is {@code 1000 × time per patch}.
 *
 * <p>Parameters: the store size, how many local edits are unconfirmed (the server never answers in this
 * benchmark, so they stay speculative and every rebase reverts and re-applies them), and how many patches
 * arrive per frame (a Tandem or tldraw server batches what one session receives per 1/60 s, so 1,000
 * patches per second from many peers arrive as about 60 frames of about 16 patches).
 *
 * <pre>
 * java -jar sync-bench/target/benchmarks.jar ClientRebaseBenchmark
 * </pre>
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Warmup(iterations = 3, time = 1)
@Measurement(iterations = 5, time = 1)
@Fork(1)
public class ClientRebaseBenchmark {
    private static final int FRAMES = 1024;

    @Param({"1000", "10000"})
    int records;

    @Param({"0", "20"})
    int unconfirmedLocalEdits;

    @Param({"1", "16"})
    int patchesPerFrame;

    private SyncClient client;
    private ClientTransport.Listener server;
    private final String[] frames = new String[FRAMES];
    private int next;

    @Setup(Level.Trial)
    public void setUp() {
        ClientTransport transport = (uri, listener) -> {
            server = listener;
            return new ClientTransport.Connection() {
                @Override
                public boolean sendText(String text) {
                    if (text.startsWith("{\"type\":\"connect\"")) {
                        String id = text.substring(
                                text.indexOf("\"connectRequestId\":\"") + 20,
                                text.indexOf('"', text.indexOf("\"connectRequestId\":\"") + 20));
                        listener.onText(connectReply(id));
                    }
                    return true;
                }

                @Override
                public void close() {}
            };
        };
        client = SyncClient.builder()
                .uri(URI.create("ws://bench/connect/room"))
                .schema(Map.of("schemaVersion", 2, "sequences", Map.of("com.bench.shape", 1)))
                .executor(Runnable::run)
                .transport(transport)
                .pushRate(1)
                .build();
        server.onOpen();
        if (!client.status().equals(SyncStatus.ONLINE)) {
            throw new IllegalStateException("client did not connect: " + client.status());
        }
        for (int i = 0; i < unconfirmedLocalEdits; i++) {
            String id = "shape:" + i;
            client.store().update(id, r -> {
                Map<String, Object> m = new java.util.LinkedHashMap<>(r);
                m.put("y", -1);
                return m;
            });
        }
        Random random = new Random(1);
        for (int f = 0; f < FRAMES; f++) {
            StringBuilder b = new StringBuilder("{\"type\":\"data\",\"data\":[");
            for (int p = 0; p < patchesPerFrame; p++) {
                if (p > 0) {
                    b.append(',');
                }
                b.append("{\"type\":\"patch\",\"diff\":{\"shape:")
                        .append(random.nextInt(records))
                        .append("\":[\"patch\",{\"x\":[\"put\",")
                        .append(random.nextInt(100_000))
                        .append("],\"props\":[\"patch\",{\"text\":[\"append\",\"!\",")
                        .append(0) // a mismatched offset is ignored, as tldraw's client does
                        .append("]}]}]},\"serverClock\":")
                        .append(f * patchesPerFrame + p + 1)
                        .append('}');
            }
            frames[f] = b.append("]}").toString();
        }
    }

    private String connectReply(String requestId) {
        StringBuilder diff = new StringBuilder("{");
        for (int i = 0; i < records; i++) {
            if (i > 0) {
                diff.append(',');
            }
            diff.append("\"shape:")
                    .append(i)
                    .append("\":[\"put\",{\"id\":\"shape:")
                    .append(i)
                    .append("\",\"typeName\":\"shape\",\"type\":\"geo\",\"x\":")
                    .append(i)
                    .append(",\"y\":")
                    .append(i)
                    .append(",\"index\":\"a")
                    .append(i)
                    .append("\",\"parentId\":\"page:page\",\"props\":{\"w\":100,\"h\":100,\"text\":\"shape ")
                    .append(i)
                    .append("\",\"color\":\"black\"},\"meta\":{}}]");
        }
        diff.append('}');
        return "{\"type\":\"connect\",\"connectRequestId\":\"" + requestId + "\",\"hydrationType\":\"wipe_all\","
                + "\"protocolVersion\":8,\"schema\":{\"schemaVersion\":2,\"sequences\":{}},\"diff\":" + diff
                + ",\"serverClock\":0,\"isReadonly\":false}";
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        client.close();
    }

    /** Takes in one frame; the result is divided by {@code patchesPerFrame} by hand in the report. */
    @Benchmark
    public void receiveFrame() {
        server.onText(frames[next++ & (FRAMES - 1)]);
    }
}
