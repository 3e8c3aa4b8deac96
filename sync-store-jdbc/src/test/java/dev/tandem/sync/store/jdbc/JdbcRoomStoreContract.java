package dev.tandem.sync.store.jdbc;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import dev.tandem.sync.core.EventResult;
import dev.tandem.sync.core.RoomCommit;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.RoomStore;
import dev.tandem.sync.core.StoreHealth;
import dev.tandem.sync.core.VersionInfo;
import dev.tandem.sync.core.testing.Property;
import dev.tandem.sync.core.testing.RoomStoreContract;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The {@link RoomStoreContract} plus what every JDBC dialect must do: reopen, group commit, retention. */
abstract class JdbcRoomStoreContract extends RoomStoreContract {

    /** Returns a builder for the test's database, with default settings. */
    protected abstract JdbcRoomStore.Builder builder();

    @Override
    protected final RoomStore newStore() {
        return builder().build();
    }

    /** Returns a store with custom settings, closed after the test. */
    protected final JdbcRoomStore open(JdbcRoomStore.Builder configured) {
        JdbcRoomStore s = configured.build();
        track(s);
        return s;
    }

    private final List<RoomStore> extra = new ArrayList<>();

    private void track(RoomStore s) {
        extra.add(s);
    }

    @Override
    protected void cleanUp() throws Exception {
        for (RoomStore s : extra) {
            s.close();
        }
    }

    @Test
    void reopen_afterClose_loadsWhatWasCommitted() {
        String r = room("reopen");
        RoomCommit c1 = new RoomCommit(
                r,
                2,
                puts(doc("shape:a", 1), doc("shape:b", 2)),
                Map.of("shape:c", 2L),
                1,
                Map.of("schemaVersion", 2L));
        RoomCommit c2 = commit(r, 3, puts(doc("shape:a", 3, "moved", true)), Map.of("shape:b", 3L), 1);
        get(store.commit(c1));
        get(store.commit(c2));
        VersionInfo version = get(store.saveVersion(r, get(store.load(r))));
        RoomSnapshot before = get(store.load(r));
        store.close();

        RoomStore reopened = open();

        assertSameRoom(get(reopened.load(r)), before);
        assertThat(get(reopened.listVersions(r))).containsExactly(version);
        assertSameRoom(get(reopened.loadVersion(r, version.id())), before);
    }

    @Test
    void commit_randomHistories_partlyFoldedPartlyInTheLog_matchInMemoryModel() {
        Property.check(
                "record tables plus the commit log match the in-memory model",
                Math.max(10, propertyCases() / 4),
                deliveries(),
                commits -> {
                    String r = room("f-" + UUID.randomUUID());
                    RoomStore model = RoomStore.inMemory();
                    int split = Math.floorMod(commits.hashCode(), commits.size() + 1);
                    // the first part folded into the record tables as it is written
                    try (JdbcRoomStore folding =
                            builder().logFoldInterval(Duration.ZERO).build()) {
                        for (RoomCommit c : commits.subList(0, split)) {
                            RoomCommit here = inRoom(c, r);
                            get(model.commit(here));
                            get(folding.commit(here));
                        }
                    }
                    // the rest only logged
                    JdbcRoomStore logging = open(builder().logFoldInterval(Duration.ofHours(1)));
                    for (RoomCommit c : commits.subList(split, commits.size())) {
                        RoomCommit here = inRoom(c, r);
                        get(model.commit(here));
                        get(logging.commit(here));
                    }
                    RoomSnapshot expected = get(model.load(r));
                    assertSameRoom(get(logging.load(r)), expected);
                    // another writer folds the log it did not write (a room that moved to another node)
                    try (JdbcRoomStore other =
                            builder().logFoldInterval(Duration.ZERO).build()) {
                        get(other.commit(new RoomCommit(
                                r,
                                expected.documentClock(),
                                Map.of(),
                                Map.of(),
                                expected.tombstoneHistoryStartsAtClock(),
                                null)));
                        assertSameRoom(get(other.load(r)), expected);
                    }
                    assertSameRoom(get(logging.load(r)), expected);
                });
    }

