#!/usr/bin/env bash
# A quick smoke of the benchmarks for CI (well under 60 s on 2 cores): every
# go test benchmark runs once (so none rots), then the load benchmark runs
# every mode with 1 s runs and up to 100k pins. It fails only when a
# benchmark breaks; the targets are printed, never asserted (timing on a
# shared CI machine is too noisy). Full runs: `make bench`, BENCHMARKS.md.
set -euo pipefail
cd "$(dirname "$0")/.."
GO="${GO:-go}"
start=$(date +%s)
"$GO" test -run '^$' -bench . -benchtime 1x ./mock/ ./cmd/loadbench/... >/dev/null
timeout 50 "$GO" run ./cmd/loadbench -quick -gen "${LOADBENCH_GEN:-auto}"
echo "bench.sh: done in $(( $(date +%s) - start ))s"
