#!/usr/bin/env bash
# Benchmark: `rustprobe explain` of one function in a binary with a large .debug_info, against llvm-dwarfdump
# --name and gdb -batch on the same binary: median wall time and median peak RSS (/usr/bin/time -v's "Maximum
# resident set size") of RUNS runs. The binary is a generated crate (gen-big-crate.py, no dependencies) built
# once into bench/index/target/ (debug profile, full debuginfo; 40 modules give ~140 MB of .debug_info and take a
# few minutes to build on 2 cores). Usage: bench/index/explain-big.sh [RUNS] [MODULES] [FUNCS] [PROFILE]
# (defaults 5 40 12 dev; PROFILE release builds with optimizations, inlining and debuginfo). Not part of mvn verify.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../.." && pwd)"
runs=${1:-5}
modules=${2:-40}
funcs=${3:-12}
profile=${4:-dev}
crate="$here/target/bigdwarf-$modules-$funcs"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# (Re)generate only when the generator changed, so that cargo's own up-to-date check keeps rebuilds away.
if [ ! -f "$crate/src/main.rs" ] || [ "$here/gen-big-crate.py" -nt "$crate/src/main.rs" ]; then
  python3 "$here/gen-big-crate.py" "$crate" "$modules" "$funcs"
fi
dir=debug
[ "$profile" = release ] && dir=release
start=$(date +%s)
env -u CARGO_ENCODED_RUSTFLAGS -u CARGO_BUILD_RUSTFLAGS RUSTFLAGS="" CARGO_TARGET_DIR="$crate/target" \
  cargo build --offline --quiet --manifest-path "$crate/Cargo.toml" --profile "$profile" >&2
bin="$crate/target/$dir/bigdwarf"
echo "build: $(( $(date +%s) - start )) s (0 when up to date)"
"$root/rustprobe" --help >/dev/null 2>&1 || true   # builds the jar once, outside the timings

# Runs a command RUNS times; prints the median wall time in seconds and the median peak RSS in KiB.
measure() {
  local i
  : >"$tmp/times"
  for ((i = 0; i < runs; i++)); do
    /usr/bin/time -f "%e %M" -o "$tmp/one" "$@" >"$tmp/out" 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
    cat "$tmp/one" >>"$tmp/times"
  done
  python3 -c '
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
print("%.3f %d" % (statistics.median(float(r[0]) for r in rows), statistics.median(int(r[1]) for r in rows)))' "$tmp/times"
}

info_hex=$(readelf -SW "$bin" | sed -n 's/.*\] \.debug_info  *[A-Z]*  *[0-9a-f]*  *[0-9a-f]*  *\([0-9a-f]*\).*/\1/p')
echo "machine: $(nproc) cores, load $(cut -d' ' -f1-3 /proc/loadavg); $(java -version 2>&1 | head -1); $(llvm-dwarfdump --version | grep -o 'LLVM version [0-9.]*'); $(gdb --version | head -1)"
echo "binary: $bin ($(stat -c %s "$bin") bytes, .debug_info $((16#${info_hex:-0})) bytes, $(readelf -sW "$bin" | grep -c ' FUNC ') FUNC symbols)"
# m3::scale: one out-of-line copy, no inline site in a debug build; Rec3::mix is #[inline(always)]: inlined sites.
"$root/rustprobe" explain "$bin" 'bigdwarf::m3::Rec3::mix' >"$tmp/mix.txt" 2>/dev/null
echo "explain bigdwarf::m3::Rec3::mix: $(grep -m1 'inlined call sites' "$tmp/mix.txt" | sed 's/^ *//')"
printf '%-55s %8s %10s\n' "command (median of $runs)" "wall s" "peak KiB"
row() { local label=$1; shift; read -r t m < <(measure "$@"); printf '%-55s %8s %10s\n' "$label" "$t" "$m"; }
row "rustprobe explain bigdwarf::m3::scale" "$root/rustprobe" explain "$bin" bigdwarf::m3::scale
row "rustprobe explain bigdwarf::m3::Rec3::mix" "$root/rustprobe" explain "$bin" 'bigdwarf::m3::Rec3::mix'
row "rustprobe explain bigdwarf::m3::scale --json" "$root/rustprobe" explain "$bin" bigdwarf::m3::scale --json
row "llvm-dwarfdump --name=scale" llvm-dwarfdump --name=scale "$bin"
row "llvm-dwarfdump --name=mix" llvm-dwarfdump --name=mix "$bin"
row "gdb -batch -ex 'info address bigdwarf::m3::scale'" gdb -batch -ex 'info address bigdwarf::m3::scale' "$bin"
row "gdb -batch -ex 'info scope bigdwarf::m3::scale'" gdb -batch -ex 'info scope bigdwarf::m3::scale' "$bin"
row "rustprobe ls (with DWARF columns)" "$root/rustprobe" ls "$bin"
row "rustprobe ls --no-dwarf" "$root/rustprobe" ls "$bin" --no-dwarf
row "nm --demangle=rust" nm --demangle=rust "$bin"
