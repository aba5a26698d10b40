#!/usr/bin/env bash
# bpf module benchmarks (root, kernel with BPF): ring buffer drain rate in Java, attach/detach time of 1, 100 and
# 1,000 uprobes (uprobe_multi link vs one perf-event link per probe), and the cost per probe hit of an empty
# rustprobe program against a bpftrace probe with an empty body on the same gcc-built loop.
# Usage: bench/bpf/run.sh [RUNS]   (medians of RUNS runs, default 5; results also go to bench/out/bpf.txt)
set -euo pipefail
cd "$(dirname "${BASH_SOURCE[0]}")/../.."
RUNS=${1:-5}
CALLS=${CALLS:-200000}
DRAIN_RECORDS=${DRAIN_RECORDS:-2000000}
root=$(pwd)
mkdir -p bench/out
out=$root/bench/out/bpf.txt
: > "$out"
say() { echo "$*" | tee -a "$out"; }

mvn -B -q -pl bpf -am test-compile >/dev/null
mvn -B -q -pl bpf dependency:build-classpath -Dmdep.outputFile="$root/bench/out/bpf.cp" -Dmdep.includeScope=test >/dev/null
cd bpf
CP="target/classes:target/test-classes:$(cat "$root/bench/out/bpf.cp")"
bench() { java -cp "$CP" dev.rustprobe.bpf.bench.BpfBench "$@"; }

say "# $(uname -r), $(nproc) CPUs, $(bpftrace --version), $(date -u +%FT%TZ)"
bench drain "$RUNS" "$DRAIN_RECORDS" | tee -a "$out"
# Attaching one perf-event uprobe is quick but detaching one costs an RCU grace period (~0.1 s), so the
# one-by-one path at 1,000 probes takes minutes per run; it gets 3 runs at most.
bench attach "$RUNS" 1 100 | tee -a "$out"
bench attach "$(( RUNS < 3 ? RUNS : 3 ))" 1000 | tee -a "$out"

# Per-hit cost: the same loop binary, CALLS calls of rp_empty per run. Rounds alternate the tools so that
# drift in machine load hits them alike; each round reports its own loop times.
target=target/test-binaries/probe_target
hits=$(mktemp)
for round in $(seq "$RUNS"); do
  bench hitcost 1 "$CALLS" >> "$hits"
  bpftrace -e "uprobe:$PWD/$target:rp_empty {}" > /tmp/rp-bench-bpftrace.$$ 2>&1 &
  bt=$!
  # bpftrace prints "Attaching 1 probe..." before attaching; give it time to finish, then check it lives.
  for _ in $(seq 100); do grep -q Attaching /tmp/rp-bench-bpftrace.$$ && break; sleep 0.1; done
  sleep 2
  kill -0 "$bt"
  echo "loop_ns bpftrace $("$target" loop "$CALLS")" >> "$hits"
  kill -INT "$bt"; wait "$bt" || true
done
rm -f /tmp/rp-bench-bpftrace.$$
python3 - "$hits" "$CALLS" <<'PY' | tee -a "$out"
import statistics, sys
calls = int(sys.argv[2])
loops = {}
for line in open(sys.argv[1]):
    _, tool, ns = line.split()
    loops.setdefault(tool, []).append(float(ns))
base = statistics.median(loops['none'])
per_hit = {t: (statistics.median(v) - base) / calls for t, v in loops.items() if t != 'none'}
print(f"loop_ns_per_call none {base / calls:.1f} (median of {len(loops['none'])} runs of {calls} calls)")
for t, ns in per_hit.items():
    print(f"per_hit_ns {t} {ns:.0f}")
for t in ('multi', 'one_by_one'):
    print(f"per_hit_ratio {t}/bpftrace {per_hit[t] / per_hit['bpftrace']:.2f}")
PY
rm -f "$hits"
