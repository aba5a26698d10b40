#!/usr/bin/env bash
# Coverage-guided fuzzing of every reader with Jazzer, SECONDS_PER_TARGET each, then a table: target, inputs
# executed, time, findings. Seeds come from sample-rust's builds and the toolchain's libstd/librustc_driver;
# corpora and findings stay under bench/out/fuzz/; a finding, once fixed, belongs in the target's regression
# inputs (src/test/resources/<package>/<Class>Inputs/<method>/), which every `mvn verify` replays.
# Usage: bench/fuzz/run.sh SECONDS_PER_TARGET [TARGET_FILTER]   e.g. bench/fuzz/run.sh 60 Dwarf
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)"
secs="${1:?usage: bench/fuzz/run.sh SECONDS_PER_TARGET [TARGET_FILTER]}"
filter="${2:-}"
out="$root/bench/out/fuzz"
mkdir -p "$out"

# every target: module, class, method; each runs in its own JVM (Jazzer fuzzes one @FuzzTest per process)
targets=(
  "demangler dev.rustprobe.demangle.DemanglerFuzzTest legacy"
  "demangler dev.rustprobe.demangle.DemanglerFuzzTest v0"
  "toolkit dev.rustprobe.elf.ElfFuzzTest wholeFile"
  "toolkit dev.rustprobe.dwarf.DwarfFuzzTest abbrevs"
  "toolkit dev.rustprobe.dwarf.DwarfFuzzTest units"
  "toolkit dev.rustprobe.dwarf.DwarfFuzzTest lineProgram"
  "toolkit dev.rustprobe.dwarf.DwarfFuzzTest rangeLists"
  "toolkit dev.rustprobe.dwarf.DwarfFuzzTest locationLists"
  "toolkit dev.rustprobe.dwarf.DwarfFuzzTest aranges"
  "toolkit dev.rustprobe.dwarf.DwarfFuzzTest stringOffsetsAndAddresses"
  "toolkit dev.rustprobe.dwarf.DwarfFuzzTest sections"
  "toolkit dev.rustprobe.dwarf.DwarfFuzzTest wholeFile"
  "toolkit dev.rustprobe.abi.LocationEvaluatorFuzzTest expressions"
)

echo "building the test classes and their class paths" >&2
# one reactor build, so the toolkit's class path names the demangler of this tree (mdep.outputFile is per module)
(cd "$root" && mvn -B -q -o -pl demangler,toolkit -am test-compile dependency:build-classpath \
  -Dmdep.includeScope=test -Dmdep.outputFile=target/fuzz.classpath >"$out/build.log" 2>&1) \
  || { cat "$out/build.log" >&2; exit 1; }
for m in demangler toolkit; do cp "$root/$m/target/fuzz.classpath" "$out/$m.classpath"; done
# a snapshot of the compiled classes, so that a build in the work tree during a long run changes nothing here
rm -rf "$out/classes"
for m in demangler toolkit; do
  mkdir -p "$out/classes/$m"
  cp -r "$root/$m/target/classes" "$out/classes/$m/main"
  cp -r "$root/$m/target/test-classes" "$out/classes/$m/test"
done
cp_of() { # test classes, main classes, then the test-scope dependencies (with Jazzer)
  local m=$1 extra=""
  [ "$m" = toolkit ] && extra=":$out/classes/demangler/main"
  echo "$out/classes/$m/test:$out/classes/$m/main$extra:$(cat "$out/$m.classpath")"
}

echo "writing seed corpora" >&2
seeds="$out/seeds"
rm -rf "$seeds"
mkdir -p "$seeds"
variants=(release-legacy release-v0 debug release-dwarf5 release-v0-dwarf5)
bins=()
for v in "${variants[@]}"; do bins+=("$("$root/sample-rust/build.sh" "$v")"); done
sysroot="$(rustc --print sysroot)"
libstd="$(ls "$sysroot"/lib/rustlib/*/lib/libstd-*.so | head -1)"
driver="$(ls "$sysroot"/lib/librustc_driver-*.so | head -1)"
# DWARF targets: the small test library (built by the seed writer) plus real sections of these binaries
java -cp "$(cp_of toolkit)" -Drustprobe.root="$root" dev.rustprobe.dwarf.DwarfFuzzSeeds "$seeds" \
  "${bins[@]}" "$libstd" >"$out/seeds.log" 2>&1 || { cat "$out/seeds.log" >&2; exit 1; }
