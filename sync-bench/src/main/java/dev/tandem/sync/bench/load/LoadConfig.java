package dev.tandem.sync.bench.load;

import java.net.URI;
import java.time.Duration;
import java.util.List;
import java.util.Objects;

/**
 * One load-generator run: {@code clients} light protocol clients spread over {@code rooms} rooms of one server,
 * pushing at {@code opsPerSecond} in total (open loop) for {@code warmup + duration}, each at most
 * {@code changesPerClient} changes.
 *
 * @param url the server's base URL ({@code http://127.0.0.1:8787/}); clients open {@code ws://…/connect/<room>}
 * @param label a name for the server in the JSON line
 * @param clients clients in this process, at most 4096
 * @param rooms rooms in this process; client {@code i} joins room {@code roomOffset + i % rooms}
 * @param roomOffset the first room index, so several generator processes use disjoint rooms
 * @param roomPrefix room names are {@code roomPrefix + "-" + index}
 * @param opsPerSecond the offered rate over all clients of this process
 * @param changesPerClient the most changes one client makes
 * @param warmup pushes run but nothing is measured
 * @param duration the measured window
 * @param drain the longest wait for outstanding results after the window
 * @param maxInFlight pushes one client may have without a result; further offered pushes are skipped
 * @param serverPid the server's pid for CPU and RSS from {@code /proc}, or 0 for none
 * @param moreUrls further nodes of a cluster ({@code --url a,b,c}): client {@code i} connects to node {@code i %
 *     nodes}, {@code url} being node 0
 * @param workload what each push carries: {@link Workload#SYNTHETIC} small page records, or {@link
 *     Workload#TLDRAW} tldraw users moving cursors while a few drag shapes
 */
