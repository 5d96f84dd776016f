#!/usr/bin/env bash
# Every hot route of khaothi against a bare Hummingbird server, in one run, by wrk: each route's requests a
# second, its p99, and its ratio to the bare no-op (so a slower machine does not hide a regression).
# Usage: Benchmarks/load/routes.sh [connections=64] [seconds=10]   (needs wrk: apt-get install wrk)
# PROFILE="save start" also samples the server with `perf record -e cpu-clock` during those routes and prints
# the hottest symbols (needs linux-perf; software clock, so it works where hardware counters do not);
# PROFILE_KEEP=DIR keeps the recordings (DIR/save.perf …) for `perf report -i`.
set -euo pipefail
cd "$(dirname "$0")/../.."
connections=${1:-64}
seconds=${2:-10}
swift build -c release --product khaothi >/dev/null
swift build -c release --package-path Benchmarks --product bare-server >/dev/null
K=.build/release/khaothi
B=Benchmarks/.build/release/bare-server
work=$(mktemp -d)
port=18$((RANDOM % 900 + 100))
bare_port=$((port + 1))
trap 'kill $server $bare 2>/dev/null || true; wait 2>/dev/null; rm -rf "$work"' EXIT

db="$work/db.sqlite"
$K bank import QuestionBanks/vat-li-12/vat-li-12.yaml --db "$db" >/dev/null
$K blueprint import QuestionBanks/vat-li-12/blueprint.json --db "$db" >/dev/null
$K exam create "Tải" --bank "Vật lí 12" --blueprint "Vật lí 12 — đề theo mẫu 2025" --codes 4 \
   --session "Ca 1=$(date -d '-1 min' '+%Y-%m-%d %H:%M')" --duration 120 --room P1 --db "$db" >/dev/null
$K exam candidates import "Tải" QuestionBanks/samples/danh-sach-12A.csv --db "$db" >/dev/null
$K exam prepare "Tải" --slips "$work/slips" --slips-json "$work/slips.json" --db "$db" >/dev/null
code() { python3 -c "import json; print([s['accessCode'] for s in json.load(open('$work/slips.json')) if s['sbd'] == '$1'][0])"; }
$K serve --port "$port" --db "$db" --api-only >"$work/server.log" 2>&1 &
server=$!
$B "$bare_port" >"$work/bare.log" 2>&1 &
bare=$!
for _ in $(seq 50); do curl -s "http://127.0.0.1:$port/api/time" >/dev/null && curl -s "http://127.0.0.1:$bare_port/noop" >/dev/null && break; sleep 0.2; done

login() {
  curl -s -i -X POST "http://127.0.0.1:$port/api/login" -H 'X-Khaothi: 1' -H 'Content-Type: application/json' \
    -d "{\"exam\":\"Tải\",\"sbd\":\"$1\",\"accessCode\":\"$(code "$1")\"}" | grep -i '^set-cookie' | sed 's/^[^:]*: //; s/;.*//' | tr -d '\r'
}
cookie=$(login 0001)
token=$(curl -s -X POST "http://127.0.0.1:$port/api/attempt/start" -H 'X-Khaothi: 1' -H "Cookie: $cookie" | python3 -c 'import json,sys; print(json.load(sys.stdin)["deviceToken"])')
resume_cookie=$(login 0002)
curl -s -X POST "http://127.0.0.1:$port/api/attempt/start" -H 'X-Khaothi: 1' -H "Cookie: $resume_cookie" >/dev/null
save_body='{"deviceToken":"00000000-0000-0000-0000-000000000000","events":[{"sequence":100000001,"item":"I.1","value":"A"}]}'

