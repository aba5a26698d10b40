#!/usr/bin/env bash
# A/B of two checkouts of rustprobe (say main and a branch), run interleaved so that the load of a shared machine falls
# on both alike: what bench/index/run.sh times (ls, ls --json of librustc_driver, against nm) and what
# bench/trace/per-record.sh measures (JVM user time per ring-buffer record, three output modes). Medians of RUNS.
# ls --json is a control where a change does not touch it: its two sides differ by the noise alone.
# Usage: bench/ab.sh OLD_ROOT NEW_ROOT [RUNS]   (default 5; each launcher builds its jar on first use)
# Env: CALLS (per-record calls, default 300000). Both sides trace the same sample-rust binary, NEW_ROOT's.
set -euo pipefail
old=$(cd "$1" && pwd)
new=$(cd "$2" && pwd)
runs=${3:-5}
calls=${CALLS:-300000}
lib=$(ls "$(rustc --print sysroot)"/lib/librustc_driver-*.so | head -1)
bin=$("$new/sample-rust/build.sh" release-legacy)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
for r in "$old" "$new"; do # builds a missing jar and its class-data archives outside the timings
  "$r/rustprobe" ls "$lib" >/dev/null 2>&1
  "$r/rustprobe" trace --returns=none "$bin" sample_rust::orders::place -- "$bin" --hot 1 --quiet >/dev/null 2>&1
done

# time_into FILE CMD...: appends "wall user sys" of one run
time_into() {
  local f=$1
  shift
  /usr/bin/time -f "%e %U %S" -o "$tmp/one" "$@" >/dev/null 2>"$tmp/err" || { cat "$tmp/err" >&2; exit 1; }
  cat "$tmp/one" >>"$f"
}
median() { # median of column $2 of file $1
  sort -n -k"$2" "$1" | awk -v k="$2" '{v[NR]=$k} END {print (NR % 2) ? v[(NR+1)/2] : (v[NR/2]+v[NR/2+1])/2}'
}

echo "machine: $(nproc) cores, load before $(cut -d' ' -f1-3 /proc/loadavg)"
echo "old: $old ($(git -C "$old" rev-parse --short HEAD)), new: $new ($(git -C "$new" rev-parse --short HEAD)), $runs rounds"
for ((i = 0; i < runs; i++)); do
  # the order of old and new swaps each round: neither always runs on the warmer page cache
  if ((i % 2)); then sides=("$new" "$old"); else sides=("$old" "$new"); fi
  time_into "$tmp/nm" nm --demangle=rust "$lib"
  for r in "${sides[@]}"; do
    s=$([ "$r" = "$old" ] && echo old || echo new)
    RUSTPROBE_TIMING=1 time_into "$tmp/ls.$s" "$r/rustprobe" ls "$lib"
    sed -n 's/.*render \([0-9]*\) ms.*/\1/p' "$tmp/err" >>"$tmp/render.$s"
    time_into "$tmp/json.$s" "$r/rustprobe" ls "$lib" --json
  done
  for mode in none default json; do
    case $mode in none) a=(--returns=none) ;; default) a=() ;; json) a=(--returns=none --json) ;; esac
    for n in 0 "$calls"; do
      for r in "${sides[@]}"; do
        s=$([ "$r" = "$old" ] && echo old || echo new)
        time_into "$tmp/trace.$mode.$n.$s" "$r/rustprobe" trace "${a[@]}" "$bin" sample_rust::orders::place -- \
            "$bin" --hot "$n" --quiet
      done
    done
  done
done
echo "load after: $(cut -d' ' -f1-3 /proc/loadavg)"
printf '%-34s %10s %10s %10s %10s\n' "ls of $(basename "$lib") (median)" "old wall" "new wall" "old user" "new user"
printf '%-34s %10s %10s %10s %10s\n' "nm --demangle=rust" "$(median "$tmp/nm" 1)" "" "$(median "$tmp/nm" 2)" ""
for k in ls json; do
  printf '%-34s %10s %10s %10s %10s\n' "rustprobe ls$([ $k = json ] && echo ' --json')" \
      "$(median "$tmp/$k.old" 1)" "$(median "$tmp/$k.new" 1)" "$(median "$tmp/$k.old" 2)" "$(median "$tmp/$k.new" 2)"
done
echo "rustprobe ls, its render phase alone (RUSTPROBE_TIMING, wall ms): old $(median "$tmp/render.old" 1), new $(median "$tmp/render.new" 1)"
echo "trace sample_rust::orders::place, JVM user time per record (user at $calls calls - user at 0) / records:"
for mode in none default json; do
  per=$([ $mode = default ] && echo 2 || echo 1)
  line="$mode:"
  for s in old new; do
    t0=$(median "$tmp/trace.$mode.0.$s" 2)
    tn=$(median "$tmp/trace.$mode.$calls.$s" 2)
    line="$line  $s $(echo "scale=3; ($tn - $t0) * 1000000 / $calls / $per" | bc) µs (user $t0 s at 0, $tn s)"
  done
  echo "$line"
done
