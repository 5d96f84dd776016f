#!/usr/bin/env bash
# The multi-node crash test (issue 15): N khaothi nodes on one PostgreSQL, candidates spread over the nodes at
# random (no sticky routing), while nodes are killed with SIGKILL and restarted and PostgreSQL itself is stopped
# with `pg_ctl stop -m immediate` (a crash: no checkpoint, recovery from the WAL) and started again. Some
# candidates move to another computer mid-exam: they sign in again on one node and their old computer's next save,
# sent through another node, must be refused. At the end the load generator copies the database back to SQLite
# and proves that no acknowledged answer is missing, every final answer is the last acknowledged one, and no
# refused save was stored (exit 1 otherwise).
#
#   Benchmarks/load/multinode-crash-test.sh [kills=10] [pg-restarts=3] [candidates=2000] [seconds=90] [nodes=3] [takeovers=50]
#
# PostgreSQL 15 (Debian's postgresql; as root the cluster runs as the postgres user) is started in a fresh
# cluster on a free port, fsync and synchronous_commit on. KHAOTHI_SERVER=path uses that khaothi binary (CI's
# smoke run uses the debug build) instead of building the release one.
set -euo pipefail
cd "$(dirname "$0")/../.."
kills=${1:-10}
restarts=${2:-3}
candidates=${3:-2000}
seconds=${4:-90}
nodes=${5:-3}
takeovers=${6:-50}
server=${KHAOTHI_SERVER:-}
if [ -z "$server" ]; then
  swift build -c release --product khaothi >/dev/null
  server=.build/release/khaothi
fi
[ -x Benchmarks/.build/release/loadgen ] && [ -n "${KHAOTHI_SERVER:-}" ] || swift build -c release --package-path Benchmarks --product loadgen >/dev/null

. Benchmarks/load/pg-cluster.sh
pg_cluster_start "max_connections = 400"
command psql -h 127.0.0.1 -p "$port" -U khaothi -d postgres -q -c "CREATE DATABASE load"

# A crash of the database: immediate stop (no shutdown checkpoint), a moment down, then start (WAL recovery).
pg=""
[ "$(id -u)" = 0 ] && pg="runuser -u postgres --"
cat >"$work/restart-pg.sh" <<SCRIPT
#!/bin/sh
set -e
$pg "$bin/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null
sleep 2
$pg "$bin/pg_ctl" -D "$work/pg" -l "$work/pg.log" -w start >/dev/null
SCRIPT
chmod +x "$work/restart-pg.sh"
Benchmarks/.build/release/loadgen --server "$server" --root . --database "postgres://khaothi@127.0.0.1:$port/load" --nodes "$nodes" \
  --candidates "$candidates" --storm 10 --steady "$seconds" --think 2 --submit 10 --kills "$kills" \
  --pg-restarts "$restarts" --pg-restart-command "$work/restart-pg.sh" --takeovers "$takeovers"
