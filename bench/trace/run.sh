#!/usr/bin/env bash
# bench/trace: rustprobe trace against bpftrace on two hot loops (see README.md beside this file).
# Usage: bench/trace/run.sh [RUNS] [--calls N] [--hot-calls N] [--lost-calls N]   (root; not part of mvn verify)
set -euo pipefail
ulimit -l unlimited 2>/dev/null || true   # bpftrace 0.17 warns without it
exec python3 "$(dirname "${BASH_SOURCE[0]}")/bench.py" "$@"
