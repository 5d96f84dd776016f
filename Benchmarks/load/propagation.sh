#!/usr/bin/env bash
# Two khaothi nodes on a fresh PostgreSQL with the demo's exams; Benchmarks/load/propagation.py measures how long
# added time, a pause, a logout and a takeover made through one node take to show on the other (goal: 2 s), and
# that a save through the other node right after a pause or a takeover is refused at once.
#
#   Benchmarks/load/propagation.sh [trials=8]        (KHAOTHI_SERVER=path: that binary instead of the release build)
set -euo pipefail
cd "$(dirname "$0")/../.."
trials=${1:-8}
server=${KHAOTHI_SERVER:-}
if [ -z "$server" ]; then
  swift build -c release --product khaothi >/dev/null
  server=.build/release/khaothi
fi
. Benchmarks/load/pg-cluster.sh
pg_cluster_start ""
command psql -h 127.0.0.1 -p "$port" -U khaothi -d postgres -q -c "CREATE DATABASE demo"
url="postgres://khaothi@127.0.0.1:$port/demo"
"$server" demo --db "$url" --no-serve --logins-out "$work/logins.json" >"$work/demo.log"
nodes=()
stop_nodes() { for pid in "${nodes[@]}"; do kill "$pid" 2>/dev/null || true; done; pg_cluster_cleanup; }
trap stop_nodes EXIT
a=$((port + 1)); b=$((port + 2))
for p in $a $b; do
  KHAOTHI_DATABASE="$url" "$server" serve --api-only --port "$p" >"$work/node$p.log" 2>&1 &
  nodes+=($!)
done
for p in $a $b; do
  for _ in $(seq 100); do curl -sf "http://127.0.0.1:$p/healthz" >/dev/null && break; sleep 0.2; done
done
python3 Benchmarks/load/propagation.py "http://127.0.0.1:$a" "http://127.0.0.1:$b" "$work/logins.json" "$trials"