    @Test
    void commit_largeCommitBetweenLoggedOnes_isGuardedLikeTheRest() {
        JdbcRoomStore s = open(builder().logFoldInterval(Duration.ofHours(1)));
        String r = room("direct");
        get(s.commit(commit(r, 1, puts(doc("shape:a", 1), doc("shape:b", 1)), Map.of(), 0)));
        // above the size that goes to the record tables at once; deletes a record the log holds
        Map<String, RoomSnapshot.Document> many = new LinkedHashMap<>();
        for (int i = 0; i < 300; i++) {
            many.put("shape:x" + i, doc("shape:x" + i, 2));
        }
        get(s.commit(commit(r, 2, many, Map.of("shape:a", 2L), 0)));
        get(s.commit(commit(r, 3, puts(doc("shape:b", 3, "moved", true)), Map.of(), 0)));
        // a late retry of the first commit changes nothing
        get(s.commit(commit(r, 1, puts(doc("shape:a", 1), doc("shape:b", 1)), Map.of(), 0)));
        List<RoomSnapshot.Document> docs = new ArrayList<>(many.values());
        docs.add(doc("shape:b", 3, "moved", true));
        RoomSnapshot expected = snapshot(3, docs, Map.of("shape:a", 2L), 0);

        assertSameRoom(get(s.load(r)), expected);
        s.close();
        assertSameRoom(get(open().load(r)), expected);
    }

    @Test
    void claimOwnership_eachClaim_getsTheNextEpoch() {
        JdbcRoomStore s = (JdbcRoomStore) store;
        String r = room("claim");
        assertThat(get(s.claimOwnership(r))).isEqualTo(1L);
        assertThat(get(s.claimOwnership(r))).isEqualTo(2L);
        assertThat(get(s.claimOwnership(room("claim-other")))).isEqualTo(1L);
        assertThat(get(s.load(r))).as("a claim stores no room").isNull();
    }

    @Test
    void fencedCommit_afterANewerClaim_isRefusedAndChangesNothing() {
        JdbcRoomStore s = (JdbcRoomStore) store;
        String r = room("fenced");
        long stale = get(s.claimOwnership(r));
        get(s.commit(commit(r, 1, puts(doc("shape:a", 1)), Map.of(), 0), stale));
        long current = get(s.claimOwnership(r));

        // the stale owner writes the same clock the new owner will write: refused, so no two histories mix
        Throwable refused = causeOf(s.commit(commit(r, 2, puts(doc("shape:a", 2, "by", "stale")), Map.of(), 0), stale));
        assertThat(refused)
                .isInstanceOf(RoomFencedException.class)
                .hasMessage("room " + r + " was claimed by a newer owner than epoch " + stale + "; commit refused");
        assertThat(((RoomFencedException) refused).ownerEpoch()).isEqualTo(stale);
        assertThat(get(s.load(r)).documentClock()).isEqualTo(1);
        assertThat(s.health().healthy()).isTrue();

        get(s.commit(commit(r, 2, puts(doc("shape:a", 2, "by", "current")), Map.of(), 0), current));
        RoomSnapshot loaded = get(s.load(r));
        assertThat(loaded.documentClock()).isEqualTo(2);
        assertThat(loaded.documents().get(0).state()).containsEntry("by", "current");
    }

    @Test
    void fencedVersion_afterANewerClaim_isRefusedAndSavesNothing() {
        JdbcRoomStore s = (JdbcRoomStore) store;
        String r = room("fenced-version");
        long stale = get(s.claimOwnership(r));
        get(s.commit(commit(r, 1, puts(doc("shape:a", 1)), Map.of(), 0), stale));
        RoomSnapshot held = get(s.load(r));
        get(s.saveVersion(r, held, stale));
        long current = get(s.claimOwnership(r));

        Throwable refused = causeOf(s.saveVersion(r, held, stale));
        assertThat(refused).isInstanceOf(RoomFencedException.class);
        assertThat(((RoomFencedException) refused).ownerEpoch()).isEqualTo(stale);
        assertThat(get(s.listVersions(r)))
                .as("only the version saved before the claim")
                .hasSize(1);

        get(s.saveVersion(r, held, current));
        assertThat(get(s.listVersions(r))).hasSize(2);
    }

