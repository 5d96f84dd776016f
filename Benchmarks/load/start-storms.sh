#!/usr/bin/env bash
# Start storms of 1,000, 5,000 and 10,000 candidates (each starts within 10 s), then 30 s of autosave and a
# 10 s submit storm; one load-generator run per size. Figures go to BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/../.."
for n in ${SIZES:-1000 5000 10000}; do
  echo "== $n candidates"
  Benchmarks/load/loadgen.sh --candidates "$n" --storm 10 --steady 30 --think 10 --submit 10 2>/dev/null
done
