package dev.tandem.sync.core.testing;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.Json;
import dev.tandem.sync.core.RoomCommit;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.VersionInfo;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.jspecify.annotations.Nullable;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * The behaviour every {@link RoomStore} must have. A store's test extends this class and implements {@link
 * #newStore()}. Every store made through {@link #open()} is closed after the test, before {@link #cleanUp()}.
 *
 * <pre>{@code
 * class InMemoryRoomStoreTest extends RoomStoreContract {
 *     protected RoomStore newStore() { return RoomStore.inMemory(); }
 * }
 * }</pre>
 *
 * <p>Room ids are unique per test, so implementations may share one database between tests.
 */
public abstract class RoomStoreContract {
    /** How long any one store operation may take in these tests. */
    protected static final Duration TIMEOUT = Duration.ofSeconds(60);

    private final List<RoomStore> stores = new ArrayList<>();
    private final String testId = UUID.randomUUID().toString().substring(0, 8);

    /** The store under test, made by {@link #newStore()} before each test. */
    protected RoomStore store;

    /** Returns a new store over the test's data. */
    protected abstract RoomStore newStore();

    /** Runs after each test once its stores are closed; deletes what the test left behind. */
    protected void cleanUp() throws Exception {}

    /** How many random histories the model property checks; lower for slow stores. */
    protected int propertyCases() {
        return 200;
    }

    @BeforeEach
    final void openStore() {
        store = open();
    }

    @AfterEach
    final void closeStores() throws Exception {
        for (RoomStore s : stores) {
            s.close();
        }
        stores.clear();
        cleanUp();
    }

    /** Returns a new store from {@link #newStore()}, closed after the test. */
    protected final RoomStore open() {
        RoomStore s = newStore();
        stores.add(s);
        return s;
    }

    /** Returns a room id unique to this test. */
    protected final String room(String name) {
        return name + "-" + testId;
    }

    @Test
    void load_unknownRoom_isNull() {
        assertThat(get(store.load(room("nowhere")))).isNull();
    }

    @Test
    void commit_thenLoad_returnsEverything() {
        String r = room("a");
        Map<String, Object> schema = Map.of("schemaVersion", 2L, "sequences", Map.of("com.tldraw.shape", 4L));
        get(store.commit(new RoomCommit(r, 3, puts(doc("shape:a", 1), doc("shape:b", 3)), Map.of(), 0, schema)));
        get(store.commit(new RoomCommit(r, 5, puts(), Map.of("shape:b", 5L, "shape:gone", 4L), 2, null)));

        RoomSnapshot loaded = get(store.load(r));

        assertSameRoom(
                loaded,
                new RoomSnapshot(5, List.of(doc("shape:a", 1)), Map.of("shape:b", 5L, "shape:gone", 4L), 2, schema));
    }

    @Test
    void reserveClock_aboveStoredClock_loadStartsAboveReservationWithNoHistory() {
        String r = room("reserved");
        get(store.commit(commit(r, 3, puts(doc("shape:a", 1), doc("shape:b", 3)), Map.of("shape:c", 2L), 0)));
        get(store.reserveClock(r, 1_003));

        RoomSnapshot loaded = get(store.load(r));

        assertSameRoom(loaded, snapshot(1_004, List.of(doc("shape:a", 1), doc("shape:b", 3)), Map.of(), 1_004));
    }

    @Test
    void reserveClock_neverGoesDown_andCommitsPastItEndTheJump() {
        String r = room("reserved");
        get(store.commit(commit(r, 3, puts(doc("shape:a", 1)), Map.of(), 0)));
        get(store.reserveClock(r, 2_000));
        get(store.reserveClock(r, 1_000));
        assertThat(get(store.load(r)).documentClock()).isEqualTo(2_001);

        // the restarted room commits above the reservation: its clock and history are what it stored
        get(store.commit(commit(r, 2_002, puts(doc("shape:b", 2_002)), Map.of(), 2_001)));

        assertSameRoom(
                get(store.load(r)),
                snapshot(2_002, List.of(doc("shape:a", 1), doc("shape:b", 2_002)), Map.of(), 2_001));
    }

    @Test
    void reserveClock_roomNeverCommitted_loadsEmptyRoomAboveIt() {
        String r = room("reserved");
        get(store.reserveClock(r, 1_000));

        assertSameRoom(get(store.load(r)), snapshot(1_001, List.of(), Map.of(), 1_001));
    }

