#!/usr/bin/env bash
# Benchmark: `rustprobe ls` against `nm --demangle=rust` on the Rust toolchain's librustc_driver-*.so (~165,000
# symbols, no DWARF), medians of RUNS runs and their ratio; then `rustprobe explain` of one function in the largest
# DWARF binary among sample-rust's builds, with peak RSS from /usr/bin/time -v. nm and the ls runs alternate within
# each round, and the load average is printed before and after: other work on the machine skews the ratio.
# explain-big.sh beside it does the same on a generated crate with a 138 MB .debug_info, against llvm-dwarfdump and gdb.
# Usage: bench/index/run.sh [RUNS]   (default 7). Not part of `mvn verify`.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs=${1:-7}
lib=$(ls "$(rustc --print sysroot)"/lib/librustc_driver-*.so | head -1)
"$root/rustprobe" --help >/dev/null 2>&1 || true   # builds the jar once, outside the timings
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT

# Runs a command RUNS times; prints the median wall time in seconds and the median peak RSS in KiB.
measure() {
  local i
  : >"$tmp/times"
  for ((i = 0; i < runs; i++)); do
    /usr/bin/time -f "%e %M" -o "$tmp/one" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
    cat "$tmp/one" >>"$tmp/times"
  done
  python3 -c '
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
print("%.3f %d" % (statistics.median(float(r[0]) for r in rows), statistics.median(int(r[1]) for r in rows)))' "$tmp/times"
}

# The four ls-side commands, run in turn within each round (nm, ls, ls --json, ls PATTERN, nm, ...), so that the
# load of a shared machine falls on all of them alike; prints the four medians as "wall KiB" lines.
measure_ls_round_robin() {
  local i k
  for k in 0 1 2 3; do : >"$tmp/times$k"; done
  for ((i = 0; i < runs; i++)); do
    for k in 0 1 2 3; do
      case $k in
        0) set -- nm --demangle=rust "$lib" ;;
        1) set -- "$root/rustprobe" ls "$lib" ;;
        2) set -- "$root/rustprobe" ls "$lib" --json ;;
        3) set -- "$root/rustprobe" ls "$lib" 'rustc_middle::ty::**::fold*' ;;
      esac
      /usr/bin/time -f "%e %M" -o "$tmp/one" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
      cat "$tmp/one" >>"$tmp/times$k"
    done
  done
  for k in 0 1 2 3; do
    python3 -c '
import statistics, sys
rows = [l.split() for l in open(sys.argv[1]) if l.strip()]
print("%.3f %d" % (statistics.median(float(r[0]) for r in rows), statistics.median(int(r[1]) for r in rows)))' "$tmp/times$k"
  done
}

echo "machine: $(nproc) cores, load before $(cut -d' ' -f1-3 /proc/loadavg); $(nm --version | head -1); $(java -version 2>&1 | head -1)"
echo "file: $lib ($(stat -c %s "$lib") bytes, $(nm "$lib" | wc -l) .symtab symbols; nm --demangle=rust prints $(nm --demangle=rust "$lib" | wc -l) lines, rustprobe ls $(("$(RUSTPROBE_TIMING= "$root/rustprobe" ls "$lib" 2>/dev/null | wc -l)" - 1)) functions)"
{ read -r nm_t nm_m; read -r rp_t rp_m; read -r rpj_t rpj_m; read -r rpp_t rpp_m; } < <(measure_ls_round_robin)
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-45s %8s %10s %8s\n' "command (median of $runs)" "wall s" "peak KiB" "vs nm"
ratio() { python3 -c "print('%.2fx' % ($1 / $2))"; }
printf '%-45s %8s %10s %8s\n' "nm --demangle=rust" "$nm_t" "$nm_m" "1.00x"
printf '%-45s %8s %10s %8s\n' "rustprobe ls" "$rp_t" "$rp_m" "$(ratio "$rp_t" "$nm_t")"
printf '%-45s %8s %10s %8s\n' "rustprobe ls --json" "$rpj_t" "$rpj_m" "$(ratio "$rpj_t" "$nm_t")"
printf '%-45s %8s %10s %8s\n' "rustprobe ls 'rustc_middle::ty::**::fold*'" "$rpp_t" "$rpp_m" "$(ratio "$rpp_t" "$nm_t")"
echo "rustprobe ls phases (one run): $(RUSTPROBE_TIMING=1 "$root/rustprobe" ls "$lib" 2>&1 >/dev/null | grep timing)"

# explain on the largest DWARF binary among sample-rust's builds.
"$root/sample-rust/build.sh" all >"$tmp/bins"
big=$(xargs ls -S <"$tmp/bins" | head -1)
echo
info_hex=$(readelf -SW "$big" | sed -n 's/.*\] \.debug_info  *[A-Z]*  *[0-9a-f]*  *[0-9a-f]*  *\([0-9a-f]*\).*/\1/p')
echo "explain: $big ($(stat -c %s "$big") bytes, .debug_info $((16#${info_hex:-0})) bytes)"
read -r ex_t ex_m < <(measure "$root/rustprobe" explain "$big" sample_rust::inline::scale)
read -r exs_t exs_m < <(measure "$root/rustprobe" explain "$big" sample_rust::orders::place)
read -r ls_t ls_m < <(measure "$root/rustprobe" ls "$big")
read -r lsn_t lsn_m < <(measure "$root/rustprobe" ls "$big" --no-dwarf)
printf '%-45s %8s %10s\n' "rustprobe explain sample_rust::inline::scale" "$ex_t" "$ex_m"
printf '%-45s %8s %10s\n' "rustprobe explain sample_rust::orders::place" "$exs_t" "$exs_m"
printf '%-45s %8s %10s\n' "rustprobe ls (with DWARF columns)" "$ls_t" "$ls_m"
printf '%-45s %8s %10s\n' "rustprobe ls --no-dwarf" "$lsn_t" "$lsn_m"
