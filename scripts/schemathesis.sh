#!/usr/bin/env bash
# Schemathesis against docs/openapi.yaml, on `khaothi demo` (its own database in a temporary directory), with a
# candidate's and an admin's cookies and the same-origin header, every check, a fixed seed. Fails on any 5xx,
# any undocumented status or any response that breaks the schema.
# Needs: pip install schemathesis. Usage: scripts/schemathesis.sh [examples per operation, default 30]
set -euo pipefail
cd "$(dirname "$0")/.."
examples=${1:-30}
swift build --product khaothi >/dev/null
K=.build/debug/khaothi
work=$(mktemp -d)
port=$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
KHAOTHI_WEB="$PWD/Web" $K demo --port "$port" --db "$work/demo.sqlite" --logins-out "$work/logins.json" >"$work/server.log" 2>&1 &
server=$!
trap 'kill $server 2>/dev/null || true; wait $server 2>/dev/null || true; rm -rf "$work"' EXIT
for _ in $(seq 100); do curl -sf "http://127.0.0.1:$port/api/time" >/dev/null && [ -s "$work/logins.json" ] && break; sleep 0.3; done
url="http://127.0.0.1:$port"
read -r exam sbd code admin password < <(python3 -c "
import json; l = json.load(open('$work/logins.json')); e = l['exams'][0]; c = e['candidates'][0]
a = [s for s in l['staff'] if s['role'] == 'admin'][0]
print(e['name'].replace(' ', '\u00a0'), c['sbd'], c['accessCode'], a['username'], a['password'])")
exam=${exam//$'\u00a0'/ }
cookie() { grep -i '^set-cookie' | sed 's/^[^:]*: //; s/;.*//' | tr -d '\r'; }
candidate=$(curl -s -i -X POST "$url/api/login" -H 'X-Khaothi: 1' -H 'Content-Type: application/json' \
  --data "$(python3 -c "import json,sys; print(json.dumps({'exam': sys.argv[1], 'sbd': sys.argv[2], 'accessCode': sys.argv[3]}))" "$exam" "$sbd" "$code")" | cookie)
curl -s -X POST "$url/api/attempt/start" -H 'X-Khaothi: 1' -H "Cookie: $candidate" >/dev/null
staff=$(curl -s -i -X POST "$url/api/staff/login" -H 'X-Khaothi: 1' -H 'Content-Type: application/json' \
  --data "{\"username\":\"$admin\",\"password\":\"$password\"}" | cookie)
# A student of the demo's class 12A, their temporary password changed (else every student route is 403 until then).
read -r student temporary < <(python3 -c "
import json; s = json.load(open('$work/logins.json'))['classwork']['students'][0]; print(s['studentID'], s['password'])")
first=$(curl -s -i -X POST "$url/api/student/login" -H 'X-Khaothi: 1' -H 'Content-Type: application/json' \
  --data "{\"studentID\":\"$student\",\"password\":\"$temporary\"}" | cookie)
pupil=$(curl -s -i -X POST "$url/api/student/password" -H 'X-Khaothi: 1' -H 'Content-Type: application/json' -H "Cookie: $first" \
  --data "{\"current\":\"$temporary\",\"password\":\"schemathesis-1\"}" | cookie)
[ -n "$candidate" ] && [ -n "$staff" ] && [ -n "$pupil" ] || { echo "could not sign in"; cat "$work/server.log"; exit 1; }
# Signing out, issuing a new code, or disabling or re-passwording the admin would end the sessions the run uses:
# those routes are tested elsewhere (Tests/ExamServerTests).
schemathesis --config-file scripts/schemathesis.toml run docs/openapi.yaml --url "$url" --checks all --seed 20261130 --max-examples "$examples" \
  --header "X-Khaothi: 1" --header "Cookie: $candidate; $staff; $pupil" \
  --exclude-path /api/logout --exclude-path /api/staff/logout --exclude-path-regex 'reset-code$' \
  --exclude-path /api/student/logout --exclude-path /api/student/logout-all --exclude-path /api/student/password \
  --exclude-path-regex '/students/\{student\}/reset-password$' \
  --exclude-path-regex '^/api/staff/accounts/\{username\}/(password|disable)$' \
  --generation-deterministic --no-color