    @Test
    void releaseClock_afterFlushToThatClock_loadContinuesFromStoredClock() {
        String r = room("released");
        get(store.commit(commit(r, 3, puts(doc("shape:a", 1)), Map.of("shape:c", 2L), 0)));
        get(store.reserveClock(r, 1_003));

        get(store.releaseClock(r, 1_003, 3));

        assertSameRoom(get(store.load(r)), snapshot(3, List.of(doc("shape:a", 1)), Map.of("shape:c", 2L), 0));
    }

    @Test
    void releaseClock_staleReservationOrUnstoredClock_changesNothing() {
        String r = room("released");
        get(store.commit(commit(r, 3, puts(doc("shape:a", 1)), Map.of(), 0)));
        get(store.reserveClock(r, 2_000));

        get(store.releaseClock(r, 1_000, 3)); // an older reservation: a newer owner reserved since
        get(store.releaseClock(r, 2_000, 5)); // a clock the store does not have
        get(store.releaseClock(room("other"), 2_000, 0));

        assertThat(get(store.load(r)).documentClock()).isEqualTo(2_001);
        assertThat(get(store.load(room("other")))).isNull();
    }

    @Test
    void commit_withOnePut_leavesOtherRecordsAsTheyWere() {
        String r = room("a");
        get(store.commit(commit(r, 1, puts(doc("shape:a", 1), doc("shape:b", 1), doc("shape:c", 1)), Map.of(), 0)));
        RoomSnapshot.Document changed = doc("shape:b", 2, "x", 99L);

        get(store.commit(commit(r, 2, puts(changed), Map.of(), 0)));

        assertSameRoom(
                get(store.load(r)), snapshot(2, List.of(doc("shape:a", 1), changed, doc("shape:c", 1)), Map.of(), 0));
    }

    @Test
    void commit_sameCommitTwice_changesNothingTheSecondTime() {
        String r = room("a");
        RoomCommit c = commit(r, 2, puts(doc("shape:a", 2)), Map.of("shape:z", 2L), 0);
        get(store.commit(c));
        RoomSnapshot once = get(store.load(r));

        get(store.commit(c));

        assertSameRoom(get(store.load(r)), once);
    }

    @Test
    void commit_olderAfterNewer_doesNotRegressRecordOrClock() {
        String r = room("a");
        RoomCommit older = commit(r, 1, puts(doc("shape:a", 1, "v", 1L)), Map.of(), 0);
        RoomCommit newer = commit(r, 2, puts(doc("shape:a", 2, "v", 2L)), Map.of(), 0);
        get(store.commit(older));
        get(store.commit(newer));

        get(store.commit(older));

        assertSameRoom(get(store.load(r)), snapshot(2, List.of(doc("shape:a", 2, "v", 2L)), Map.of(), 0));
    }

    @Test
    protected void commit_olderPutAfterTombstone_doesNotResurrectRecord() {
        String r = room("a");
        RoomCommit put = commit(r, 1, puts(doc("shape:a", 1)), Map.of(), 0);
        get(store.commit(put));
        get(store.commit(commit(r, 2, puts(), Map.of("shape:a", 2L), 0)));

        get(store.commit(put));

        assertSameRoom(get(store.load(r)), snapshot(2, List.of(), Map.of("shape:a", 2L), 0));
    }

    @Test
    void commit_olderTombstoneAfterNewerPut_keepsRecord() {
        String r = room("a");
        get(store.commit(commit(r, 1, puts(doc("shape:a", 1)), Map.of(), 0)));
        RoomCommit delete = commit(r, 2, puts(), Map.of("shape:a", 2L), 0);
        get(store.commit(delete));
        get(store.commit(commit(r, 3, puts(doc("shape:a", 3)), Map.of(), 0)));

        get(store.commit(delete));

        assertSameRoom(get(store.load(r)), snapshot(3, List.of(doc("shape:a", 3)), Map.of(), 0));
    }

    @Test
    void commit_putNewerThanTombstone_removesTombstone() {
        String r = room("a");
        get(store.commit(commit(r, 1, puts(doc("shape:a", 1)), Map.of(), 0)));
        get(store.commit(commit(r, 2, puts(), Map.of("shape:a", 2L), 0)));

        get(store.commit(commit(r, 3, puts(doc("shape:a", 3, "back", true)), Map.of(), 0)));

        assertSameRoom(get(store.load(r)), snapshot(3, List.of(doc("shape:a", 3, "back", true)), Map.of(), 0));
    }