# ELF: the small libraries (plain, zlib, zstd), sample-rust without DWARF and stripped, libstd without DWARF
mkdir -p "$seeds/ElfFuzzTest.wholeFile"
cp "$seeds/DwarfFuzzTest.wholeFile/"* "$seeds/ElfFuzzTest.wholeFile/"
strip --strip-debug -o "$seeds/ElfFuzzTest.wholeFile/sample-rust-nodebug" "${bins[0]}"
strip -s -o "$seeds/ElfFuzzTest.wholeFile/sample-rust-stripped" "${bins[1]}"
strip --strip-debug -o "$seeds/ElfFuzzTest.wholeFile/libstd-nodebug" "$libstd"
# demangler: symbol bodies (after _ZN / _R) of sample-rust and librustc_driver, 2000 of each kind
set +o pipefail # head ends the pipes early
mkdir -p "$seeds/DemanglerFuzzTest.legacy" "$seeds/DemanglerFuzzTest.v0"
{ nm "${bins[0]}"; nm -D "$driver"; } 2>/dev/null | awk 'NF >= 2 { print $NF }' | grep '^_ZN' | sort -u | head -2000 \
  | awk -v d="$seeds/DemanglerFuzzTest.legacy" '{ printf "%s", substr($0, 4) > (d "/seed-" NR); close(d "/seed-" NR) }'
{ nm "${bins[1]}"; nm -D "$driver"; } 2>/dev/null | awk 'NF >= 2 { print $NF }' | grep '^_R' | sort -u | head -2000 \
  | awk -v d="$seeds/DemanglerFuzzTest.v0" '{ printf "%s", substr($0, 3) > (d "/seed-" NR); close(d "/seed-" NR) }'
# the evaluator: the expressions rustc emits, as LocationEvaluatorFuzzTest lists them
mkdir -p "$seeds/LocationEvaluatorFuzzTest.expressions"
sed -n '/SEEDS = List.of(/,/);/p' "$root/toolkit/src/test/java/dev/rustprobe/abi/LocationEvaluatorFuzzTest.java" \
  | grep '^ *"' | sed 's|//.*||' | tr -cd '0-9a-f\n' | awk -v d="$seeds/LocationEvaluatorFuzzTest.expressions" \
    '{ cmd = "xxd -r -p > " d "/seed-" NR; print $0 | cmd; close(cmd) }'
set -o pipefail

printf '%-52s %12s %8s %9s\n' target execs seconds findings
total_execs=0
total_findings=0
for t in "${targets[@]}"; do
  read -r module class method <<<"$t"
  name="${class##*.}.$method"
  [ -n "$filter" ] && [[ "$name" != *"$filter"* ]] && continue
  work="$out/$name"
  mkdir -p "$work/corpus" "$work/findings"
  rm -f "$work/findings/"*
  log="$work/jazzer.log"
  max_len=65536
  [ "$name" = ElfFuzzTest.wholeFile ] && max_len=$((2 << 20))
  [[ "$name" = DemanglerFuzzTest.* ]] && max_len=4096
  start=$(date +%s.%N)
  # -timeout: a hang is an input that takes over 10 s; -Xmx and -rss_limit_mb: a runaway allocation is an OOM
  # finding (FuzzOracle also fails any input that allocates more than its fixed budget)
  java -Xmx2g -XX:+UseParallelGC -cp "$(cp_of "$module")" -Drustprobe.root="$root" \
    com.code_intelligence.jazzer.Jazzer --target_class="$class" --target_method="$method" \
    --instrumentation_includes='dev.rustprobe.**' --keep_going=20 --reproducer_path="$work/findings" \
    -max_total_time="$secs" -timeout=10 -rss_limit_mb=4096 -max_len="$max_len" -print_final_stats=1 \
    -artifact_prefix="$work/findings/" "$work/corpus" "$seeds/$name" >"$log" 2>&1 || true
  took=$(python3 -c "import time; print(f'{time.time() - $start:.0f}')")
  execs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$log" | awk '{ print $2 }' | tail -1)
  [ -z "$execs" ] && execs=$(grep -oE '^#[0-9]+' "$log" | tail -1 | tr -d '#')
  [ -z "$execs" ] && execs=0
  findings=$(find "$work/findings" -maxdepth 1 -type f \( -name 'crash-*' -o -name 'timeout-*' -o -name 'oom-*' \
    -o -name 'slow-unit-*' \) | wc -l)
  printf '%-52s %12s %8s %9s\n' "$name" "$execs" "$took" "$findings"
  if [ "$findings" -gt 0 ]; then
    res="$module/src/test/resources/$(echo "${class%.*}" | tr . /)/${class##*.}Inputs/$method"
    echo "    inputs in $work/findings; once fixed, keep them in $res (mvn verify replays that directory)"
    grep -E '^== Java Exception|^Caused by' "$log" | sort | uniq -c | sort -rn | head -5 \
      | cut -c1-220 | sed 's/^/    /' || true
  fi
  total_execs=$((total_execs + execs))
  total_findings=$((total_findings + findings))
done
printf '%-52s %12s %8s %9s\n' total "$total_execs" "" "$total_findings"
echo "logs, corpora and findings: $out" >&2
