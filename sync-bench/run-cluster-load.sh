#!/usr/bin/env bash
# Runs the same load on one Tandem node and on a three-node cluster (Redis relay), for docs/scaling.md.
#   sync-bench/run-cluster-load.sh [clients=60] [rooms=10] [rate=600] [duration=15] [modes="one three"]
# Modes: one (a single node), one-redis (a single node in cluster mode: leases, no relay hop), three (three
# nodes; client i connects to node i % 3, so two thirds of the sessions are relayed).
# Needs PostgreSQL on 127.0.0.1:5432 (user postgres, trust) and Redis on 127.0.0.1:6379. Creates and drops a
# database tandem_cluster_load_<random> per run and uses Redis keys under a random prefix, deleted afterwards.
# Prints one JSON line per run (LoadGenerator's), prefixed by the run's name.
set -euo pipefail
cd "$(dirname "$0")/.."
CLIENTS=${1:-60}
ROOMS=${2:-10}
RATE=${3:-600}
DURATION=${4:-15}
MODES=${5:-one three}
./mvnw -q -pl sync-bench,sync-server-jetty -am package -DskipTests
JAR=sync-server-jetty/target/tandem-server.jar
PIDS=()
cleanup() {
  for p in "${PIDS[@]:-}"; do [ -n "$p" ] && kill "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap cleanup EXIT

start_node() { # db port redis-args...
  local db=$1 port=$2; shift 2
  java -Xms512m -Xmx512m -jar "$JAR" --port "$port" --store postgres --inbound-bytes-per-second 1GiB \
    --jdbc-url "jdbc:postgresql://127.0.0.1:5432/$db" --jdbc-user postgres "$@" \
    > "target/cluster-load-$port.log" 2>&1 &
  PIDS+=($!)
  for _ in $(seq 1 600); do
    grep -q "Tandem started" "target/cluster-load-$port.log" 2>/dev/null && return 0
    sleep 0.1
  done
  echo "node on $port did not start" >&2; exit 1
}

run() { # name db urls
  local name=$1 db=$2 urls=$3
  echo -n "$name "
  java -Xmx1g -cp sync-bench/target/benchmarks.jar dev.tandem.sync.bench.load.LoadGenerator \
    --url "$urls" --label "$name" --clients "$CLIENTS" --rooms "$ROOMS" --rate "$RATE" \
    --warmup 5 --duration "$DURATION" --drain 5
}

mkdir -p target
for mode in $MODES; do
  id=$(head -c 6 /dev/urandom | od -An -tx1 | tr -d ' \n')
  db="tandem_cluster_load_$id"
  psql -h 127.0.0.1 -U postgres -qc "CREATE DATABASE $db"
  if [ "$mode" = one ]; then
    start_node "$db" 18801
    run one-node "$db" "http://127.0.0.1:18801/"
  elif [ "$mode" = one-redis ]; then
    start_node "$db" 18802 --redis-url redis://127.0.0.1:6379 --redis-prefix "tandem-load-$id" --node-id n0
    run one-node-cluster-mode "$db" "http://127.0.0.1:18802/"
  else
    for i in 0 1 2; do
      start_node "$db" "1881$i" --redis-url redis://127.0.0.1:6379 --redis-prefix "tandem-load-$id" --node-id "n$i"
    done
    run three-nodes "$db" "http://127.0.0.1:18810/,http://127.0.0.1:18811/,http://127.0.0.1:18812/"
  fi
  cleanup
  PIDS=()
  redis-cli --scan --pattern "tandem-load-$id:*" | xargs -r redis-cli del > /dev/null || true
  psql -h 127.0.0.1 -U postgres -qc "DROP DATABASE IF EXISTS $db WITH (FORCE)"
done
