#!/usr/bin/env bash
# bench/trace: rustprobe trace side by side with bpftrace on sample-rust's hot loop (orders::place(id: u32,
# name: &str, qty: Option<u32>) called CALLS times), root only. Reports, as medians of RUNS rounds:
#   - per-call cost (ns) of a count-only probe (bpftrace count()), a probe recording id, name and qty
#     (bpftrace printf; rustprobe trace --returns=none), and the ratios the issue sets targets for, all taken on
#     the probe overhead above the loop without a probe;
#   - entry+return pairing with a latency histogram: bpftrace uprobe+uretprobe hist() vs rustprobe's ret-site
#     returns (default) and its --returns=uretprobe;
#   - records lost at LOST_CALLS calls (rustprobe's summary count, bpftrace's "Lost N events");
#   - start-up, command start to probes live: sample-rust, and one function of librustc_driver-*.so (rustc -V).
# Per-call cost is (T(CALLS) - T(0)) / CALLS for the same tool and command, so tool start-up cancels out. Every
# round runs every configuration once, in turn, so that load from other work on the machine hits all alike.
# Usage: bench/trace/run.sh [RUNS] (default 5). Env: CALLS (default 200000), LOST_CALLS (default 2000000),
# BT_LOST=1 to count bpftrace printf's lost events at LOST_CALLS too.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs=${1:-5}
calls=${CALLS:-200000}
lost_calls=${LOST_CALLS:-2000000}
cd "$root"
bin=$(sample-rust/build.sh release-legacy)
# (awk reads to the end rather than exiting early: under pipefail, nm's SIGPIPE would end the script)
sym=$(nm "$bin" | awk '/ T _ZN11sample_rust6orders5place17h/ && !s {s = $3} END {print s}')
[ -n "$sym" ] || { echo "bench/trace: orders::place not found in $bin" >&2; exit 1; }
./rustprobe --help >/dev/null 2>&1 || true  # builds the jar (and its CDS archive) outside the timings
ulimit -l unlimited 2>/dev/null || true      # bpftrace 0.17 warns without it
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Appends the wall seconds of one run of a command (output discarded) to file $1.
timed() {
  local f=$1 t0 t1
  shift
  t0=$(date +%s.%N)
  "$@" >/dev/null 2>"$tmp/err" || { echo "bench/trace: failed: $*" >&2; cat "$tmp/err" >&2; exit 1; }
  t1=$(date +%s.%N)
  echo "$t0 $t1" | awk '{printf "%.4f\n", $2 - $1}' >>"$f"
}
median() { python3 -c 'import statistics,sys; print("%.4f" % statistics.median(float(l) for l in open(sys.argv[1]) if l.strip()))' "$1"; }

bt() { bpftrace -q -e "$1" -c "${*:2}"; }
bt_count() { bt "uprobe:$bin:$sym { @c = count(); }" "$@"; }
bt_printf() { bt "uprobe:$bin:$sym { printf(\"place(id: %u, name: %r, qty: %u/%u)\n\", (uint32)arg0, buf(arg1, arg2), (uint8)arg3, (uint32)arg4); }" "$@"; }
bt_hist() { bt "uprobe:$bin:$sym { @s[tid] = nsecs; } uretprobe:$bin:$sym /@s[tid]/ { @h = hist(nsecs - @s[tid]); delete(@s[tid]); }" "$@"; }
rp() { ./rustprobe trace "$@"; }
none() { "$@"; }
rp_record() { rp --returns=none "$bin" sample_rust::orders::place -- "$@"; }
rp_rets() { rp "$bin" sample_rust::orders::place -- "$@"; }
rp_uret() { rp --returns=uretprobe "$bin" sample_rust::orders::place -- "$@"; }
# the JVM's JIT competes with the traced program for the cores: the same probe with C1 only, for comparison
rp_record_c1() { JAVA_OPTS="-XX:TieredStopAtLevel=1 ${JAVA_OPTS:-}" rp_record "$@"; }
configs=(none bt_count bt_printf bt_hist rp_record rp_rets rp_uret rp_record_c1)

first=$(objdump -d --no-show-raw-insn "$bin" --start-address=0x$(nm "$bin" | awk -v s="$sym" '$3 == s {print $1}') 2>/dev/null \
  | awk -F'\t' '/^ +[0-9a-f]+:/ && !n++ {print $2}')
echo "# $(uname -r), $(nproc) CPUs, $(bpftrace --version), $(java -version 2>&1 | head -1)"
echo "# load before: $(cut -d' ' -f1-3 /proc/loadavg); $bin, probe on $sym (first instruction: $first)"
echo "# $calls calls per run, medians of $runs rounds, each round running every configuration in turn"
for ((r = 0; r < runs; r++)); do
  for c in "${configs[@]}"; do
    timed "$tmp/$c.0" "$c" "$bin" --hot 0 --quiet
    timed "$tmp/$c.n" "$c" "$bin" --hot "$calls" --quiet
  done
