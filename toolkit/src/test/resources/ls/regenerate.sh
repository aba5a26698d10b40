#!/usr/bin/env bash
# Records what `rustprobe ls` prints for every sample-rust build, so that ListGoldenTest can hold later changes
# (speed-ups above all) to byte-identical output. Run it only when sample-rust or the ls format changed on
# purpose, review the diff of the unpacked outputs, and commit the result.
set -euo pipefail
here="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
root="$(cd "$here/../../../../.." && pwd)"
for variant in release-legacy release-v0 debug release-dwarf5 release-v0-dwarf5; do
  bin="$("$root/sample-rust/build.sh" "$variant")"
  mkdir -p "$here/$variant"
  # the JSON names the binary by its absolute path, which differs per checkout
  "$root/rustprobe" ls "$bin" 2>/dev/null | gzip -9n > "$here/$variant/ls.txt.gz"
  "$root/rustprobe" ls "$bin" --json 2>/dev/null | sed "s|\"$bin\"|\"BINARY\"|" | gzip -9n > "$here/$variant/ls.json.gz"
  "$root/rustprobe" ls "$bin" 'sample_rust::**' > "$here/$variant/ls-crate.txt" 2>/dev/null
  "$root/rustprobe" ls "$bin" 'sample_rust::orders::*' --json 2>/dev/null | sed "s|\"$bin\"|\"BINARY\"|" > "$here/$variant/ls-orders.json"
  "$root/rustprobe" ls "$bin" --no-dwarf 2>/dev/null | gzip -9n > "$here/$variant/ls-no-dwarf.txt.gz"
  {
    echo "# what these outputs were made from; the test refuses a binary that differs"
    echo "rustc	$(rustc --version)"
    echo "text	$(readelf -S -W "$bin" | awk '$2 == ".text" {print $4, $6}')"
    echo "debug_info	$(readelf -S -W "$bin" | awk '$2 == ".debug_info" {print $6}')"
  } > "$here/$variant/fingerprint.tsv"
  echo "$variant: $(gunzip -c "$here/$variant/ls.txt.gz" | wc -l) lines" >&2
done
