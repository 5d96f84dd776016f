#!/usr/bin/env bash
# Durable answer saves on the two engines issue 15 weighs, with the statements khaothi's writer sends: the check
# of the attempts, the append-only event log (INSERT … ON CONFLICT DO NOTHING) and the latest answer per item
# (upsert, the highest sequence wins). Each transaction is committed durably (PostgreSQL: synchronous_commit=on,
# fsync=on; SQLite: WAL, synchronous=FULL) and holds one save or a group of them, as one node's group commit sends.
#
#   Benchmarks/load/engine-saves.sh [seconds=10] [clients="64 512"] [groups="1 16"]
#
# PostgreSQL 15 (Debian's postgresql-15; run as root, the server runs as the postgres user) is started on a free
# port in a fresh cluster and driven by pgbench with that many clients; SQLite by one writer (a group commit has
# one writer per node) in Python's sqlite3, which costs little next to an fsync. Everything on the same cores.
set -euo pipefail
cd "$(dirname "$0")/../.."
seconds=${1:-10}
clients=${2:-"64 512"}
groups=${3:-"1 16"}
. Benchmarks/load/pg-cluster.sh
[ -x "$bin/pgbench" ] || { echo "needs pgbench: apt-get install postgresql" >&2; exit 1; }
pg_cluster_start "max_connections = 600
shared_buffers = 256MB"
psql() { command psql -h 127.0.0.1 -p "$port" -U khaothi -d postgres -v ON_ERROR_STOP=1 -q "$@"; }

schema_pg='
CREATE TABLE attempt (id bigint PRIMARY KEY, deviceToken text NOT NULL, state text NOT NULL, deadline timestamptz NOT NULL);
CREATE TABLE responseEvent (attemptId bigint NOT NULL REFERENCES attempt, sequence bigint NOT NULL, itemKey text NOT NULL, value text NOT NULL,
                            clientTime timestamptz, receivedAt timestamptz NOT NULL, PRIMARY KEY (attemptId, sequence));
CREATE TABLE response (attemptId bigint NOT NULL REFERENCES attempt, itemKey text NOT NULL, value text NOT NULL, sequence bigint NOT NULL,
                       receivedAt timestamptz NOT NULL, PRIMARY KEY (attemptId, itemKey));
INSERT INTO attempt SELECT g, md5(g::text), '"'"'running'"'"', now() + interval '"'"'2 hours'"'"' FROM generate_series(1, 10000) g;'
psql -c "$schema_pg"

# One pgbench script per group size: the check, then multi-row inserts of `group` saves.
script() {
  local group=$1 f="$work/group$1.sql" i
  {
    for i in $(seq "$group"); do
      echo "\\set a$i random(1, 10000)"
      echo "\\set s$i random(1, 9000000000000000)"
      echo "\\set q$i random(1, 40)"
    done
    echo "BEGIN;"
    printf 'SELECT id, deviceToken, state, deadline FROM attempt WHERE id IN ('
    for i in $(seq "$group"); do printf '%s:a%s' "$([ "$i" = 1 ] || echo ,)" "$i"; done
    echo ");"
    printf 'INSERT INTO responseEvent(attemptId, sequence, itemKey, value, clientTime, receivedAt) VALUES '
    for i in $(seq "$group"); do printf '%s(:a%s, :s%s, '"'"'I.'"'"' || :q%s, '"'"'"A"'"'"', now(), now())' "$([ "$i" = 1 ] || echo ,)" "$i" "$i" "$i"; done
    echo " ON CONFLICT DO NOTHING;"
    # One row per (attempt, item) in an upsert: the writer keeps the highest sequence of a group per item first.
    printf 'INSERT INTO response(attemptId, itemKey, value, sequence, receivedAt) SELECT DISTINCT ON (a, k) a, k, v, s, now() FROM (VALUES '
    for i in $(seq "$group"); do printf '%s(:a%s::bigint, '"'"'I.'"'"' || :q%s, '"'"'"A"'"'"', :s%s::bigint)' "$([ "$i" = 1 ] || echo ,)" "$i" "$i" "$i"; done
    echo ") AS v(a, k, v, s) ORDER BY a, k, s DESC ON CONFLICT (attemptId, itemKey) DO UPDATE SET value = excluded.value, sequence = excluded.sequence, receivedAt = excluded.receivedAt WHERE excluded.sequence > response.sequence;"
    echo "COMMIT;"
  } >"$f"
  echo "$f"
}

