#!/usr/bin/env bash
# Durable answer saves vs the same server's no-op POST route, in one run, with wrk.
# Usage: Benchmarks/load/durable-saves.sh [connections] [seconds]   (needs: apt-get install wrk; swift build -c release)
set -euo pipefail
cd "$(dirname "$0")/../.."
connections=${1:-512}
seconds=${2:-15}
K=.build/release/khaothi
[ -x "$K" ] || swift build -c release --product khaothi
work=$(mktemp -d)
port=18$((RANDOM % 900 + 100))
trap 'kill $server 2>/dev/null || true; rm -rf "$work"' EXIT

$K bank import QuestionBanks/vat-li-12/vat-li-12.yaml --db "$work/db.sqlite" >/dev/null
$K blueprint import QuestionBanks/vat-li-12/blueprint.json --db "$work/db.sqlite" >/dev/null
$K exam create "Tải" --bank "Vật lí 12" --blueprint "Vật lí 12 — đề theo mẫu 2025" --codes 4 \
   --session "Ca 1=$(date -d '-1 min' '+%Y-%m-%d %H:%M')" --duration 120 --room P1 --db "$work/db.sqlite" >/dev/null
$K exam candidates import "Tải" QuestionBanks/samples/danh-sach-12A.csv --db "$work/db.sqlite" >/dev/null
$K exam prepare "Tải" --slips "$work/slips" --db "$work/db.sqlite" >/dev/null
code=$(grep -o 'class="big code">[A-Z0-9]*' "$work/slips/"*p1.html | head -1 | sed 's/.*>//')
$K serve --port "$port" --db "$work/db.sqlite" >"$work/server.log" 2>&1 &
server=$!
sleep 2
cookie=$(curl -s -i -X POST "http://127.0.0.1:$port/api/login" -H 'X-Khaothi: 1' -H 'Content-Type: application/json' \
  -d "{\"exam\":\"Tải\",\"sbd\":\"0001\",\"accessCode\":\"$code\"}" | grep -i '^set-cookie' | sed 's/^[^:]*: //; s/;.*//' | tr -d '\r')
token=$(curl -s -X POST "http://127.0.0.1:$port/api/attempt/start" -H 'X-Khaothi: 1' -H "Cookie: $cookie" | python3 -c 'import json,sys; print(json.load(sys.stdin)["deviceToken"])')
export KHAOTHI_COOKIE="$cookie" KHAOTHI_TOKEN="$token"

echo "== no-op POST, $connections connections, ${seconds}s"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s Benchmarks/load/noop.lua "http://127.0.0.1:$port" | tee "$work/noop.txt"
echo "== durable answer saves, $connections connections, ${seconds}s"
wrk -t2 -c"$connections" -d"${seconds}s" --latency -s Benchmarks/load/events.lua "http://127.0.0.1:$port" | tee "$work/events.txt"

noop=$(grep 'Requests/sec' "$work/noop.txt" | awk '{print $2}')
saves=$(grep 'Requests/sec' "$work/events.txt" | awk '{print $2}')
stored=$(python3 -c "import sqlite3; print(sqlite3.connect('$work/db.sqlite').execute('select count(*) from responseEvent').fetchone()[0])")
echo "== ratio durable saves / no-op: $(python3 -c "print(round($saves/$noop, 3))") ($saves vs $noop req/s); events in the log: $stored"
