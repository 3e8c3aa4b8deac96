package dev.tandem.sync.bench.codec;

import dev.tandem.sync.bench.records.TldrawRecords;
import dev.tandem.sync.core.Json;
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
 * {@link Json#parse(String)} and {@link Json#stringify(Object)} of one large record: a tldraw freehand draw
 * shape with a 500-point stroke (about 15 KB of JSON, mostly small objects of fractional numbers), the
 * kind of record that dominates a drawing-heavy document. Parsing builds the frozen form the room stores;
 * stringifying writes {@code JSON.stringify}'s exact number format.
 *
 * <p>State is per benchmark thread ({@code Scope.Thread}); run with one thread, as configured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public class JsonBenchmark {
    private Map<String, Object> record;
    private String text;

    @Setup(Level.Trial)
    public void setUp() {
        TldrawRecords records = new TldrawRecords(3);
        record = records.drawShape(records.id("shape"), 500);
        text = Json.stringify(record);
        if (!record.equals(Json.parse(text))) {
            throw new IllegalStateException("the record does not survive a JSON round trip");
        }
        System.out.printf("%ndraw shape record: %d chars%n", text.length());
    }

    @Benchmark
    public Object parse() {
        return Json.parse(text);
    }

    @Benchmark
    public String stringify() {
        return Json.stringify(record);
    }
}
