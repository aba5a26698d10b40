#!/usr/bin/env bash
# Benchmark: demangle every Rust symbol of the toolchain's librustc_driver-*.so (~105k, v0) with
# `./rustprobe demangle` (JVM start-up included) and with rustfilt, side by side (hyperfine, median of RUNS
# runs each, default 10), then the in-process throughput of the demangler (JMH, bench/demangle/jmh/).
# Usage: bench/demangle/run.sh [--no-jmh]      Output goes to stdout and bench/out/demangle/.
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
out="$root/bench/out/demangle"
runs="${RUNS:-10}"
mkdir -p "$out"
for tool in rustfilt hyperfine nm rustc; do
  command -v "$tool" >/dev/null || { echo "run.sh: $tool is not installed" >&2; exit 1; }
done

driver="$(ls "$(rustc --print sysroot)"/lib/librustc_driver-*.so | head -1)"
nm "$driver" 2>/dev/null | awk 'NF >= 2 { print $NF }' | grep -E '^_(ZN|R)' > "$out/symbols.txt"
echo "input: $(wc -l < "$out/symbols.txt") Rust symbols of $(basename "$driver") ($(du -h "$out/symbols.txt" | cut -f1))"

# build once (the launcher rebuilds a stale jar and its class-data archive) and check both agree
"$root/rustprobe" demangle _ZN3fooE >/dev/null
rustfilt < "$out/symbols.txt" > "$out/rustfilt.txt"
"$root/rustprobe" demangle < "$out/symbols.txt" > "$out/rustprobe.txt"
if cmp -s "$out/rustfilt.txt" "$out/rustprobe.txt"; then
  echo "outputs: identical"
else
  echo "outputs: DIFFER (see $out/rustfilt.txt and $out/rustprobe.txt)" >&2
  exit 1
fi

hyperfine --style basic -w 2 -r "$runs" --export-json "$out/hyperfine.json" \
  -n rustfilt "rustfilt < '$out/symbols.txt' > /dev/null" \
  -n rustprobe "'$root/rustprobe' demangle < '$out/symbols.txt' > /dev/null" > "$out/hyperfine.txt" 2>&1 \
  || { cat "$out/hyperfine.txt" >&2; exit 1; }
python3 - "$out/hyperfine.json" <<'PY'
import json, sys
r = {x["command"]: x for x in json.load(open(sys.argv[1]))["results"]}
f, p = r["rustfilt"]["median"], r["rustprobe"]["median"]
print(f"rustfilt  median {f * 1000:7.1f} ms  (min {r['rustfilt']['min'] * 1000:.1f}, max {r['rustfilt']['max'] * 1000:.1f})")
print(f"rustprobe median {p * 1000:7.1f} ms  (min {r['rustprobe']['min'] * 1000:.1f}, max {r['rustprobe']['max'] * 1000:.1f})")
print(f"ratio rustprobe/rustfilt = {p / f:.2f}  ({'rustprobe' if p < f else 'rustfilt'} is faster, {max(f, p) / min(f, p):.2f}x)")
PY

if [ "${1:-}" != --no-jmh ]; then
  (cd "$root" && mvn -B -q -pl demangler install -DskipTests)
  (cd "$root/bench/demangle/jmh" && mvn -B -q package)
  java -jar "$root/bench/demangle/jmh/target/benchmarks.jar" -p symbols="$out/symbols.txt" \
    -rf json -rff "$out/jmh.json" DemangleBenchmark > "$out/jmh.txt" 2>&1 || { tail -20 "$out/jmh.txt" >&2; exit 1; }
  python3 - "$out/jmh.json" "$(wc -l < "$out/symbols.txt")" <<'PY'
import json, sys
n = int(sys.argv[2])
for b in json.load(open(sys.argv[1])):
    m = b["primaryMetric"]
    print(f"JMH {b['benchmark'].rsplit('.', 1)[1]:14s} {m['score'] * n / 1e6:6.2f} M symbols/s "
          f"(± {m['scoreError'] * n / 1e6:.2f}, {m['score']:.2f} passes/s over {n} symbols)")
PY
fi
