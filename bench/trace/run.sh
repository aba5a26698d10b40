#!/usr/bin/env bash
# bench/trace: rustprobe trace side by side with bpftrace on sample-rust's hot loop (orders::place(id: u32,
# name: &str, qty: Option<u32>) called CALLS times), root only. Reports, as medians of RUNS runs:
#   - per-call cost (ns) of a count-only probe (bpftrace count()), a probe recording id, name and qty
#     (bpftrace printf; rustprobe trace --returns=none), and the ratios the issue sets targets for;
#   - entry+return pairing with a latency histogram: bpftrace uprobe+uretprobe hist() vs rustprobe's ret-site
#     returns (default) and its --returns=uretprobe;
#   - records lost by rustprobe at LOST_CALLS calls (must be 0);
#   - start-up, command start to probes live: sample-rust, and one function of librustc_driver-*.so (rustc -V).
# Per-call cost is (T(CALLS) - T(0)) / CALLS for the same tool and command, so tool start-up cancels out.
# Usage: bench/trace/run.sh [RUNS] (default 5). Env: CALLS (default 200000), LOST_CALLS (default 2000000).
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs=${1:-5}
calls=${CALLS:-200000}
lost_calls=${LOST_CALLS:-2000000}
cd "$root"
bin=$(sample-rust/build.sh release-legacy)
sym=$(nm "$bin" | awk '/ T _ZN11sample_rust6orders5place17h/ {print $3; exit}')
[ -n "$sym" ] || { echo "bench/trace: orders::place not found in $bin" >&2; exit 1; }
./rustprobe --help >/dev/null 2>&1 || true  # builds the jar (and its CDS archive) outside the timings
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Median wall seconds of RUNS runs of a command (its output discarded).
median() {
  local i
  : >"$tmp/t"
  for ((i = 0; i < runs; i++)); do
    /usr/bin/time -f "%e" -a -o "$tmp/t" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
  done
  python3 -c 'import statistics,sys; print("%.4f" % statistics.median(float(l) for l in open(sys.argv[1]) if l.strip()))' "$tmp/t"
}

# Per-call ns of a tool configuration: TOOL_CMD... -- is followed by the traced command with N calls.
per_call() {
  local t0 t1
  t0=$(median "$@" "$bin" --hot 0 --quiet)
  t1=$(median "$@" "$bin" --hot "$calls" --quiet)
  python3 -c 'import sys; print("%.0f" % ((float(sys.argv[2]) - float(sys.argv[1])) * 1e9 / int(sys.argv[3])))' "$t0" "$t1" "$calls"
}

bt() { bpftrace -q -e "$1" -c "${*:2}"; }
bt_count() { bt "uprobe:$bin:$sym { @c = count(); }" "$@"; }
bt_printf() { bt "uprobe:$bin:$sym { printf(\"place(id: %u, name: %s, qty: %u/%u)\n\", (uint32)arg0, str(arg1, arg2), (uint8)arg3, (uint32)arg4); }" "$@"; }
bt_hist() { bt "uprobe:$bin:$sym { @s[tid] = nsecs; } uretprobe:$bin:$sym /@s[tid]/ { @h = hist(nsecs - @s[tid]); delete(@s[tid]); }" "$@"; }
rp() { ./rustprobe trace "$@"; }

echo "# $(uname -r), $(nproc) CPUs, $(bpftrace --version), $(java -version 2>&1 | head -1), load $(cut -d' ' -f1-3 /proc/loadavg)"
echo "# $bin, probe on $sym (first instruction: $(objdump -d "$bin" --start-address=0x$(nm "$bin" | awk -v s="$sym" '$3 == s {print $1}') 2>/dev/null | awk '/^ +[0-9a-f]+:/ {$1=""; print; exit}' | cut -f3)); $calls calls per run, medians of $runs runs"
base=$(per_call env)
count=$(per_call bt_count)
printf_=$(per_call bt_printf)
hist=$(per_call bt_hist)
rp_record=$(per_call rp --returns=none "$bin" sample_rust::orders::place --)
rp_rets=$(per_call rp "$bin" sample_rust::orders::place --)
rp_uret=$(per_call rp --returns=uretprobe "$bin" sample_rust::orders::place --)
python3 - "$base" "$count" "$printf_" "$hist" "$rp_record" "$rp_rets" "$rp_uret" <<'PY'
import sys
base, count, printf_, hist, rec, rets, uret = (float(x) for x in sys.argv[1:])
def row(name, ns, note=""):
    print("%-58s %9.0f ns/call %s" % (name, ns, note))
row("no probe (loop itself)", base)
row("bpftrace count()", count)
row("bpftrace printf(id, name, qty)", printf_)
row("rustprobe trace --returns=none (records id, name, qty)", rec,
    "= %.2fx count-only (target <= 1.3), %.2fx bpftrace printf (target <= 0.2)" % ((rec - base) / (count - base), (rec - base) / (printf_ - base)))
row("bpftrace uprobe+uretprobe hist()", hist)
row("rustprobe trace (ret-site returns, histogram)", rets, "= %.2fx bpftrace hist (target <= 1.0)" % ((rets - base) / (hist - base)))
row("rustprobe trace --returns=uretprobe", uret, "= %.2fx bpftrace hist" % ((uret - base) / (hist - base)))
PY

# Lost records at LOST_CALLS calls: the summary's exact count.
./rustprobe trace --returns=none "$bin" sample_rust::orders::place -- "$bin" --hot "$lost_calls" --quiet >"$tmp/lost" 2>&1
echo "rustprobe at $lost_calls calls: $(grep -iE 'lost' "$tmp/lost" | head -1)"

# Start-up: command start to probes live = T(tool running the command) - T(command alone), hot loop of 0 calls.
alone=$(median "$bin" --hot 0 --quiet)
bt0=$(median bt_count "$bin" --hot 0 --quiet)
rp0=$(median rp --returns=none "$bin" sample_rust::orders::place -- "$bin" --hot 0 --quiet)
lib=$(ls "$(rustc --print sysroot)"/lib/librustc_driver-*.so | head -1)
libsym=$(nm -D --defined-only "$lib" | awk '/ T _ZN.*rustc_driver_impl.*main/ {print $3; exit}')
libname=$(./rustprobe demangle "$libsym")
rustc_alone=$(median rustc -V)
bt_lib=$(median bpftrace -q -e "uprobe:$lib:$libsym { @c = count(); }" -c "$(command -v rustc) -V")
rp_lib=$(median ./rustprobe trace --returns=none "$lib" "$libname" -- rustc -V)
python3 - "$alone" "$bt0" "$rp0" "$rustc_alone" "$bt_lib" "$rp_lib" "$libname" <<'PY'
import sys
a, b, r, ra, bl, rl = (float(x) for x in sys.argv[1:7])
print("start-up, sample-rust:      bpftrace %.2f s, rustprobe %.2f s (target < 0.5 s)" % (b - a, r - a))
print("start-up, librustc_driver (%s): bpftrace %.2f s, rustprobe %.2f s (target < 1 s)" % (sys.argv[7], bl - ra, rl - ra))
PY