    @Test
    void commit_historyStart_prunesOlderTombstonesOnly() {
        String r = room("a");
        get(store.commit(commit(r, 4, puts(), Map.of("shape:1", 1L, "shape:2", 2L, "shape:3", 3L, "shape:4", 4L), 0)));

        get(store.commit(commit(r, 5, puts(doc("shape:5", 5)), Map.of(), 3)));

        assertSameRoom(
                get(store.load(r)), snapshot(5, List.of(doc("shape:5", 5)), Map.of("shape:3", 3L, "shape:4", 4L), 3));
    }

    @Test
    void commit_nullSchema_keepsStoredSchema() {
        String r = room("a");
        Map<String, Object> schema = Map.of("schemaVersion", 2L);
        get(store.commit(new RoomCommit(r, 1, puts(doc("shape:a", 1)), Map.of(), 0, schema)));

        get(store.commit(new RoomCommit(r, 2, puts(doc("shape:b", 2)), Map.of(), 0, null)));

        assertThat(get(store.load(r)).schema()).isEqualTo(schema);
    }

    @Test
    void commit_coalesced_equalsApplyingEachInTurn() {
        RoomCommit[] steps = {
            new RoomCommit("r", 1, puts(doc("shape:a", 1), doc("shape:b", 1)), Map.of(), 0, Map.of("v", 1L)),
            commit("r", 2, puts(doc("shape:a", 2, "x", 1L)), Map.of("shape:b", 2L), 0),
            commit("r", 3, puts(doc("shape:b", 3), doc("shape:c", 3)), Map.of("shape:a", 3L), 0),
            new RoomCommit("r", 4, puts(doc("shape:d", 4)), Map.of("shape:c", 4L), 3, Map.of("v", 2L)),
            commit("r", 5, puts(doc("shape:c", 5)), Map.of("shape:d", 5L), 3),
        };
        for (int from = 0; from < steps.length; from++) {
            for (int to = from + 1; to <= steps.length; to++) {
                String separate = room("separate-" + from + "-" + to);
                String coalesced = room("coalesced-" + from + "-" + to);
                RoomCommit merged = null;
                for (int i = 0; i < steps.length; i++) {
                    RoomCommit step = inRoom(steps[i], separate);
                    get(store.commit(step));
                    RoomCommit same = inRoom(steps[i], coalesced);
                    if (i < from || i >= to) {
                        if (merged != null) {
                            get(store.commit(merged));
                            merged = null;
                        }
                        get(store.commit(same));
                    } else {
                        merged = merged == null ? same : merged.followedBy(same);
                    }
                }
                if (merged != null) {
                    get(store.commit(merged));
                }
                assertSameRoom(get(store.load(coalesced)), get(store.load(separate)));
            }
        }
    }

    @Test
    void commit_coalescedWithPruningLaterCommit_stillDeletesRecord() {
        String separate = room("separate");
        String coalesced = room("coalesced");
        for (String r : List.of(separate, coalesced)) {
            get(store.commit(commit(r, 1, puts(doc("shape:a", 1), doc("shape:b", 1)), Map.of(), 0)));
        }
        RoomCommit delete = commit("r", 2, puts(), Map.of("shape:a", 2L), 0);
        RoomCommit prune = commit("r", 3, puts(), Map.of("shape:b", 3L), 3);
        get(store.commit(inRoom(delete, separate)));
        get(store.commit(inRoom(prune, separate)));

        get(store.commit(inRoom(delete, coalesced).followedBy(inRoom(prune, coalesced))));

        assertSameRoom(get(store.load(coalesced)), get(store.load(separate)));
        assertThat(ids(get(store.load(coalesced)))).isEmpty();
    }

    @Test
    void commit_manyRooms_keepsThemApart() {
        for (int i = 0; i < 20; i++) {
            get(store.commit(
                    commit(room("r" + i), i + 1, puts(doc("shape:same", i + 1, "room", (long) i)), Map.of(), 0)));
        }
        get(store.commit(commit(room("r3"), 30, puts(), Map.of("shape:same", 30L), 0)));

        for (int i = 0; i < 20; i++) {
            RoomSnapshot expected = i == 3
                    ? snapshot(30, List.of(), Map.of("shape:same", 30L), 0)
                    : snapshot(i + 1, List.of(doc("shape:same", i + 1, "room", (long) i)), Map.of(), 0);
            assertSameRoom(get(store.load(room("r" + i))), expected);
        }
    }

