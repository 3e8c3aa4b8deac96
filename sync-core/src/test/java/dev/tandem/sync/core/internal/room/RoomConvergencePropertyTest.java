package dev.tandem.sync.core.internal.room;

import static org.assertj.core.api.Assertions.assertThat;

import dev.tandem.sync.core.Room;
import dev.tandem.sync.core.RoomOptions;
import dev.tandem.sync.core.RoomSchema;
import dev.tandem.sync.core.RoomSnapshot;
import dev.tandem.sync.core.internal.json.Frozen;
import dev.tandem.sync.core.internal.json.FrozenMap;
import dev.tandem.sync.core.testing.ExhaustedSockets;
import dev.tandem.sync.core.testing.Gen;
import dev.tandem.sync.core.testing.ManualScheduler;
import dev.tandem.sync.core.testing.Property;
import dev.tandem.sync.core.testing.Rand;
import dev.tandem.sync.core.testing.RecordGen;
import dev.tandem.sync.core.testing.SimClient;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.stream.IntStream;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Convergence: simulated clients edit, delete and move presence at random, with delayed delivery, batching
 * and random disconnects and reconnects; at quiescence every client's document equals the server's and
 * every client sees every other session's presence.
 */
@ExtendWith(ExhaustedSockets.class)
class RoomConvergencePropertyTest {
    private static final Map<String, Object> SCHEMA = Map.of("schemaVersion", 2L, "sequences", Map.of("com.x", 1L));
    private static final int CLIENTS = 4;

    enum Kind {
        EDIT,
        REMOVE,
        PRESENCE,
        FLUSH,
        DELIVER,
        TICK,
        DISCONNECT,
        RECONNECT
    }

    record Step(Kind kind, int client, int record, long seed) {
        @Override
        public String toString() {
            return kind + "(c" + client + ",r" + record + "," + seed + ")";
        }
    }

    record Scenario(List<Step> steps) {}

    private static final Gen<Scenario> SCENARIOS = new Gen<>() {
        @Override
        public Scenario next(Rand rand) {
            int n = 5 + rand.nextInt(3 * rand.size() + 5);
            List<Step> steps = new ArrayList<>(n);
            Kind[] kinds = Kind.values();
            int[] weights = {30, 6, 8, 15, 20, 10, 3, 4};
            for (int i = 0; i < n; i++) {
                int roll = rand.nextInt(96);
                int k = 0;
                while (roll >= weights[k]) {
                    roll -= weights[k];
                    k++;
                }
                steps.add(new Step(kinds[k], rand.nextInt(CLIENTS), rand.nextInt(6), rand.nextLong()));
            }
            return new Scenario(steps);
        }

        @Override
        public Stream<Scenario> shrink(Scenario s) {
            List<Step> steps = s.steps();
            if (steps.size() <= 1) {
                return Stream.empty();
            }
            Stream<Scenario> halves = Stream.of(
                    new Scenario(steps.subList(0, steps.size() / 2)),
                    new Scenario(steps.subList(steps.size() / 2, steps.size())));
            Stream<Scenario> dropOne = IntStream.range(0, steps.size()).mapToObj(i -> {
                List<Step> fewer = new ArrayList<>(steps);
                fewer.remove(i);
                return new Scenario(fewer);
            });
            return Stream.concat(halves, dropOne);
        }
    };

    @Test
    void randomEditsDelaysAndReconnects_converge() {
        Property.check("room convergence", 1500, SCENARIOS, RoomConvergencePropertyTest::run);
    }

    private static void run(Scenario scenario) {
        ManualScheduler clock = new ManualScheduler();
        Room room = Room.create(
                "prop",
                RoomOptions.builder()
                        .schema(RoomSchema.pinned())
                        .scheduler(clock)
                        .executor(Runnable::run)
                        .idleTimeout(Duration.ZERO)
                        .build());
        List<SimClient> clients = new ArrayList<>();
        for (int i = 0; i < CLIENTS; i++) {
            SimClient c = new SimClient("s" + i, false, SCHEMA);
            c.open(room);
            clients.add(c);
        }
        for (Step step : scenario.steps()) {
            SimClient c = clients.get(step.client());
            Rand rand = new Rand(step.seed(), 20);
            String id = "shape:" + step.record();
            switch (step.kind()) {
                case EDIT -> {
                    FrozenMap existing = c.view().get(id);
                    if (existing == null) {
                        c.put(withIdentity(RecordGen.record(rand), id));
                    } else {
                        c.update(withIdentity(RecordGen.mutate(rand, existing), id));
                    }
                }
                case REMOVE -> c.remove(id);
                case PRESENCE ->
                    c.presence(Map.of(
                            "id", "instance_presence:x",
                            "typeName", "instance_presence",
                            "cursor", Map.of("x", rand.nextInt(100), "y", rand.nextInt(100))));
                case FLUSH -> c.flush();
                case DELIVER -> c.deliver();
                case TICK -> clock.advance(Duration.ofMillis(1 + rand.nextInt(40)));
                case DISCONNECT -> c.disconnect();
                case RECONNECT -> {
                    c.receive();
                    if (!c.isOpen()) {
                        c.open(room);
                    }
                }
            }
        }
        // quiescence: everyone reconnects, and frames flow until nothing moves
        for (SimClient c : clients) {
            c.receive();
            if (!c.isOpen()) {
                c.open(room);
            }
        }
        for (int round = 0; round < 12; round++) {
            clock.advance(Duration.ofMillis(20));
            for (SimClient c : clients) {
                c.deliver();
            }
        }
        RoomSnapshot snapshot = room.snapshot().join();
        TreeMap<String, FrozenMap> server = new TreeMap<>();
        for (RoomSnapshot.Document d : snapshot.documents()) {
            server.put((String) d.state().get("id"), Frozen.freezeMap(d.state()));
        }
        for (SimClient c : clients) {
            assertThat(c.isConnected()).as(c.sessionId() + " connected").isTrue();
            assertThat(c.documents()).as(c.sessionId() + " documents").isEqualTo(server);
            assertThat(c.lastServerClock()).as(c.sessionId() + " clock").isEqualTo(snapshot.documentClock());
        }
        // everyone sees exactly the presence of the other sessions that have one
        Map<String, Integer> seenBy = new LinkedHashMap<>();
        for (SimClient c : clients) {
            c.peersPresence().keySet().forEach(p -> seenBy.merge(p, 1, Integer::sum));
        }
        seenBy.values().forEach(count -> assertThat(count).isEqualTo(CLIENTS - 1));
        room.close();
    }

    private static Map<String, Object> withIdentity(Map<String, Object> record, String id) {
        Map<String, Object> m = new LinkedHashMap<>(record);
        m.put("id", id);
        m.put("typeName", "shape");
        return m;
    }
}