    @Test
    void fencedCommit_batchedWithOtherRooms_failsAlone() {
        JdbcRoomStore s = open(builder().committerThreads(1));
        String stale = room("batch-stale");
        long old = get(s.claimOwnership(stale));
        get(s.claimOwnership(stale));
        List<CompletableFuture<Void>> others = new ArrayList<>();
        CompletableFuture<Void> refused = null;
        for (int i = 0; i < 20; i++) {
            String r = room("batch-" + i);
            others.add(s.commit(commit(r, 1, puts(doc("shape:a", 1)), Map.of(), 0)));
            if (i == 10) {
                refused = s.commit(commit(stale, 1, puts(doc("shape:a", 1)), Map.of(), 0), old);
            }
        }
        others.forEach(f -> get(f));
        assertThat(causeOf(refused)).isInstanceOf(RoomFencedException.class);
        assertThat(get(s.load(stale))).isNull();
    }

    @Test
    void commit_manyRoomsAtOnce_shareTransactions() {
        JdbcRoomStore s = (JdbcRoomStore) store;
        int rooms = 100;
        int commitsPerRoom = 10;
        JdbcRoomStore.Stats before = s.stats();
        List<CompletableFuture<Void>> chains = new ArrayList<>();
        for (int i = 0; i < rooms; i++) {
            String r = room("g" + i);
            CompletableFuture<Void> chain = CompletableFuture.completedFuture(null);
            for (int clock = 1; clock <= commitsPerRoom; clock++) {
                RoomCommit c = commit(r, clock, puts(doc("shape:" + clock, clock)), Map.of(), 0);
                // One commit of a room in flight at a time; all rooms at once.
                chain = chain.thenCompose(v -> s.commit(c));
            }
            chains.add(chain);
        }
        get(CompletableFuture.allOf(chains.toArray(CompletableFuture[]::new)));
        JdbcRoomStore.Stats after = s.stats();

        long commits = after.commits() - before.commits();
        long transactions = after.transactions() - before.transactions();
        System.out.printf(
                "%s group commit: %d commits in %d transactions (%.3f transactions per commit)%n",
                getClass().getSimpleName(), commits, transactions, (double) transactions / commits);
        assertThat(commits).isEqualTo((long) rooms * commitsPerRoom);
        assertThat(transactions).isLessThan(commits);
        for (int i = 0; i < rooms; i++) {
            assertThat(get(s.load(room("g" + i))).documents()).hasSize(commitsPerRoom);
        }
    }

    @Test
    void load_hundredThousandRecords_returnsThemAll() {
        String r = room("large");
        int total = 100_000;
        int perCommit = 10_000;
        for (int start = 0; start < total; start += perCommit) {
            Map<String, RoomSnapshot.Document> puts = new LinkedHashMap<>();
            long clock = start / perCommit + 1;
            for (int i = start; i < start + perCommit; i++) {
                RoomSnapshot.Document d = doc("shape:" + i, clock, "index", "a" + i);
                puts.put("shape:" + i, d);
            }
            get(store.commit(commit(r, clock, puts, Map.of(), 0)));
        }

        RoomSnapshot loaded = get(store.load(r));

        assertThat(loaded.documents()).hasSize(total);
        assertThat(loaded.documentClock()).isEqualTo(total / perCommit);
        assertThat(loaded.documents().stream()
                        .map(d -> d.state().get("id"))
                        .distinct()
                        .count())
                .isEqualTo(total);
    }

    @Test
    void commit_idsTheDatabaseCannotHoldAsText_roundTripExactly() {
        String r = room("nul\u0000room");
        List<String> ids =
                List.of("shape:nul\u0000", "\u0001shape:marker", "shape:lone\uD800", "shape:low\uDC00x", "shape:ok🎨");
        Map<String, RoomSnapshot.Document> puts = new LinkedHashMap<>();
        for (String id : ids) {
            puts.put(id, doc(id, 1));
        }
        get(store.commit(commit(r, 2, puts, Map.of("shape:gone\u0000", 2L, "\u0001gone", 2L), 0)));

        assertSameRoom(
                get(store.load(r)),
                snapshot(2, List.copyOf(puts.values()), Map.of("shape:gone\u0000", 2L, "\u0001gone", 2L), 0));
        assertThat(get(store.load(room("nul")))).isNull();
    }