    @Test
    void commit_fromManyThreadsToManyRooms_allLand() throws Exception {
        int rooms = 40;
        int commitsPerRoom = 25;
        ExecutorService pool = Executors.newFixedThreadPool(16);
        try {
            List<Future<?>> done = new ArrayList<>();
            for (int i = 0; i < rooms; i++) {
                String r = room("c" + i);
                done.add(pool.submit(() -> {
                    // One commit of a room in flight at a time, as a room guarantees.
                    for (int clock = 1; clock <= commitsPerRoom; clock++) {
                        Map<String, Long> deleted =
                                clock % 5 == 0 ? Map.of("shape:" + (clock - 1), (long) clock) : Map.of();
                        get(store.commit(commit(r, clock, puts(doc("shape:" + clock, clock)), deleted, 0)));
                    }
                    return null;
                }));
            }
            for (Future<?> f : done) {
                f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            }
        } finally {
            pool.shutdownNow();
        }

        for (int i = 0; i < rooms; i++) {
            RoomSnapshot loaded = get(store.load(room("c" + i)));
            assertThat(loaded.documentClock()).isEqualTo(commitsPerRoom);
            assertThat(loaded.documents()).hasSize(commitsPerRoom - commitsPerRoom / 5);
            assertThat(loaded.tombstones()).hasSize(commitsPerRoom / 5);
        }
    }

    @Test
    void loadAttribute_unset_isNull() {
        assertThat(get(store.loadAttribute(room("a"), "policy"))).isNull();
    }

    @Test
    void saveAttribute_thenLoad_returnsValueAndOverwrites() {
        String r = room("a");
        get(store.saveAttribute(r, "policy", "{\"owner\":\"alice\"}"));
        assertThat(get(store.loadAttribute(r, "policy"))).isEqualTo("{\"owner\":\"alice\"}");

        get(store.saveAttribute(r, "policy", "{\"owner\":\"bob\"}"));

        assertThat(get(store.loadAttribute(r, "policy"))).isEqualTo("{\"owner\":\"bob\"}");
    }

    @Test
    void saveAttribute_null_removesIt() {
        String r = room("a");
        get(store.saveAttribute(r, "policy", "x"));

        get(store.saveAttribute(r, "policy", null));

        assertThat(get(store.loadAttribute(r, "policy"))).isNull();
    }

    @Test
    void saveAttribute_manyKeysAndRooms_keptApartFromEachOtherAndFromCommits() {
        String a = room("a");
        String b = room("b");
        get(store.saveAttribute(a, "policy", "pa"));
        get(store.saveAttribute(a, "slugs", "sa"));
        get(store.saveAttribute(b, "policy", "pb"));
        get(store.commit(commit(a, 1, puts(doc("shape:a", 1)), Map.of(), 0)));

        assertThat(get(store.loadAttribute(a, "policy"))).isEqualTo("pa");
        assertThat(get(store.loadAttribute(a, "slugs"))).isEqualTo("sa");
        assertThat(get(store.loadAttribute(b, "policy"))).isEqualTo("pb");
        assertThat(get(store.loadAttribute(b, "slugs"))).isNull();
        assertThat(ids(get(store.load(a)))).containsExactly("shape:a");
    }

    @Test
    void saveAttribute_unusualText_roundTripsExactly() {
        String r = room("odd\u0000\ud800");
        String value = "{\"v\":\"\u0000 \ud83d\ude00 \u2028 ' \\\\ \"}" + "x".repeat(100_000);
        get(store.saveAttribute(r, "k\u0000", value));

        assertThat(get(store.loadAttribute(r, "k\u0000"))).isEqualTo(value);
    }

    @Test
    void loadEventResults_ofEventsStoredWithCommit_returnsThem() {
        String r = room("events");
        EventResult applied = new EventResult("ev-1", true, null, 1);
        EventResult rejected = new EventResult("ev-2", false, "NOT_FOUND: record shape:x does not exist", 1);
        get(store.commit(commit(r, 1, puts(doc("shape:a", 1)), Map.of(), 0)
                .withEvents(Map.of(applied.id(), applied, rejected.id(), rejected))));

        Map<String, EventResult> loaded = get(store.loadEventResults(r, List.of("ev-1", "ev-2", "ev-unknown")));

        assertThat(loaded).isEqualTo(Map.of("ev-1", applied, "ev-2", rejected));
        assertThat(get(store.loadEventResults(r, List.of()))).isEmpty();
    }