public record LoadConfig(
        URI url,
        String label,
        int clients,
        int rooms,
        int roomOffset,
        String roomPrefix,
        double opsPerSecond,
        int changesPerClient,
        Duration warmup,
        Duration duration,
        Duration drain,
        int maxInFlight,
        long serverPid,
        List<URI> moreUrls,
        Workload workload) {

    /** What the clients do. */
    public enum Workload {
        /** Each push creates or updates one small {@code page} record (half each). */
        SYNTHETIC,
        /**
         * tldraw users: every client moves its cursor (an {@code instance_presence} patch per push, at the 30
         * pushes/s tldraw's client throttles itself to while collaborating) and {@link #DRAWERS_PER_ROOM} of
         * every {@link #USERS_PER_ROOM} also drag a geo shape in the same push, creating a new one every
         * {@link #DRAG_PUSHES} pushes.
         */
        TLDRAW;

        /** tldraw's {@code COLLABORATIVE_MODE_FPS} in {@code @tldraw/sync-core} 5.4.2's TLSyncClient. */
        public static final int PUSHES_PER_SECOND = 30;

        public static final int USERS_PER_ROOM = 20;
        public static final int DRAWERS_PER_ROOM = 3;
        public static final int DRAG_PUSHES = 90;

        static Workload parse(String name) {
            return switch (name) {
                case "synthetic" -> SYNTHETIC;
                case "tldraw" -> TLDRAW;
                default -> throw new IllegalArgumentException("workload must be synthetic or tldraw but was " + name);
            };
        }
    }

    public LoadConfig {
        Objects.requireNonNull(workload, "workload");
        Objects.requireNonNull(url, "url");
        moreUrls = List.copyOf(moreUrls);
        Objects.requireNonNull(label, "label");
        Objects.requireNonNull(roomPrefix, "roomPrefix");
        if (clients <= 0 || clients > 4096) {
            throw new IllegalArgumentException("clients must be in 1..4096 but was " + clients);
        }
        if (rooms <= 0 || rooms > clients) {
            throw new IllegalArgumentException("rooms must be in 1..clients but was " + rooms);
        }
        if (opsPerSecond <= 0) {
            throw new IllegalArgumentException("opsPerSecond must be > 0 but was " + opsPerSecond);
        }
        if (changesPerClient <= 0) {
            throw new IllegalArgumentException("changesPerClient must be > 0 but was " + changesPerClient);
        }
        if (maxInFlight <= 0) {
            throw new IllegalArgumentException("maxInFlight must be > 0 but was " + maxInFlight);
        }
    }

    /** A run against one server. */
    public LoadConfig(
            URI url,
            String label,
            int clients,
            int rooms,
            int roomOffset,
            String roomPrefix,
            double opsPerSecond,
            int changesPerClient,
            Duration warmup,
            Duration duration,
            Duration drain,
            int maxInFlight,
            long serverPid) {
        this(
                url,
                label,
                clients,
                rooms,
                roomOffset,
                roomPrefix,
                opsPerSecond,
                changesPerClient,
                warmup,
                duration,
                drain,
                maxInFlight,
                serverPid,
                List.of(),
                Workload.SYNTHETIC);
    }

    /** Returns every node's base URL: {@code url} first. */
    public List<URI> urls() {
        List<URI> all = new java.util.ArrayList<>();
        all.add(url);
        all.addAll(moreUrls);
        return all;
    }

    /** Parses {@code --name value} arguments; see {@link LoadGenerator} for the names and defaults. */
    public static LoadConfig parse(String... args) {
        URI url = URI.create("http://127.0.0.1:8787/");
        List<URI> more = List.of();
        String label = "server";
        int clients = 200;
        int rooms = -1;
        double rate = -1;
        Workload workload = Workload.SYNTHETIC;
        int roomOffset = 0;
        String prefix = "lg-" + Long.toString(System.currentTimeMillis() % 1_000_000_000L, 36);
        int changes = 100_000;
        Duration warmup = Duration.ofSeconds(3);
        Duration duration = Duration.ofSeconds(20);
        Duration drain = Duration.ofSeconds(3);
        int maxInFlight = 256;
        long pid = 0;
        for (int i = 0; i < args.length; i++) {
            String name = args[i];
            if (i + 1 >= args.length) {
                throw new IllegalArgumentException("missing value for " + name);
            }
            String v = args[++i];
            switch (name) {
                case "--url" -> {
                    List<URI> given = new java.util.ArrayList<>();
                    for (String u : v.split(",")) {
                        given.add(URI.create(u.endsWith("/") ? u : u + "/"));
                    }
                    url = given.get(0);
                    more = given.subList(1, given.size());
                }
                case "--label" -> label = v;
                case "--clients" -> clients = Integer.parseInt(v);
                case "--rooms" -> rooms = Integer.parseInt(v);
                case "--room-offset" -> roomOffset = Integer.parseInt(v);
                case "--room-prefix" -> prefix = v;
                case "--rate" -> rate = Double.parseDouble(v);
                case "--changes" -> changes = Integer.parseInt(v);
                case "--warmup" -> warmup = Duration.ofMillis((long) (Double.parseDouble(v) * 1000));
                case "--duration" -> duration = Duration.ofMillis((long) (Double.parseDouble(v) * 1000));
                case "--drain" -> drain = Duration.ofMillis((long) (Double.parseDouble(v) * 1000));
                case "--max-in-flight" -> maxInFlight = Integer.parseInt(v);
                case "--server-pid" -> pid = Long.parseLong(v);
                case "--workload" -> workload = Workload.parse(v);
                default -> throw new IllegalArgumentException("unknown option " + name);
            }
        }
        if (rooms < 0) {
            // tldraw's workload: 20 users per room
            rooms = workload == Workload.TLDRAW ? Math.max(1, clients / Workload.USERS_PER_ROOM) : 10;
        }
        if (rate < 0) {
            rate = workload == Workload.TLDRAW ? clients * (double) Workload.PUSHES_PER_SECOND : 2000;
        }
        return new LoadConfig(
                url,
                label,
                clients,
                rooms,
                roomOffset,
                prefix,
                rate,
                changes,
                warmup,
                duration,
                drain,
                maxInFlight,
                pid,
                more,
                workload);
    }
}
