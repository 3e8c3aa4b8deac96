package dev.tandem.sync.bench.codec;

import static dev.tandem.sync.bench.records.TldrawRecords.obj;

import dev.tandem.sync.bench.records.TldrawRecords;
import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.NetworkDiff;
import dev.tandem.sync.core.RecordOp;
import dev.tandem.sync.core.internal.protocol.ClientMessage;
import dev.tandem.sync.core.internal.protocol.ProtocolCodec;
import dev.tandem.sync.core.internal.protocol.ServerMessage;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The protocol codec on the two hot paths of a server: {@link ProtocolCodec#decodeClient(String)} of every
 * frame a client pushes, and {@link ProtocolCodec#encode(ServerMessage)} of the {@code data} frame a room
 * broadcasts.
 *
 * <ul>
 *   <li>{@code decodePushSmall}: the push a client sends while dragging a shape and typing into its label
 *       (shape patch plus presence patch, about 330 characters), as in {@code PushFanOutBenchmark}.
 *   <li>{@code decodePushLarge}: a push of about 200 KB that puts several hundred tldraw geo shapes with
 *       rich-text labels, like a paste of a large selection.
 *   <li>{@code encodeDataPatch}: a {@code data} frame holding the patch peers receive for the small push
 *       (the shape patch and the author's presence patch).
 * </ul>
 *
 * <p>State is per benchmark thread ({@code Scope.Thread}); run with one thread, as configured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public class ProtocolCodecBenchmark {
    private static final int LARGE_FRAME_CHARS = 200 * 1024;

    private String smallPush;
    private String largePush;
    private ServerMessage.Data dataPatch;

    @Setup(Level.Trial)
    public void setUp() {
        TldrawRecords records = new TldrawRecords(11);
        String shapeId = records.id("shape");
        smallPush = TldrawRecords.dragAndTypePush(
                shapeId, 42, 512.3828125, 301.5, List.of("append", "e", 27), 1_732_300_000_016L);

        LinkedHashMap<String, Object> puts = new LinkedHashMap<>();
        int shapes = 0;
        int chars = 0;
        while (chars < LARGE_FRAME_CHARS) {
            Map<String, Object> shape = records.geoShape(records.id("shape"), records.words(4));
            puts.put((String) shape.get("id"), List.of("put", shape));
            chars += Json.stringify(shape).length() + 40;
            shapes++;
        }
        largePush = Json.stringify(obj("type", "push", "clientClock", 7, "diff", puts));

        ClientMessage.Push push = (ClientMessage.Push) ProtocolCodec.decodeClient(smallPush);
        LinkedHashMap<String, RecordOp> broadcast =
                new LinkedHashMap<>(push.diff().ops());
        broadcast.put("instance_presence:presence3", push.presence());
        dataPatch = new ServerMessage.Data(List.of(new ServerMessage.Patch(new NetworkDiff(broadcast), 1234)));

        System.out.printf(
                "%nsmall push %d chars; large push %d chars (%d shapes); data frame %d chars%n",
                smallPush.length(),
                largePush.length(),
                shapes,
                ProtocolCodec.encode(dataPatch).length());
    }

    @Benchmark
    public ClientMessage decodePushSmall() {
        return ProtocolCodec.decodeClient(smallPush);
    }

    @Benchmark
    public ClientMessage decodePushLarge() {
        return ProtocolCodec.decodeClient(largePush);
    }

    @Benchmark
    public String encodeDataPatch() {
        return ProtocolCodec.encode(dataPatch);
    }
}