    @Test
    void loadEventResults_eventCommittedTwice_firstResultWins() {
        String r = room("events");
        EventResult first = new EventResult("ev-1", true, null, 1);
        get(store.commit(commit(r, 1, puts(doc("shape:a", 1)), Map.of(), 0).withEvents(Map.of("ev-1", first))));

        get(store.commit(commit(r, 2, puts(doc("shape:a", 2)), Map.of(), 0)
                .withEvents(Map.of("ev-1", new EventResult("ev-1", false, "later", 2)))));

        assertThat(get(store.loadEventResults(r, List.of("ev-1")))).isEqualTo(Map.of("ev-1", first));
    }

    @Test
    void loadEventResults_sameEventIdInOtherRoom_isIsolated() {
        String a = room("events-a");
        String b = room("events-b");
        EventResult inA = new EventResult("ev-1", true, null, 1);
        EventResult inB = new EventResult("ev-1", false, "READ_ONLY", 0);
        get(store.commit(commit(a, 1, puts(doc("shape:a", 1)), Map.of(), 0).withEvents(Map.of("ev-1", inA))));
        get(store.commit(commit(b, 0, puts(), Map.of(), 0).withEvents(Map.of("ev-1", inB))));

        assertThat(get(store.loadEventResults(a, List.of("ev-1")))).isEqualTo(Map.of("ev-1", inA));
        assertThat(get(store.loadEventResults(b, List.of("ev-1")))).isEqualTo(Map.of("ev-1", inB));
        assertThat(get(store.loadEventResults(room("events-c"), List.of("ev-1"))))
                .isEmpty();
    }

    @Test
    void loadEventResults_manyIdsAndUnusualIds_roundTrip() {
        String r = room("events");
        Map<String, EventResult> results = new LinkedHashMap<>();
        for (int i = 0; i < 250; i++) {
            String id = i % 50 == 0 ? "ev\u0000\ud800-" + i : "ev-" + i;
            results.put(id, new EventResult(id, i % 3 != 0, i % 3 == 0 ? "why " + i : null, i));
        }
        get(store.commit(commit(r, 250, puts(), Map.of(), 0).withEvents(results)));

        assertThat(get(store.loadEventResults(r, results.keySet()))).isEqualTo(results);
    }

    @Test
    void saveVersion_thenListAndLoad_newestFirst() {
        String r = room("v");
        RoomSnapshot first = snapshot(1, List.of(doc("shape:a", 1)), Map.of(), 0);
        RoomSnapshot second = new RoomSnapshot(
                4,
                List.of(doc("shape:a", 1), doc("shape:b", 4, "text", "héllo 🎨")),
                Map.of("shape:c", 3L),
                2,
                Map.of("schemaVersion", 2L));

        VersionInfo v1 = get(store.saveVersion(r, first));
        VersionInfo v2 = get(store.saveVersion(r, second));

        assertThat(v1.id()).isNotEqualTo(v2.id());
        assertThat(v1.documentClock()).isEqualTo(1);
        assertThat(v2.documentClock()).isEqualTo(4);
        assertThat(get(store.listVersions(r))).containsExactly(v2, v1);
        assertSameRoom(get(store.loadVersion(r, v1.id())), first);
        assertSameRoom(get(store.loadVersion(r, v2.id())), second);
        assertThat(get(store.listVersions(room("other")))).isEmpty();
    }

    @Test
    void loadVersion_unknownVersion_isNull() {
        String r = room("v");
        VersionInfo saved = get(store.saveVersion(r, snapshot(1, List.of(doc("shape:a", 1)), Map.of(), 0)));

        assertThat(get(store.loadVersion(r, "no-such-version"))).isNull();
        assertThat(get(store.loadVersion(r, "987654321"))).isNull();
        assertThat(get(store.loadVersion(room("other"), saved.id()))).isNull();
    }

    @Test
    void commit_megabyteString_roundTripsExactly() {
        String r = room("big");
        StringBuilder text = new StringBuilder(1 << 20);
        String alphabet = "abc XYZ 0123 é ß 中文 \"quoted\" \\ \n\t 🎨𝄞";
        while (text.length() < (1 << 20)) {
            text.append(alphabet);
        }
        RoomSnapshot.Document big = doc("shape:big", 1, "text", text.toString());

        get(store.commit(commit(r, 1, puts(big), Map.of(), 0)));

        RoomSnapshot loaded = get(store.load(r));
        assertThat(loaded.documents()).hasSize(1);
        assertThat(Json.deepEquals(loaded.documents().get(0).state(), big.state()))
                .isTrue();
        assertThat(loaded.documents().get(0)).isEqualTo(big);
    }

