#!/usr/bin/env bash
# Fuzzes every importer with libFuzzer, seeded from Tests/Fixtures, and prints execs and crashes per target.
# Usage: scripts/fuzz.sh [seconds per target, default 600] [targets…, default all]
# Crashes are kept in .build/fuzz/<target>/ (crash-… files), the grown corpus in .build/fuzz/<target>/corpus.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${1:-600}
shift || true
all=(FuzzNative FuzzJSON FuzzGIFT FuzzAiken FuzzAzota FuzzDocx FuzzMoodleXML FuzzQTI FuzzCSV FuzzXLSX)
targets=("${@:-${all[@]}}")
swift build -c release --package-path Fuzz -Xswiftc -sanitize=fuzzer -Xswiftc -parse-as-library -Xswiftc -use-ld=lld >/dev/null
seeds() {
  case $1 in
    FuzzNative) ls QuestionBanks/*/*.yaml Tests/Fixtures/malformed/*.yaml ;;
    FuzzJSON) ls Tests/Fixtures/all-kinds.json QuestionBanks/samples/toan12.json ;;
    FuzzGIFT) ls Tests/Fixtures/formats/*.gift Tests/Fixtures/malformed/*.gift ;;
    FuzzAiken) ls Tests/Fixtures/formats/aiken-*.txt Tests/Fixtures/malformed/no-answer.txt ;;
    FuzzAzota) ls Tests/Fixtures/formats/azota-*.txt Tests/Fixtures/malformed/azota-no-key.txt ;;
    FuzzDocx) ls Tests/Fixtures/formats/*.docx Tests/Fixtures/malformed/*.docx ;;
    FuzzMoodleXML) ls Tests/Fixtures/formats/*moodle*.xml Tests/Fixtures/malformed/entities.xml ;;
    FuzzQTI) ls Tests/Fixtures/formats/qti-*.xml ;;
    FuzzCSV) ls Tests/Fixtures/formats/*.csv Tests/Fixtures/malformed/*.csv QuestionBanks/samples/*.csv ;;
    FuzzXLSX) ls Tests/Fixtures/formats/*.xlsx Tests/Fixtures/malformed/*.xlsx ;;
  esac
}
printf '%-15s %12s %10s %8s\n' target execs exec/s crashes
for target in "${targets[@]}"; do
  dir=.build/fuzz/$target
  mkdir -p "$dir/corpus"
  for seed in $(seeds "$target"); do cp "$seed" "$dir/corpus/" 2>/dev/null || true; done
  log="$dir/log.txt"
  # Swift's backtracer would take the signal before libFuzzer could save the input: off while fuzzing.
  status=0
  (cd "$dir" && SWIFT_BACKTRACE=enable=no "$OLDPWD/Fuzz/.build/release/$target" -max_total_time="$seconds" -max_len=65536 -rss_limit_mb=3072 \
      -timeout=20 -print_final_stats=1 corpus >"log.txt" 2>&1) || status=$?
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{print $NF}' || true)
  rate=$(grep -o 'stat::average_exec_per_sec: *[0-9]*' "$log" | awk '{print $NF}' || true)
  crashes=$(ls "$dir" | grep -c '^\(crash\|timeout\|oom\|leak\)-' || true)
  if [ "$status" -ne 0 ] && [ "$crashes" -eq 0 ]; then crashes="exit $status"; fi
  printf '%-15s %12s %10s %8s\n' "$target" "${execs:-?}" "${rate:-?}" "$crashes"
done
