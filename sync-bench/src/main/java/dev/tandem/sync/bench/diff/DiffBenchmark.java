package dev.tandem.sync.bench.diff;

import static dev.tandem.sync.bench.records.TldrawRecords.obj;

import dev.tandem.sync.bench.records.TldrawRecords;
import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.ObjectDiff;
import dev.tandem.sync.core.ValueOp;
import java.util.Map;
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
import org.openjdk.jmh.annotations.Warmup;

/**
 * Record diffs as the room computes and applies them for every patch: {@link ObjectDiff#diffRecord(Map, Map)}
 * of a stored record and its patched successor, and {@link ObjectDiff#apply(Object)} of that diff to the
 * stored record.
 *
 * <p>The successor is built the way the room builds it, by applying the client's patch to the stored record,
 * so it shares every unchanged child with it (the diff's identity shortcuts apply, as in the room). Cases:
 *
 * <ul>
 *   <li>{@code move}: a tldraw geo shape (rich-text label, host metadata; about 650 characters of JSON)
 *       moved by {@code x}/{@code y}.
 *   <li>{@code richTextAppend}: one character typed into the same shape's rich-text label. tldraw's diff
 *       does not recurse into objects inside {@code props}, so the diff is {@code props: patch {richText:
 *       put <whole label document>}} — what a tldraw 3.x+ client sends per keystroke.
 *   <li>{@code textAppend}: one character typed into a plain-string label ({@code props.text}); the diff is a
 *       string {@code append}.
 *   <li>{@code drawAppend}: a freehand draw shape of 500 points (about 15 KB of JSON) whose stroke grows by
 *       10 points; the diff is a list {@code append} nested in {@code props.segments[0].points}.
 * </ul>
 *
 * <p>The setup checks that each computed diff equals the client's patch, i.e. that the room would answer
 * {@code commit}.
 *
 * <p>State is per benchmark thread ({@code Scope.Thread}); run with one thread, as configured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public class DiffBenchmark {

    @Param({"move", "richTextAppend", "textAppend", "drawAppend"})
    public String change;

    private Map<String, Object> prev;
    private Map<String, Object> next;
    private ObjectDiff diff;

    @Setup(Level.Trial)
    public void setUp() {
        TldrawRecords records = new TldrawRecords(7);
        String label = "Quarterly planning: ship the sync engine";
        ObjectDiff clientPatch;
        switch (change) {
            case "move" -> {
                prev = records.geoShape(records.id("shape"), label);
                double x = ((Number) prev.get("x")).doubleValue();
                double y = ((Number) prev.get("y")).doubleValue();
                clientPatch = diff("x", put(x + 12.6171875), "y", put(y - 3.25));
            }
            case "richTextAppend" -> {
                prev = records.geoShape(records.id("shape"), label);
                clientPatch =
                        diff("props", new ValueOp.Patch(diff("richText", put(TldrawRecords.richText(label + "!")))));
            }
            case "textAppend" -> {
                prev = records.geoShapeWithTextLabel(records.id("shape"), label);
                clientPatch = diff("props", new ValueOp.Patch(diff("text", new ValueOp.Append("!", label.length()))));
            }
            case "drawAppend" -> {
                prev = records.drawShape(records.id("shape"), 500);
                ValueOp points = new ValueOp.Append(Json.freeze(records.strokePoints(500, 10)), 500);
                clientPatch = diff(
                        "props",
                        new ValueOp.Patch(diff(
                                "segments", new ValueOp.Patch(diff("0", new ValueOp.Patch(diff("points", points)))))));
            }
            default -> throw new IllegalArgumentException("unknown change " + change);
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> patched = (Map<String, Object>) clientPatch.apply(prev);
        next = patched;
        diff = ObjectDiff.diffRecord(prev, next);
        if (diff == null || !diff.equals(clientPatch) || !next.equals(diff.apply(prev))) {
            throw new IllegalStateException("the diff of " + change + " is not the client's patch: " + diff);
        }
        System.out.printf(
                "%n%s: record %d chars, diff %s%n",
                change, Json.stringify(prev).length(), abbreviate(String.valueOf(diff)));
    }

    /** Computes the diff between the stored record and its successor. */
    @Benchmark
    public ObjectDiff diffRecord() {
        return ObjectDiff.diffRecord(prev, next);
    }

    /** Applies the diff to the stored record, producing the successor. */
    @Benchmark
    public Object apply() {
        return diff.apply(prev);
    }

    private static ObjectDiff diff(Object... keysAndOps) {
        @SuppressWarnings("unchecked")
        Map<String, ValueOp> ops = (Map<String, ValueOp>) (Map<String, ?>) obj(keysAndOps);
        return ObjectDiff.of(ops);
    }

    private static ValueOp put(Object value) {
        return new ValueOp.Put(Json.freeze(value));
    }

    private static String abbreviate(String s) {
        return s.length() <= 200 ? s : s.substring(0, 200) + "…";
    }
}
