#!/usr/bin/env bash
# Runs the persistence benchmarks: push latency and commits/s for the memory, sqlite and postgres stores in
# sync and async durability, the load time of a 100,000-record room, and heap per loaded room.
#   sync-bench/run-persistence.sh [--parts latency,saturation,loadtime,memory] [--stores memory,sqlite,postgres]
#                                 [--modes sync,async] [--clients 50] [--rooms 10] [--rate 500]
#                                 [--saturation-rate 5000] [--duration 20] [--warmup 3] [--repeat 1]
#                                 [--records 100000] [--memory-rooms 100] [--memory-records 1000]
#                                 [--server-jvm "-Xms1g -Xmx1g"] [--pg-user postgres] [--out DIR]
# Needs PostgreSQL on 127.0.0.1:5432 reachable with psql as --pg-user (it creates and drops a database
# tandem_bench_<random> per step). Prints Markdown tables; they and the JSON lines go to --out (default
# sync-bench/target/persistence).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -pl sync-bench -am package -DskipTests
exec java -Xmx3g -cp sync-bench/target/benchmarks.jar dev.tandem.sync.bench.persist.PersistenceBenchmark "$@"
