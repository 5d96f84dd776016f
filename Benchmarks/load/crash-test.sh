#!/usr/bin/env bash
# The crash test: candidates answer while the server is killed with SIGKILL at random moments (20 times by
# default) and restarted; their queues resend what was not acknowledged. At the end the load generator proves
# from the database that no acknowledged answer is missing and that every attempt's final answers are the
# last ones the client had acknowledged (exit 1 otherwise).
# Usage: Benchmarks/load/crash-test.sh [kills] [candidates] [seconds]
set -euo pipefail
cd "$(dirname "$0")/../.."
kills=${1:-20}
candidates=${2:-2000}
seconds=${3:-60}
exec Benchmarks/load/loadgen.sh --candidates "$candidates" --storm 5 --steady "$seconds" --think 2 --submit 5 --kills "$kills"