results="$work/results.tsv"
for group in $groups; do
  file=$(script "$group")
  for c in $clients; do
    out=$("$bin/pgbench" -h 127.0.0.1 -p "$port" -U khaothi -n -M prepared -c "$c" -j 2 -T "$seconds" -f "$file" -r postgres 2>&1) \
      || { echo "$out" >&2; exit 1; }
    tps=$(echo "$out" | awk -F'= ' '/^tps/ {split($2, a, " "); print a[1]}')
    latency=$(echo "$out" | awk -F'= ' '/^latency average/ {split($2, a, " "); print a[1]}')
    printf 'postgresql\t%s\t%s\t%s\t%s\n' "$c" "$group" "$tps" "$latency" >>"$results"
  done
done

# SQLite: one writer, the same statements, each group one durable transaction.
for group in $groups; do
  python3 - "$work/sqlite.db" "$group" "$seconds" >>"$results" <<'PY'
import random, sqlite3, sys, time
path, group, seconds = sys.argv[1], int(sys.argv[2]), float(sys.argv[3])
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL"); db.execute("PRAGMA synchronous=FULL"); db.execute("PRAGMA foreign_keys=ON")
db.executescript("""
CREATE TABLE IF NOT EXISTS attempt (id INTEGER PRIMARY KEY, deviceToken TEXT NOT NULL, state TEXT NOT NULL, deadline TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS responseEvent (attemptId INTEGER NOT NULL REFERENCES attempt, sequence INTEGER NOT NULL, itemKey TEXT NOT NULL,
  value TEXT NOT NULL, clientTime TEXT, receivedAt TEXT NOT NULL, PRIMARY KEY (attemptId, sequence));
CREATE TABLE IF NOT EXISTS response (attemptId INTEGER NOT NULL REFERENCES attempt, itemKey TEXT NOT NULL, value TEXT NOT NULL,
  sequence INTEGER NOT NULL, receivedAt TEXT NOT NULL, PRIMARY KEY (attemptId, itemKey));
""")
if db.execute("SELECT count(*) FROM attempt").fetchone()[0] == 0:
    db.execute("BEGIN"); db.executemany("INSERT INTO attempt VALUES (?, ?, 'running', '2030-01-01 00:00:00.000')", [(i, str(i)) for i in range(1, 10001)]); db.execute("COMMIT")
texts = {}
def statements(n):  # made once per number of rows, as the writer's statement cache does
    if n not in texts:
        texts[n] = ("SELECT id, deviceToken, state, deadline FROM attempt WHERE id IN (%s)" % ",".join("?" * n),
                    "INSERT OR IGNORE INTO responseEvent VALUES " + ",".join(["(?, ?, ?, '\"A\"', ?, ?)"] * n),
                    "INSERT INTO response(attemptId, itemKey, value, sequence, receivedAt) VALUES " + ",".join(["(?, ?, '\"A\"', ?, ?)"] * n)
                    + " ON CONFLICT(attemptId, itemKey) DO UPDATE SET value = excluded.value, sequence = excluded.sequence,"
                    + " receivedAt = excluded.receivedAt WHERE excluded.sequence > response.sequence")
    return texts[n]
transactions, started = 0, time.monotonic()
while time.monotonic() - started < seconds:
    now = time.strftime("%Y-%m-%d %H:%M:%S.000", time.gmtime())
    rows = {}
    for _ in range(group):  # one row per (attempt, item), as the writer sends
        a, q = random.randint(1, 10000), random.randint(1, 40)
        rows[(a, q)] = random.randint(1, 9_000_000_000_000_000)
    check, log, latest = statements(len(rows))
    db.execute("BEGIN")
    db.execute(check, [a for (a, _) in rows])
    db.execute(log, [v for (a, q), s in rows.items() for v in (a, s, f"I.{q}", now, now)])
    db.execute(latest, [v for (a, q), s in rows.items() for v in (a, f"I.{q}", s, now)])
    db.execute("COMMIT")
    transactions += 1
elapsed = time.monotonic() - started
print(f"sqlite\t1\t{group}\t{transactions / elapsed:.1f}\t{1000 * elapsed / transactions:.3f}")
PY
done

echo "== durable saves, $seconds s each, $(date -u +%Y-%m-%d) on $(nproc) cores (PostgreSQL $("$bin/postgres" --version | awk '{print $3}'), SQLite $(python3 -c 'import sqlite3; print(sqlite3.sqlite_version)'))"
python3 - "$results" <<'PY'
import sys
print(f"{'engine':<11} {'clients':>7} {'saves/tx':>8} {'tx/s':>9} {'saves/s':>9} {'ms/tx':>7}")
for engine, clients, group, tps, latency in (line.rstrip("\n").split("\t") for line in open(sys.argv[1])):
    print(f"{engine:<11} {clients:>7} {group:>8} {float(tps):>9,.0f} {float(tps) * int(group):>9,.0f} {float(latency):>7.2f}")
PY