    @Test
    void commit_unusualText_roundTripsExactly() {
        String r = room("text");
        String[] texts = {
            "",
            "héllo wörld",
            "中文字符",
            "😀🎨👩‍👩‍👧‍👦",
            "𝄞 astral",
            "lone \uD800 high",
            "lone \uDC00 low",
            "nul \u0000 byte",
            "controls \u0001\u001f\u007f",
            "line\u2028separator\u2029",
            "quote \" backslash \\ slash /",
            "\uFEFFbom"
        };
        Map<String, RoomSnapshot.Document> puts = new LinkedHashMap<>();
        for (int i = 0; i < texts.length; i++) {
            // Lone surrogates only in values: JSON text cannot carry them in keys (the parser rejects them there).
            boolean lone = texts[i].codePoints().anyMatch(cp -> cp >= 0xD800 && cp <= 0xDFFF);
            String id = "shape:" + (lone ? "lone" : texts[i]) + i;
            puts.put(id, doc(id, 1, "text", texts[i], "key " + (lone ? "" : texts[i]), (double) i + 0.5));
        }

        get(store.commit(commit(r, 1, puts, Map.of("shape:gone 🎨", 1L), 0)));

        assertSameRoom(get(store.load(r)), snapshot(1, List.copyOf(puts.values()), Map.of("shape:gone 🎨", 1L), 0));
    }

    @Test
    void commit_randomHistories_matchInMemoryModel() {
        Property.check("store matches the in-memory model", propertyCases(), deliveries(), commits -> {
            String r = room("p-" + UUID.randomUUID());
            RoomStore model = RoomStore.inMemory();
            for (RoomCommit c : commits) {
                RoomCommit here = inRoom(c, r);
                get(model.commit(here));
                get(store.commit(here));
            }
            RoomSnapshot expected = get(model.load(r));
            RoomSnapshot actual = get(store.load(r));
            if (expected == null) {
                assertThat(actual).isNull();
            } else {
                assertSameRoom(actual, expected);
            }
        });
    }

    // ---- generators ----

    /**
     * Generates what a room sends a store: a random history of transactions (puts of new and changed
     * records, deletions, history starts moving, schema changes), delivered in clock order, sometimes
     * coalesced, sometimes delivered twice, sometimes delivered and then again merged with what followed
     * (an acknowledgement lost after the store applied it).
     */
    protected static Gen<List<RoomCommit>> deliveries() {
        Gen<List<RoomCommit>> gen = rand -> {
            int txCount = 1 + rand.length(24);
            int idPool = 2 + rand.length(14);
            Map<String, Map<String, Object>> live = new HashMap<>();
            long historyStart = 0;
            List<RoomCommit> txs = new ArrayList<>();
            for (long clock = 1; clock <= txCount; clock++) {
                Map<String, RoomSnapshot.Document> puts = new LinkedHashMap<>();
                Map<String, Long> deletes = new LinkedHashMap<>();
                int ops = 1 + rand.nextInt(4);
                for (int i = 0; i < ops; i++) {
                    String id = "shape:" + rand.nextInt(idPool);
                    if (puts.containsKey(id) || deletes.containsKey(id)) {
                        continue;
                    }
                    Map<String, Object> old = live.get(id);
                    if (old != null && rand.chance(0.3)) {
                        live.remove(id);
                        deletes.put(id, clock);
                    } else {
                        Map<String, Object> next = new LinkedHashMap<>(
                                old != null && rand.chance(0.7) ? RecordGen.mutate(rand, old) : RecordGen.record(rand));
                        next.put("id", id);
                        live.put(id, next);
                        puts.put(id, new RoomSnapshot.Document(next, clock));
                    }
                }
                if (rand.chance(0.15)) {
                    historyStart = rand.nextLong(historyStart, clock + 1);
                }
                Map<String, Object> schema = rand.chance(0.1) ? Map.of("schemaVersion", 2L, "at", clock) : null;
                txs.add(new RoomCommit("r", clock, puts, deletes, historyStart, schema));
            }
            List<RoomCommit> out = new ArrayList<>();
            RoomCommit unacknowledged = null;
            int i = 0;
            while (i < txs.size()) {
                int group = 1 + rand.nextInt(3);
                RoomCommit c = unacknowledged;
                for (int j = i; j < Math.min(txs.size(), i + group); j++) {
                    c = c == null ? txs.get(j) : c.followedBy(txs.get(j));
                }
                i += group;
                out.add(c);
                unacknowledged = null;
                int roll = rand.nextInt(10);
                if (roll == 0) {
                    out.add(c);
                } else if (roll == 1) {
                    unacknowledged = c;
                }
            }
            if (unacknowledged != null) {
                out.add(unacknowledged);
            }
            return out;
        };
        return gen.withShrinker(list -> list.size() <= 1
                ? Stream.empty()
                : Stream.of(list.subList(0, list.size() / 2), list.subList(0, list.size() - 1)));
    }

