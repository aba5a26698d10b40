#!/usr/bin/env bash
# bench/trace: a moved entry probe against --exact-entry (see README.md beside this file).
# Usage: bench/trace/entry-hop.sh [RUNS] [--calls N]   (root; not part of mvn verify)
set -euo pipefail
ulimit -l unlimited 2>/dev/null || true   # bpftrace 0.17 warns without it
exec python3 "$(dirname "${BASH_SOURCE[0]}")/entry-hop.py" "$@"