    @Test
    void saveVersion_beyondRetention_keepsNewest() {
        JdbcRoomStore s = open(builder().maxVersionsPerRoom(3));
        String r = room("retained");
        List<VersionInfo> saved = new ArrayList<>();
        for (int i = 1; i <= 5; i++) {
            saved.add(get(s.saveVersion(r, snapshot(i, List.of(doc("shape:a", i)), Map.of(), 0))));
        }

        assertThat(get(s.listVersions(r))).containsExactly(saved.get(4), saved.get(3), saved.get(2));
        assertThat(get(s.loadVersion(r, saved.get(0).id()))).isNull();
        assertSameRoom(get(s.loadVersion(r, saved.get(2).id())), snapshot(3, List.of(doc("shape:a", 3)), Map.of(), 0));
    }

    @Test
    void health_afterSuccessfulCommit_isOk() {
        get(store.commit(commit(room("h"), 1, puts(doc("shape:a", 1)), Map.of(), 0)));

        assertThat(store.health()).isEqualTo(StoreHealth.OK);
        assertThat(((JdbcRoomStore) store).stats().failedTransactions()).isZero();
    }

    @Test
    void commit_afterClose_failsWithStoreClosed() {
        store.close();

        assertThat(store.commit(commit(room("closed"), 1, puts(), Map.of(), 0)))
                .failsWithin(TIMEOUT)
                .withThrowableOfType(ExecutionException.class)
                .havingCause()
                .isInstanceOf(RoomStoreException.class)
                .withMessage("the room store is closed");
        store.close();
    }

    @Test
    void commit_toFullQueue_failsAtOnce() throws Exception {
        JdbcRoomStore s = open(builder().maxQueuedWrites(1).committerThreads(1));
        List<CompletableFuture<Void>> futures = new ArrayList<>();
        for (int i = 0; i < 500; i++) {
            futures.add(s.commit(commit(room("q" + i), 1, puts(doc("shape:a", 1)), Map.of(), 0)));
        }

        List<Throwable> failures = new ArrayList<>();
        for (CompletableFuture<Void> f : futures) {
            try {
                f.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
            } catch (ExecutionException e) {
                failures.add(e.getCause());
            }
        }
        assertThat(failures)
                .isNotEmpty()
                .allSatisfy(e -> assertThat(e)
                        .isInstanceOf(RoomStoreException.class)
                        .hasMessage("the room store's write queue is full (1 writes waiting)"));
        assertThat(failures.size()).isLessThan(futures.size());
    }

    @Test
    void loadEventResults_afterReopen_returnsFirstResults() {
        String r = room("events-reopen");
        EventResult result = new EventResult("ev-1", true, null, 1);
        get(store.commit(commit(r, 1, puts(doc("shape:a", 1)), Map.of(), 0).withEvents(Map.of("ev-1", result))));
        store.close();

        RoomStore reopened = open();

        assertThat(get(reopened.loadEventResults(r, List.of("ev-1")))).isEqualTo(Map.of("ev-1", result));
    }

    @Test
    void eventRetention_expiredResults_areDeletedAfterLaterWrites() {
        JdbcRoomStore s = open(builder().eventRetention(Duration.ofMillis(1)));
        String r = room("events-expire");
        get(s.commit(commit(r, 1, puts(doc("shape:a", 1)), Map.of(), 0)
                .withEvents(Map.of("ev-1", new EventResult("ev-1", true, null, 1)))));

        long[] clock = {1};
        await().atMost(TIMEOUT).untilAsserted(() -> {
            clock[0]++;
            // one committer of the store prunes, after writes of its own: a room a write, so some reach it
            String other = room("events-other-" + clock[0]);
            get(s.commit(commit(other, 1, puts(doc("shape:b", 1)), Map.of(), 0)));
            assertThat(get(s.loadEventResults(r, List.of("ev-1")))).isEmpty();
        });
        assertThat(get(s.load(r)).documents()).hasSize(1);
    }

    @Test
    void eventRetention_notPositive_isRefused() {
        assertThatThrownBy(() -> JdbcRoomStore.builder().eventRetention(Duration.ZERO))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("eventRetention must be > 0 but was PT0S");
    }

    /** Returns the cause of a failed future's join. */
    static Throwable causeOf(CompletableFuture<?> f) {
        try {
            f.join();
            throw new AssertionError("expected the future to fail");
        } catch (CompletionException e) {
            return e.getCause();
        }
    }
}
