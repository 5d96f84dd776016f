#!/usr/bin/env bash
# The load generator on the two engines in one run (issue 15): the same start storm, steady autosave and submit
# storm on one node, first on SQLite (the default), then on a fresh PostgreSQL cluster on the same cores
# (fsync and synchronous_commit on). Compare the two runs' `events` req/s (durable saves, each acknowledged after
# its group's commit) and their start storms.
#
#   Benchmarks/load/engines.sh [candidates=10000] [storm=10] [steady=30] [think=2]
set -euo pipefail
cd "$(dirname "$0")/../.."
candidates=${1:-10000}
storm=${2:-10}
steady=${3:-30}
think=${4:-2}
swift build -c release --product khaothi >/dev/null
swift build -c release --package-path Benchmarks --product loadgen >/dev/null
. Benchmarks/load/pg-cluster.sh
pg_cluster_start "max_connections = 200"
command psql -h 127.0.0.1 -p "$port" -U khaothi -d postgres -q -c "CREATE DATABASE load"
run() {
  Benchmarks/.build/release/loadgen --server .build/release/khaothi --root . --candidates "$candidates" --storm "$storm" \
    --steady "$steady" --think "$think" --submit 10 "$@"
}
echo "== SQLite"
run
echo "== PostgreSQL $("$bin/postgres" --version | awk '{print $3}')"
run --database "postgres://khaothi@127.0.0.1:$port/load"
