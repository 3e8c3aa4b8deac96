package dev.tandem.sync.bench.schema;

import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.RecordValidator;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.TldrawSchema;
import java.util.Map;
import java.util.Objects;
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
 * Nanoseconds to validate one record with {@link TldrawSchema#defaults()}, as the room does for every record a
 * push puts or patches: a geo shape with a text label (the typical shape), a 3-segment draw shape and a
 * presence record. The records are valid, so this is the success path the push pays.
 *
 * <p>State is per benchmark thread ({@code Scope.Thread}); run with one thread, as configured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public class ValidationBenchmark {
    static final String GEO = "{\"x\":100,\"y\":100,\"rotation\":0,\"isLocked\":false,\"opacity\":1,\"meta\":{},"
            + "\"id\":\"shape:geo1\",\"type\":\"geo\",\"props\":{\"w\":160,\"h\":100,\"geo\":\"rectangle\","
            + "\"dash\":\"draw\",\"growY\":0,\"url\":\"https://tldraw.com\",\"scale\":1,\"flipX\":false,"
            + "\"flipY\":false,\"color\":\"black\",\"labelColor\":\"black\",\"fill\":\"none\",\"size\":\"m\","
            + "\"font\":\"draw\",\"align\":\"middle\",\"verticalAlign\":\"middle\",\"richText\":{\"type\":\"doc\","
            + "\"content\":[{\"type\":\"paragraph\",\"content\":[{\"type\":\"text\",\"text\":\"Hello geo\"}]}]}},"
            + "\"parentId\":\"page:page\",\"index\":\"a1\",\"typeName\":\"shape\"}";
    static final String DRAW = "{\"x\":468.1,\"y\":964.05,\"rotation\":0,\"isLocked\":false,\"opacity\":1,"
            + "\"meta\":{},\"id\":\"shape:draw1\",\"type\":\"draw\",\"props\":{\"segments\":["
            + "{\"type\":\"free\",\"path\":\"AAAAAAAAAADbUAAA21AAANtQAADcUAAA\",\"dim\":2},"
            + "{\"type\":\"straight\",\"path\":\"AAAAAAAAAADbUAAA\"},"
            + "{\"type\":\"free\",\"path\":\"AAAAAAAAAADbUAAA21AAANtQAADcUAAA\",\"dim\":3}],"
            + "\"color\":\"black\",\"fill\":\"none\",\"dash\":\"draw\",\"size\":\"m\",\"isComplete\":true,"
            + "\"isClosed\":false,\"isPen\":false,\"scale\":1,\"scaleX\":1,\"scaleY\":1},\"parentId\":\"page:page\","
            + "\"index\":\"aI8SE\",\"typeName\":\"shape\"}";
    static final String PRESENCE = "{\"lastActivityTimestamp\":1733300000000,\"followingUserId\":null,"
            + "\"color\":\"#1a73e8\",\"camera\":{\"x\":184.59,\"y\":-0.54,\"z\":0.64},\"cursor\":{\"x\":10,"
            + "\"y\":20,\"rotation\":0,\"type\":\"default\"},\"screenBounds\":{\"x\":0,\"y\":0,\"w\":1280,"
            + "\"h\":720},\"selectedShapeIds\":[\"shape:geo1\"],\"brush\":null,\"scribbles\":[],\"chatMessage\":\"\","
            + "\"meta\":{},\"id\":\"instance_presence:p1\",\"userId\":\"user:u1\",\"userName\":\"Ada\","
            + "\"currentPageId\":\"page:page\",\"typeName\":\"instance_presence\"}";

    private RecordValidator shapes;
    private RecordValidator presence;
    private Map<String, Object> geo;
    private Map<String, Object> draw;
    private Map<String, Object> presenceRecord;

    @Setup(Level.Trial)
    @SuppressWarnings("unchecked")
    public void setUp() {
        RoomSchema schema = TldrawSchema.defaults();
        shapes = Objects.requireNonNull(schema.documentTypes().get("shape"));
        presence = Objects.requireNonNull(schema.presenceValidator());
        geo = (Map<String, Object>) Json.parse(GEO);
        draw = (Map<String, Object>) Json.parse(DRAW);
        presenceRecord = (Map<String, Object>) Json.parse(PRESENCE);
        // the benchmark measures the success path: every record must be valid
        shapes.validate(geo);
        shapes.validate(draw);
        presence.validate(presenceRecord);
    }

    @Benchmark
    public Map<String, Object> geoShape() {
        shapes.validate(geo);
        return geo;
    }

    @Benchmark
    public Map<String, Object> drawShape() {
        shapes.validate(draw);
        return draw;
    }

    @Benchmark
    public Map<String, Object> presence() {
        presence.validate(presenceRecord);
        return presenceRecord;
    }
}
