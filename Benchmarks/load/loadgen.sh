#!/usr/bin/env bash
# Runs the load generator (Benchmarks/LoadGenerator) against a release build of khaothi.
# Usage: Benchmarks/load/loadgen.sh [loadgen options]   e.g. --candidates 10000 --storm 10 --steady 30
#        (--homework N --classes C --window S: N students doing an assignment from home beside the lab exam)
set -euo pipefail
cd "$(dirname "$0")/../.."
swift build -c release --product khaothi >/dev/null
swift build -c release --package-path Benchmarks --product loadgen >/dev/null
exec Benchmarks/.build/release/loadgen --server .build/release/khaothi --root . "$@"
