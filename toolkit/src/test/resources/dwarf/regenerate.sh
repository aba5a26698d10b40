#!/usr/bin/env bash
# Regenerates the DWARF test fixtures: builds every sample-rust variant, dumps its DWARF with llvm-dwarfdump
# (Debian package llvm), and extracts the facts DwarfSampleRustTest compares with (see extract.py).
# Run it after changing sample-rust or moving to another rustc; commit the result.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../../.." && pwd)"
command -v llvm-dwarfdump >/dev/null || { echo "regenerate.sh: needs llvm-dwarfdump (apt-get install llvm)" >&2; exit 1; }
tmp="$(mktemp -d)"
trap 'rm -rf "$tmp"' EXIT
# With a directory argument, writes there instead (the tests do so when sample-rust changed since the commit).
out="${1:-$here}"
for variant in release-legacy release-v0 debug release-dwarf5 release-v0-dwarf5; do
  bin="$("$root/sample-rust/build.sh" "$variant")"
  llvm-dwarfdump --debug-info "$bin" > "$tmp/info.txt"
  llvm-dwarfdump --debug-line "$bin" > "$tmp/line.txt"
  python3 "$here/extract.py" "$tmp/info.txt" "$tmp/line.txt" "$root" "$out/$variant"
  {
    echo "# what these fixtures were made from; the test refuses a binary that differs"
    echo "rustc	$(rustc --version)"
    echo "llvm-dwarfdump	$(llvm-dwarfdump --version | grep -o 'LLVM version [0-9.]*')"
    echo "text	$(readelf -S -W "$bin" | awk '$2 == ".text" {print $4, $6}')"
    echo "debug_info	$(readelf -S -W "$bin" | awk '$2 == ".debug_info" {print $6}')"
  } > "$out/$variant/fingerprint.tsv"
  echo "$variant: $(wc -l < "$out/$variant/subprograms.tsv") subprograms, $(wc -l < "$out/$variant/inlined.tsv") inline sites" >&2
done
