#!/usr/bin/env bash
# Classwork at scale: 10,000 students of 250 classes doing an assignment from home, arriving over 30 minutes, while
# 2,000 candidates sit a lab exam on the same server for the same 30 minutes; every acknowledged answer of both
# checked in the database afterwards. About 32 minutes. Usage: Benchmarks/load/homework.sh [students] [window seconds]
set -euo pipefail
students=${1:-10000}
window=${2:-1800}
exec "$(dirname "$0")/loadgen.sh" --candidates 2000 --storm 10 --steady "$window" --think 10 --submit 10 \
  --homework "$students" --classes 250 --window "$window" --homework-think 20 --homework-changes 8