results="$work/results.tsv"
run() {  # name url method path body cookie [script]
  local name=$1 url=$2 script=${7:-Benchmarks/load/route.lua} profiler=""
  if [[ " ${PROFILE:-} " == *" $name "* ]]; then
    perf record -e cpu-clock -F 997 -g -p "$server" -o "$work/$name.perf" -- sleep "$seconds" >/dev/null 2>&1 &
    profiler=$!
  fi
  ROUTE_METHOD=$3 ROUTE_PATH=$4 ROUTE_BODY=$5 KHAOTHI_COOKIE=$6 KHAOTHI_TOKEN=$token \
    wrk -t2 -c"$connections" -d"${seconds}s" --latency -s "$script" "$url" >"$work/$name.txt"
  local rps p99 errors
  rps=$(awk '/Requests\/sec/ {print $2}' "$work/$name.txt")
  p99=$(awk '$1 == "99%" {print $2}' "$work/$name.txt")
  errors=$(awk '/Non-2xx/ {print $NF}' "$work/$name.txt")
  printf '%s\t%s\t%s\t%s\n' "$name" "$rps" "$p99" "${errors:-0}" >>"$results"
  if [ -n "$profiler" ]; then
    wait "$profiler" || true
    echo "== perf: $name, hottest symbols (self)" >>"$work/profiles.txt"
    perf report -i "$work/$name.perf" --no-children --stdio --sort comm -g none 2>/dev/null | grep -E "^ +[0-9]" | head -8 >>"$work/profiles.txt" || true
    perf report -i "$work/$name.perf" --no-children --stdio --sort dso,symbol -g none >"$work/$name.report" 2>/dev/null || true
    if [ -n "${PROFILE_KEEP:-}" ]; then mkdir -p "$PROFILE_KEEP" && cp "$work/$name.perf" "$PROFILE_KEEP/"; fi
    grep -E '^ +[0-9]' "$work/$name.report" | head -25 >>"$work/profiles.txt" || true
    # Our own code, with what it calls (inclusive).
    echo "== perf: $name, khaothi's frames with what they call (children)" >>"$work/profiles.txt"
    perf report -i "$work/$name.perf" --children --stdio --sort symbol -g none --dsos khaothi 2>/dev/null | grep -E '^ +[0-9]' | head -40 >>"$work/profiles.txt" || true
  fi
}
run bare-noop "http://127.0.0.1:$bare_port" POST /noop "$save_body" ""
run noop "http://127.0.0.1:$port" POST /api/noop "$save_body" "$cookie"
run me "http://127.0.0.1:$port" GET /api/me "" "$cookie"
run state "http://127.0.0.1:$port" GET "/api/attempt/state?deviceToken=$token" "" "$cookie"
metric() { curl -s "http://127.0.0.1:$port/metrics" | awk -v name="$1" '$1 == name {print $2}'; }
groups_before=$(metric khaothi_ingestion_groups_total); jobs_before=$(metric khaothi_ingestion_jobs_total)
run save "http://127.0.0.1:$port" POST /api/attempt/events "" "$cookie" Benchmarks/load/events.lua
groups_after=$(metric khaothi_ingestion_groups_total); jobs_after=$(metric khaothi_ingestion_jobs_total)
run start "http://127.0.0.1:$port" POST /api/attempt/start "" "$resume_cookie"
run login "http://127.0.0.1:$port" POST /api/login "{\"exam\":\"Tải\",\"sbd\":\"0003\",\"accessCode\":\"$(code 0003)\"}" ""
# The machine drifts during a run: the bare no-op again at the end, and the ratios taken to the mean of both.
run bare-again "http://127.0.0.1:$bare_port" POST /noop "$save_body" ""

echo "== routes, $connections connections, ${seconds}s each, $(date -u +%Y-%m-%d) on $(nproc) cores"
python3 - "$results" <<'PY'
import sys
rows = [line.rstrip("\n").split("\t") for line in open(sys.argv[1])]
bare = (float(rows[0][1]) + float(rows[-1][1])) / 2
print(f"bare no-op: {float(rows[0][1]):,.0f} req/s first, {float(rows[-1][1]):,.0f} last; ratios to their mean")
print(f"{'route':<10} {'req/s':>10} {'p99':>10} {'non-2xx':>8} {'vs bare no-op':>14}")
for name, rps, p99, errors in rows:
    print(f"{name:<10} {float(rps):>10,.0f} {p99:>10} {errors:>8} {float(rps) / bare:>14.2f}")
PY
python3 -c "import sys; g, j = float(sys.argv[2]) - float(sys.argv[1]), float(sys.argv[4]) - float(sys.argv[3]); print(f'writer during the saves (/metrics): {g:,.0f} commits, {j / max(g, 1):.1f} saves per commit')" \
  "$groups_before" "$groups_after" "$jobs_before" "$jobs_after"
[ -f "$work/profiles.txt" ] && cat "$work/profiles.txt"
