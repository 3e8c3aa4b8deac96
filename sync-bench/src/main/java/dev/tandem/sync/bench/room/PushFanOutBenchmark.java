package dev.tandem.sync.bench.room;

import static dev.tandem.sync.bench.records.TldrawRecords.obj;

import dev.tandem.sync.bench.records.TldrawRecords;
import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.SessionOptions;
import dev.tandem.sync.core.SocketHandler;
import dev.tandem.sync.core.SyncLimits;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.time.Duration;
import java.util.ArrayList;
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
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Warmup;

/**
 * The cost of one client push in a busy room: {@code sessions} connected sessions, each dragging its own
 * shape and typing into its label, take turns pushing. One benchmark op is one session's push frame handed
 * to {@link SocketHandler#onText(String)}, so it covers everything the server does for it: decode the frame
 * (on the calling thread), then on the room's lane apply the shape patch and the presence patch, re-diff
 * both against the stored records, commit (the clock moves once), encode the {@code push_result} and the
 * broadcast patch once, and send to every session: the author's result plus {@code sessions - 1} patches.
 *
 * <p>The pushed frame is what a tldraw client sends while dragging and typing (310–340 characters): a
 * {@code patch} of the shape that moves {@code x}/{@code y} and appends one character to the plain-string
 * label {@code props.text}, plus a presence patch moving the cursor. Every 32nd push of a session puts the
 * label back to its start text instead, so records stay the same size however long the benchmark runs.
 *
 * <p>The room runs on a direct executor ({@code Runnable::run}) and a {@link ManualClock}; sockets only
 * count frames ({@link CountingSocket}), so transport costs such as UTF-8 encoding are not included.
 *
 * <ul>
 *   <li>{@code batching=false}: batching off, every message goes out in its own frame at once; timers never
 *       fire.
 *   <li>{@code batching=true}: tldraw's default 1/60 s window. After every session has pushed once (one
 *       "frame" of a room where everyone drags at 60 fps) the clock advances by the window, which flushes
 *       every session's queue as one {@code data} frame. That flush is part of the op that ends the round,
 *       so the average includes it.
 * </ul>
 *
 * <p>The setup checks that every push is acknowledged with {@code commit} (not a rebase or a discard) and
 * that every other session receives the patch, so the benchmark never measures an error path. At the end of
 * each fork it prints the frames and characters sent per push, and the benchmark thread's CPU time per push
 * in each iteration, a figure that does not grow while the thread waits for a core on a busy machine.
 *
 * <p>Each invocation is exactly one push, so {@code @OperationsPerInvocation} is not needed; with batching,
 * the flush at the end of a round is spread over the round's pushes by the average.
 *
 * <p>State is per benchmark thread ({@code Scope.Thread}); run with one thread, as configured.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.MICROSECONDS)
@Fork(1)
@Warmup(iterations = 2, time = 1)
@Measurement(iterations = 3, time = 2)
public class PushFanOutBenchmark {
    /** Pushes per session before its label is reset; the label grows by at most this many characters. */
    private static final int CYCLE = 32;

    private static final String LABEL = "Checkout flow: ";
    private static final String TYPED = "validate the card then confirm ";
    private static final int BACKGROUND_SHAPES = 200;

    @Param({"10", "50"})
    public int sessions;

    @Param({"false", "true"})
    public boolean batching;

    private ManualClock clock;
    private Room room;
    private CountingSocket[] sockets;
    private SocketHandler[] handlers;
    /** frames[session][phase]: the push a session sends in each round of its cycle. */
    private String[][] frames;

    private static final ThreadMXBean THREADS = ManagementFactory.getThreadMXBean();

    private int author;
    private int phase;
    private long pushes;

    private long iterationCpuStart;
    private long iterationPushStart;
    /** Benchmark-thread CPU time per push, in microseconds, for each iteration (warm-up ones first). */
    private final List<String> cpuPerPush = new ArrayList<>();

    @Setup(Level.Trial)
    public void setUp() {
        TldrawRecords records = new TldrawRecords(42);
        String[] shapeIds = new String[sessions];
        List<RoomSnapshot.Document> documents = new ArrayList<>();
        documents.add(new RoomSnapshot.Document(TldrawRecords.documentRecord(), 1));
        documents.add(new RoomSnapshot.Document(TldrawRecords.pageRecord(), 1));
        for (int i = 0; i < sessions; i++) {
            shapeIds[i] = records.id("shape");
            documents.add(new RoomSnapshot.Document(records.geoShapeWithTextLabel(shapeIds[i], LABEL), 1));
        }
        for (int i = 0; i < BACKGROUND_SHAPES; i++) {
            documents.add(new RoomSnapshot.Document(records.geoShape(records.id("shape"), records.words(3)), 1));
        }
        @SuppressWarnings("unchecked")
        Map<String, Object> schema = (Map<String, Object>) Json.parse(TldrawRecords.SCHEMA_JSON);
        RoomSnapshot snapshot = new RoomSnapshot(1, documents, Map.of(), 0, schema);

        clock = new ManualClock();
        int[] presenceIds = {0};
        room = Room.create(
                "bench-room",
                RoomOptions.builder()
                        .schema(RoomSchema.pinned())
                        .scheduler(clock)
                        .executor(Runnable::run)
                        .batchInterval(batching ? RoomOptions.DEFAULT_BATCH_INTERVAL : Duration.ZERO)
                        .initialSnapshot(snapshot)
                        .idGenerator(() -> "presence" + presenceIds[0]++)
                        // the clock only moves between batches, so rate limits would cut sessions off; this
                        // benchmark measures the push path, not the limiter
                        .limits(SyncLimits.builder()
                                .messageBurst(Integer.MAX_VALUE)
                                .charBurst(Long.MAX_VALUE / 2)
                                .build())
                        .build());

        sockets = new CountingSocket[sessions];
        handlers = new SocketHandler[sessions];
        for (int i = 0; i < sessions; i++) {
            sockets[i] = new CountingSocket();
            handlers[i] = room.connect(sockets[i], SessionOptions.of("session-" + i));
            handlers[i].onText(TldrawRecords.connectFrame("cr-" + i, 1));
            String presence = Json.stringify(obj(
                    "type",
                    "push",
                    "clientClock",
                    0,
                    "presence",
                    List.of("put", records.presence("user " + i, 100 + i, 200 + i))));
            handlers[i].onText(presence);
        }
        clock.advance(Duration.ofSeconds(1));
        requireAllOpen();

        frames = new String[sessions][CYCLE];
        for (int s = 0; s < sessions; s++) {
            for (int p = 0; p < CYCLE; p++) {
                frames[s][p] = pushFrame(shapeIds[s], s, p);
            }
        }
        checkSteadyState();
        for (CountingSocket socket : sockets) {
            socket.resetCounters();
        }
        pushes = 0;
    }

    /**
     * The push of {@code session} in round {@code p} of its cycle: x/y move on a small path, the label gets
     * one more character (or is put back to {@link #LABEL} in the last round), the cursor follows.
     */
    private static String pushFrame(String shapeId, int session, int p) {
        double step = p == CYCLE - 1 ? 0 : (p + 1) * 3.1416015625;
        double x = 240.5 + 31 * session + step;
        double y = 96.25 + 17 * session + step * 0.5;
        List<Object> textOp = p == CYCLE - 1
                ? List.of("put", LABEL)
                : List.of("append", String.valueOf(TYPED.charAt(p)), LABEL.length() + p);
        return TldrawRecords.dragAndTypePush(shapeId, 1 + p, x, y, textOp, 1_732_300_000_000L + 16L * p);
    }

    /** Runs two full cycles, checking that every push commits and reaches every other session. */
    private void checkSteadyState() {
        for (CountingSocket socket : sockets) {
            socket.resetCounters();
        }
        int rounds = 2 * CYCLE;
        for (int r = 0; r < rounds; r++) {
            for (int s = 0; s < sessions; s++) {
                push();
            }
        }
        clock.advance(Duration.ofSeconds(1));
        requireAllOpen();
        long commits = 0;
        long patches = 0;
        for (CountingSocket socket : sockets) {
            commits += socket.commits;
            patches += socket.patches;
            if (socket.rejections > 0) {
                throw new IllegalStateException("a push was not committed as sent");
            }
        }
        long expected = (long) rounds * sessions;
        if (commits != expected || patches != expected * (sessions - 1)) {
            throw new IllegalStateException("expected " + expected + " commits and " + expected * (sessions - 1)
                    + " patches, saw " + commits + " and " + patches);
        }
        for (CountingSocket socket : sockets) {
            socket.inspect = false;
        }
    }

    /** One session's push; the last push of a round also ends the batch window when batching. */
    @Benchmark
    public void push() {
        handlers[author].onText(frames[author][phase]);
        pushes++;
        if (++author == sessions) {
            author = 0;
            phase = phase == CYCLE - 1 ? 0 : phase + 1;
            if (batching) {
                clock.advance(RoomOptions.DEFAULT_BATCH_INTERVAL);
            }
        }
    }

    @Setup(Level.Iteration)
    public void startIteration() {
        iterationCpuStart = THREADS.getCurrentThreadCpuTime();
        iterationPushStart = pushes;
    }

    /**
     * Records the iteration's CPU time per push: unlike the wall-clock score, it does not grow while the
     * benchmark thread waits for a core on a busy machine. Also checks that no session was closed.
     */
    @TearDown(Level.Iteration)
    public void endIteration() {
        long cpu = THREADS.getCurrentThreadCpuTime() - iterationCpuStart;
        long count = pushes - iterationPushStart;
        cpuPerPush.add(String.format("%.1f", cpu / 1000.0 / Math.max(1, count)));
        requireAllOpen();
    }

    private void requireAllOpen() {
        for (int i = 0; i < sessions; i++) {
            if (!sockets[i].isOpen()) {
                throw new IllegalStateException("session-" + i + " was closed: the benchmark hit an error path");
            }
        }
    }

    @TearDown(Level.Trial)
    public void tearDown() {
        long frameCount = 0;
        long charCount = 0;
        for (CountingSocket socket : sockets) {
            frameCount += socket.frames;
            charCount += socket.chars;
        }
        System.out.printf(
                "%nsessions=%d batching=%b: %d pushes, %.2f frames/push, %.0f chars/push, push frame %d-%d chars;"
                        + " thread CPU us/push by iteration (warm-up first): %s%n",
                sessions,
                batching,
                pushes,
                frameCount / (double) pushes,
                charCount / (double) pushes,
                frames[0][CYCLE - 1].length(),
                frames[0][0].length(),
                String.join(" ", cpuPerPush));
        room.close();
    }
}
