package dev.tandem.sync.client;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.client.testing.ClientRig;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.testing.Gen;
import dev.tandem.sync.core.testing.Property;
import dev.tandem.sync.core.testing.Rand;
import dev.tandem.sync.core.testing.RecordGen;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.atomic.AtomicReference;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

/**
 * Convergence of real SyncClients: two to four clients on one room edit, delete and move presence at random
 * while the test interleaves their processing, advances time (throttled pushes, batched room output,
 * backoff), drops their connections and has the room close sessions; the room's host edits too. Once the
 * network is left alone, every client's documents equal the room's and every client sees the others'
 * presence.
 */
class SyncClientConvergencePropertyTest {
    private static final RoomSchema SCHEMA = RoomSchema.builder()
            .sequence("com.example.shape", 2)
            .sequence("com.example.store", 1)
            .documentType("shape")
            .presenceType("instance_presence")
            .build();

    enum Kind {
        EDIT,
        REMOVE,
        PRESENCE,
        DELIVER,
        TICK,
        DROP,
        SERVER_CLOSE,
        HOST_EDIT
    }

    record Step(Kind kind, int client, int record, long seed) {
        @Override
        public String toString() {
            return kind + "(c" + client + ",r" + record + "," + seed + ")";
        }
    }

    record Scenario(int clients, long seed, List<Step> steps) {}

    private static final int[] WEIGHTS = {30, 7, 6, 22, 20, 3, 2, 4};

    private static final Gen<Scenario> SCENARIOS = new Gen<>() {
        @Override
        public Scenario next(Rand rand) {
            int clients = 2 + rand.nextInt(3);
            int n = 5 + rand.nextInt(rand.size() + 10);
            List<Step> steps = new ArrayList<>(n);
            int total = IntStream.of(WEIGHTS).sum();
            for (int i = 0; i < n; i++) {
                int roll = rand.nextInt(total);
                int k = 0;
                while (roll >= WEIGHTS[k]) {
                    roll -= WEIGHTS[k];
                    k++;
                }
                steps.add(new Step(Kind.values()[k], rand.nextInt(clients), rand.nextInt(5), rand.nextLong()));
            }
            return new Scenario(clients, rand.nextLong(), steps);
        }

        @Override
        public Stream<Scenario> shrink(Scenario s) {
            List<Step> steps = s.steps();
            if (steps.size() <= 1) {
                return Stream.empty();
            }
            Stream<Scenario> halves = Stream.of(
                    new Scenario(s.clients(), s.seed(), steps.subList(0, steps.size() / 2)),
                    new Scenario(s.clients(), s.seed(), steps.subList(steps.size() / 2, steps.size())));
            Stream<Scenario> dropOne = IntStream.range(0, steps.size()).mapToObj(i -> {
                List<Step> fewer = new ArrayList<>(steps);
                fewer.remove(i);
                return new Scenario(s.clients(), s.seed(), fewer);
            });
            return Stream.concat(halves, dropOne);
        }
    };

    @Test
    void randomEditsDeletesAndReconnects_converge() {
        Property.check("sync client convergence", 400, SCENARIOS, SyncClientConvergencePropertyTest::run);
    }

    private static void run(Scenario scenario) {
        try (ClientRig rig = new ClientRig(Duration.ofNanos(1_000_000_000L / 60), scenario.seed(), SCHEMA)) {
            List<SyncClient> clients = new ArrayList<>();
            List<AtomicReference<Map<String, Object>>> presences = new ArrayList<>();
            for (int i = 0; i < scenario.clients(); i++) {
                AtomicReference<Map<String, Object>> presence = new AtomicReference<>(Map.of("cursor", i));
                presences.add(presence);
                clients.add(rig.client(rig.builder("s" + i, false).presence(presence::get)));
            }
            rig.pump();
            for (Step step : scenario.steps()) {
                SyncClient c = clients.get(step.client());
                Rand rand = new Rand(step.seed(), 20);
                String id = "shape:" + step.record();
                switch (step.kind()) {
                    case EDIT -> {
                        if (!c.store().update(id, r -> withIdentity(RecordGen.mutate(rand, r), id))) {
                            c.store().put(withIdentity(RecordGen.record(rand), id));
                        }
                    }
                    case REMOVE -> c.store().remove(id);
                    case PRESENCE -> {
                        presences.get(step.client()).set(Map.of("cursor", rand.nextInt(100)));
                        c.presenceChanged();
                    }
                    case DELIVER -> rig.lane(step.client()).runAll();
                    case TICK -> rig.clock.advance(Duration.ofMillis(1 + rand.nextInt(rand.chance(0.1) ? 1500 : 60)));
                    case DROP -> rig.transport.drop(c.sessionId());
                    case SERVER_CLOSE ->
                        rig.room.closeSession(c.sessionId(), null).join();
                    case HOST_EDIT ->
                        rig.room
                                .update(tx -> {
                                    if (tx.get(id) != null && rand.chance(0.3)) {
                                        tx.delete(id);
                                    } else {
                                        tx.put(withIdentity(RecordGen.record(rand), id));
                                    }
                                })
                                .join();
                }
            }
            rig.settle();
            Map<String, Map<String, Object>> server = rig.serverDocuments();
            for (SyncClient c : clients) {
                assertThat(c.status()).as(c.sessionId() + " status").isEqualTo(SyncStatus.ONLINE);
                assertThat(ClientRig.documents(c))
                        .as(c.sessionId() + " documents")
                        .isEqualTo(server);
                assertThat(c.store().query("instance_presence"))
                        .as(c.sessionId() + " sees the others' presence")
                        .hasSize(scenario.clients() - 1);
                assertThat(c.lastServerClock()).as(c.sessionId() + " clock").isEqualTo(rig.room.documentClock());
            }
        }
    }

    private static Map<String, Object> withIdentity(Map<String, ?> record, String id) {
        Map<String, Object> m = new LinkedHashMap<>(record);
        m.put("id", id);
        m.put("typeName", "shape");
        return m;
    }
}
