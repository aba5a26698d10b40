#!/usr/bin/env bash
# Instructions decoded per second by X86Decoder over librustc_driver's .text (or a file given as $1), next to
# objdump -d's time for the same range. objdump also formats operands and prints, so this only puts the two side by side.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
runs=${RUNS:-5}
file=${1:-$(ls "$(rustc --print sysroot)"/lib/librustc_driver-*.so | head -1)}
read -r addr off size < <(readelf -SW "$file" | awk '$2==".text" {print "0x"$4, "0x"$5, "0x"$6}')
(cd "$root" && mvn -B -q -pl toolkit -am compile)
echo "file: $file  .text at $addr, $((size)) bytes"
java -cp "$root/toolkit/target/classes" "$root/bench/x86/DecodeBench.java" "$file" "$off" "$size" "$addr" "$runs"
times=()
for _ in $(seq "$runs"); do
  t0=$(date +%s.%N)
  n=$(objdump -d --no-show-raw-insn -M intel -j .text "$file" | grep -c $'^ *[0-9a-f]*:\t')
  t1=$(date +%s.%N)
  times+=("$(echo "$t1 - $t0" | bc)")
done
med=$(printf '%s\n' "${times[@]}" | sort -n | sed -n "$(( (runs + 1) / 2 ))p")
echo "objdump -d: $n instructions, median ${med} s over $runs runs, $(echo "scale=1; $n / $med / 1000000" | bc) M instructions/s"
