#!/usr/bin/env bash
# Runs the load comparison Tandem vs tldraw's TLSocketRoom vs the raw relay on this machine.
#   sync-bench/run-comparison.sh [--rates 2000,4000] [--saturation 8000] [--duration 20] [--warmup 30]
#                                [--servers tandem,tldraw,relay] [--clients 200] [--rooms 10] [--out DIR]
#                                [--generator java|tldraw] [--workload synthetic|tldraw] [--generator-processes N]
# --generator tldraw drives the load with tldraw's own TLSyncClient in Node (load-generator.mjs); --workload tldraw
# runs 20 users per room moving cursors at 30 pushes/s while 3 of them drag shapes (offered rate / 30 users).
# The room-size measure (heap per record, fresh-client receive time) is a separate run:
#   java -cp sync-bench/target/benchmarks.jar dev.tandem.sync.bench.load.RoomSize [--records 20000,100000]
# Builds the server jar and sync-bench, installs tldraw's npm packages, then prints a Markdown table; the JSON
# lines, the table and comparison.png go to --out (default sync-bench/target/comparison).
set -euo pipefail
cd "$(dirname "$0")/.."
./mvnw -q -pl sync-bench -am package -DskipTests
if [ ! -d sync-server-jetty/src/test/node/node_modules/@tldraw/sync-core ]; then
  (cd sync-server-jetty/src/test/node && npm ci --no-audit --no-fund --loglevel=error)
fi
exec java -Djava.awt.headless=true -cp sync-bench/target/benchmarks.jar dev.tandem.sync.bench.load.Comparison "$@"
