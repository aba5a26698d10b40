#!/usr/bin/env bash
# JVM CPU per ring-buffer record of `rustprobe trace` on sample-rust's hot loop (orders::place: id u32, name &str,
# qty Option<u32>): (median user time at --hot N - median at --hot 0) / N, per output mode. User time counts the
# traced program too (about 30 ns per call of its own); its uprobe traps are system time, not counted.
# Usage: bench/trace/per-record.sh [N] (RUNS rounds, default 3; each round runs every mode at 0 and N in turn).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
n=${1:-300000}
runs=${RUNS:-3}
bin=$("$root/sample-rust/build.sh" release-legacy)
cd "$root"
./rustprobe trace --returns=none "$bin" sample_rust::orders::place -- "$bin" --hot 1 --quiet >/dev/null 2>&1 # builds
declare -A args=([none]="--returns=none" [default]="" [json]="--returns=none --json")
declare -A times
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
echo "load before: $(cut -d' ' -f1-3 /proc/loadavg)"
for _ in $(seq "$runs"); do
  for mode in none default json; do
    for calls in 0 "$n"; do
      # shellcheck disable=SC2086
      /usr/bin/time -f "%U" -o "$tmp" ./rustprobe trace ${args[$mode]} "$bin" sample_rust::orders::place -- "$bin" \
          --hot "$calls" --quiet >/dev/null 2>&1
      times[$mode.$calls]="${times[$mode.$calls]:-} $(tail -1 "$tmp")"
    done
  done
done
median() { printf '%s\n' $1 | sort -n | sed -n "$(( (runs + 1) / 2 ))p"; }
for mode in none default json; do
  t0=$(median "${times[$mode.0]}")
  tn=$(median "${times[$mode.$n]}")
  per=$([ "$mode" = default ] && echo 2 || echo 1) # default: a call and a return record per call
  echo "$mode (${args[$mode]:-ret-site returns}): user ${t0} s at 0, ${tn} s at $n calls:" \
       "$(echo "scale=2; ($tn - $t0) * 1000000 / $n / $per" | bc) µs per record"
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