done
args=()
for c in "${configs[@]}"; do
  args+=("$(median "$tmp/$c.0")" "$(median "$tmp/$c.n")")
done
python3 - "$calls" "${args[@]}" <<'PY'
import sys
n = int(sys.argv[1])
v = [float(x) for x in sys.argv[2:]]
base, count, printf_, hist, rec, rets, uret, rec_c1 = ((v[2 * i + 1] - v[2 * i]) * 1e9 / n for i in range(8))
def row(name, ns, note=""):
    print("%-56s %8.0f ns/call  %7.0f ns over the loop  %s" % (name, ns, ns - base, note))
row("no probe (the loop itself)", base)
row("bpftrace count()", count)
row("bpftrace printf(id, name, qty)", printf_)
row("rustprobe trace --returns=none (records id, name, qty)", rec,
    "= %.2fx count-only (target <= 1.3), %.2fx bpftrace printf (target <= 0.2)"
    % ((rec - base) / (count - base), (rec - base) / (printf_ - base)))
row("  the same, JAVA_OPTS=-XX:TieredStopAtLevel=1 (C1 only)", rec_c1,
    "= %.2fx count-only, %.2fx bpftrace printf" % ((rec_c1 - base) / (count - base), (rec_c1 - base) / (printf_ - base)))
row("bpftrace uprobe+uretprobe hist()", hist)
row("rustprobe trace (ret-site returns, histogram)", rets, "= %.2fx bpftrace hist (target <= 1.0)" % ((rets - base) / (hist - base)))
row("rustprobe trace --returns=uretprobe", uret, "= %.2fx bpftrace hist" % ((uret - base) / (hist - base)))
PY

# Lost records at LOST_CALLS calls: rustprobe's summary (exact), bpftrace's own count of lost printf events.
rp_record "$bin" --hot "$lost_calls" --quiet >"$tmp/lost" 2>&1
echo "rustprobe --returns=none at $lost_calls calls: $(grep -m1 -E '[0-9]+ lost' "$tmp/lost" | sed 's/^ *//')"
if [ -n "${BT_LOST:-}" ]; then  # several minutes: bpftrace printf wakes its reader for nearly every event
  bt_printf "$bin" --hot "$lost_calls" --quiet >/dev/null 2>"$tmp/btlost" || true
  echo "bpftrace printf at $lost_calls calls: $(grep -m1 -i lost "$tmp/btlost" || echo 'no "Lost" message (none lost)')"
fi

# Start-up: command start to probes live = T(tool running the command) - T(command alone), hot loop of 0 calls.
lib=$(ls "$(rustc --print sysroot)"/lib/librustc_driver-*.so | head -1)
libname=rustc_driver_impl::main   # the library is v0-mangled (_R...); rustprobe takes the demangled path
libsym=$(nm -D --defined-only "$lib" | awk '/ T _R.*rustc_driver_impl4main$/ && !s {s = $3} END {print s}')
[ -n "$libsym" ] || { echo "bench/trace: rustc_driver_impl::main not found in $lib" >&2; exit 1; }
rustc_bin=$(command -v rustc)
bt_lib() { bpftrace -q -e "uprobe:$lib:$libsym { @c = count(); }" -c "$rustc_bin -V"; }
rp_lib() { ./rustprobe trace --returns=none "$lib" "$libname" -- rustc -V; }
rustc_alone() { rustc -V; }
for ((r = 0; r < runs; r++)); do
  for c in none bt_count rp_record; do timed "$tmp/s.$c" "$c" "$bin" --hot 0 --quiet; done
  for c in rustc_alone bt_lib rp_lib; do timed "$tmp/s.$c" "$c"; done
done
python3 - "$(median "$tmp/s.none")" "$(median "$tmp/s.bt_count")" "$(median "$tmp/s.rp_record")" \
  "$(median "$tmp/s.rustc_alone")" "$(median "$tmp/s.bt_lib")" "$(median "$tmp/s.rp_lib")" "$libname" <<'PY'
import sys
a, b, r, ra, bl, rl = (float(x) for x in sys.argv[1:7])
print("start-up, sample-rust:      bpftrace %.2f s, rustprobe %.2f s (target < 0.5 s)" % (b - a, r - a))
print("start-up, librustc_driver (%s): bpftrace %.2f s, rustprobe %.2f s (target < 1 s)" % (sys.argv[7], bl - ra, rl - ra))
PY
echo "# load after: $(cut -d' ' -f1-3 /proc/loadavg)"