    // ---- helpers ----

    /** Waits for a store operation. */
    protected static <T> T get(java.util.concurrent.CompletableFuture<T> future) {
        try {
            return future.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
        } catch (java.util.concurrent.ExecutionException e) {
            throw new AssertionError("store operation failed: " + e.getCause(), e.getCause());
        } catch (Exception e) {
            throw new AssertionError("store operation did not complete: " + e, e);
        }
    }

    /** Returns a record {@code {id, typeName: "shape", ...extra}} that last changed at {@code clock}. */
    protected static RoomSnapshot.Document doc(String id, long clock, @Nullable Object... extra) {
        Map<String, Object> state = new LinkedHashMap<>();
        state.put("id", id);
        state.put("typeName", "shape");
        state.put("x", 10.5);
        state.put("props", Map.of("geo", "rectangle", "w", 100L));
        for (int i = 0; i + 1 < extra.length; i += 2) {
            state.put((String) extra[i], extra[i + 1]);
        }
        return new RoomSnapshot.Document(state, clock);
    }

    protected static Map<String, RoomSnapshot.Document> puts(RoomSnapshot.Document... docs) {
        Map<String, RoomSnapshot.Document> out = new LinkedHashMap<>();
        for (RoomSnapshot.Document d : docs) {
            out.put((String) d.state().get("id"), d);
        }
        return out;
    }

    protected static RoomCommit commit(
            String roomId,
            long clock,
            Map<String, RoomSnapshot.Document> puts,
            Map<String, Long> tombstones,
            long historyStart) {
        return new RoomCommit(roomId, clock, puts, tombstones, historyStart, null);
    }

    protected static RoomSnapshot snapshot(
            long clock, List<RoomSnapshot.Document> docs, Map<String, Long> tombstones, long historyStart) {
        return new RoomSnapshot(clock, docs, tombstones, historyStart, null);
    }

    protected static RoomCommit inRoom(RoomCommit c, String roomId) {
        return new RoomCommit(
                roomId, c.documentClock(), c.puts(), c.tombstones(), c.tombstoneHistoryStartsAtClock(), c.schema());
    }

    /** Asserts two rooms are equal: the same records (in any order) with the same clocks, and the same rest. */
    protected static void assertSameRoom(@Nullable RoomSnapshot actual, RoomSnapshot expected) {
        assertThat(actual).as("stored room").isNotNull();
        assertThat(byId(actual)).as("documents").isEqualTo(byId(expected));
        assertThat(actual.tombstones()).as("tombstones").isEqualTo(expected.tombstones());
        assertThat(actual.documentClock()).as("documentClock").isEqualTo(expected.documentClock());
        assertThat(actual.tombstoneHistoryStartsAtClock())
                .as("tombstoneHistoryStartsAtClock")
                .isEqualTo(expected.tombstoneHistoryStartsAtClock());
        assertThat(actual.schema()).as("schema").isEqualTo(expected.schema());
    }

    protected static List<String> ids(RoomSnapshot s) {
        return s.documents().stream()
                .map(d -> (String) d.state().get("id"))
                .sorted()
                .toList();
    }

    private static Map<String, RoomSnapshot.Document> byId(RoomSnapshot s) {
        Map<String, RoomSnapshot.Document> out = new HashMap<>();
        for (RoomSnapshot.Document d : s.documents()) {
            RoomSnapshot.Document dup = out.put((String) d.state().get("id"), d);
            assertThat(dup).as("duplicate record %s", d.state().get("id")).isNull();
        }
        return out;
    }
}
