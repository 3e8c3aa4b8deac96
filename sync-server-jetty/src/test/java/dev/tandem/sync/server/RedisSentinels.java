package dev.tandem.sync.server;

import static org.awaitility.Awaitility.await;

import io.lettuce.core.RedisClient;
import io.lettuce.core.RedisURI;
import io.lettuce.core.sentinel.api.StatefulRedisSentinelConnection;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.SocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

/**
 * A Redis master, one replica and three Sentinels ({@code redis-server --sentinel}) started by a test on free
 * loopback ports in a temporary directory, with a quick fail-over (master down after 1 s). {@link #close()} kills
 * every process and deletes the directory.
 */
final class RedisSentinels implements AutoCloseable {
    static final String MASTER_NAME = "mymaster";

    private final Path dir;
    private final int masterPort;
    private final int replicaPort;
    private final List<Integer> sentinelPorts = new ArrayList<>();
    private final List<Process> processes = new ArrayList<>();
    private final Process master;

    RedisSentinels() throws IOException {
        this.dir = Files.createTempDirectory("tandem-sentinels");
        this.masterPort = freePort();
        this.replicaPort = freePort();
        try {
            this.master = redis(List.of("--port", Integer.toString(masterPort)), "master");
            redis(
                    List.of(
                            "--port",
                            Integer.toString(replicaPort),
                            "--replicaof",
                            "127.0.0.1",
                            Integer.toString(masterPort)),
                    "replica");
            for (int i = 0; i < 3; i++) {
                int port = freePort();
                sentinelPorts.add(port);
                Path conf = dir.resolve("sentinel-" + i + ".conf");
                Files.writeString(
                        conf,
                        String.join(
                                "\n",
                                "port " + port,
                                "bind 127.0.0.1",
                                "dir " + dir,
                                "sentinel monitor " + MASTER_NAME + " 127.0.0.1 " + masterPort + " 2",
                                "sentinel down-after-milliseconds " + MASTER_NAME + " 1000",
                                "sentinel failover-timeout " + MASTER_NAME + " 5000",
                                "sentinel parallel-syncs " + MASTER_NAME + " 1",
                                ""));
                start(List.of("redis-server", conf.toString(), "--sentinel"), "sentinel-" + i);
            }
            // ready: every Sentinel knows the other two and the replica
            try (RedisClient client = RedisClient.create()) {
                for (int port : sentinelPorts) {
                    try (StatefulRedisSentinelConnection<String, String> s =
                            client.connectSentinel(RedisURI.create("redis://127.0.0.1:" + port))) {
                        await().atMost(Duration.ofSeconds(30))
                                .pollInterval(Duration.ofMillis(100))
                                .until(() -> {
                                    java.util.Map<String, String> m = s.sync().master(MASTER_NAME);
                                    return "2".equals(m.get("num-other-sentinels")) && "1".equals(m.get("num-slaves"));
                                });
                    }
                }
            }
        } catch (RuntimeException | IOException e) {
            close();
            throw e;
        }
    }

    /** Returns the Sentinels as a Lettuce URI naming the master. */
    String uri() {
        StringBuilder b = new StringBuilder("redis-sentinel://");
        for (int i = 0; i < sentinelPorts.size(); i++) {
            b.append(i == 0 ? "" : ",").append("127.0.0.1:").append(sentinelPorts.get(i));
        }
        return b.append("#").append(MASTER_NAME).toString();
    }

    int masterPort() {
        return masterPort;
    }

    int replicaPort() {
        return replicaPort;
    }

    /** Kills the master with SIGKILL. */
    void killMaster() throws InterruptedException {
        master.destroyForcibly();
        master.waitFor(10, TimeUnit.SECONDS);
    }

    /** Returns the port of the master the first Sentinel names now. */
    int currentMasterPort() {
        try (RedisClient client = RedisClient.create();
                StatefulRedisSentinelConnection<String, String> s =
                        client.connectSentinel(RedisURI.create("redis://127.0.0.1:" + sentinelPorts.get(0)))) {
            SocketAddress a = s.sync().getMasterAddrByName(MASTER_NAME);
            return ((InetSocketAddress) a).getPort();
        }
    }

    private Process redis(List<String> args, String name) throws IOException {
        Path data = Files.createDirectories(dir.resolve(name));
        List<String> command = new ArrayList<>(List.of(
                "redis-server", "--bind", "127.0.0.1", "--save", "", "--appendonly", "no", "--dir", data.toString()));
        command.addAll(args);
        return start(command, name);
    }

    private Process start(List<String> command, String name) throws IOException {
        Process p = new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(dir.resolve(name + ".log").toFile())
                .start();
        processes.add(p);
        return p;
    }

    private static int freePort() throws IOException {
        try (ServerSocket s = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
            return s.getLocalPort();
        }
    }

    @Override
    public void close() {
        for (Process p : processes) {
            p.destroyForcibly();
        }
        for (Process p : processes) {
            try {
                p.waitFor(10, TimeUnit.SECONDS);
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            }
        }
        try (Stream<Path> files = Files.walk(dir)) {
            files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
        } catch (IOException ignored) {
            // a temporary directory
        }
    }
}
